// Helm values as Argo CD passes them: values, then valuesObject over it, then --set parameters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeValues, parsePath, parseValuesYaml, setParameter, typedValue } from './helm-values.ts';

describe('parsePath', () => {
  const cases: [string, (string | number)[]][] = [
    ['image.tag', ['image', 'tag']],
    ['podAnnotations.prometheus\\.io/scrape', ['podAnnotations', 'prometheus.io/scrape']],
    ['ingress.hosts[0].host', ['ingress', 'hosts', 0, 'host']],
    ['matrix[1][2]', ['matrix', 1, 2]],
  ];
  for (const [name, path] of cases) it(`reads ${name}`, () => assert.deepEqual(parsePath(name), path));
  for (const bad of ['a..b', 'a[x]', 'a[1', '']) it(`refuses "${bad}"`, () => assert.throws(() => parsePath(bad)));
});

describe('typedValue', () => {
  const cases: [string, unknown][] = [
    ['true', true],
    ['false', false],
    ['null', null],
    ['3', 3],
    ['-12', -12],
    ['007', '007'],
    ['1.5', '1.5'],
    ['{a,b}', ['a', 'b']],
    ['{}', []],
    ['{1,true}', [1, true]],
    ['LoadBalancer', 'LoadBalancer'],
  ];
  for (const [text, value] of cases) it(`types ${text} as --set does`, () => assert.deepEqual(typedValue(text), value));
});

describe('values', () => {
  it('merges maps deeply and replaces lists and scalars', () => {
    assert.deepEqual(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3], e: true }, d: 'y' }), {
      a: { b: 1, c: [3], e: true },
      d: 'y',
    });
  });

  it('sets a parameter by path, creating maps and lists, without touching the input', () => {
    const base = { ingress: { enabled: true } };
    const out = setParameter(base, { name: 'ingress.hosts[1].host', value: 'web.example.com' });
    assert.deepEqual(out, { ingress: { enabled: true, hosts: [null, { host: 'web.example.com' }] } });
    assert.deepEqual(base, { ingress: { enabled: true } });
  });

  it('keeps a forceString value a string', () => {
    assert.deepEqual(setParameter({}, { name: 'replicas', value: '2', forceString: true }), { replicas: '2' });
    assert.deepEqual(setParameter({}, { name: 'replicas', value: '2' }), { replicas: 2 });
  });

  it('reads values YAML and refuses one that is not a map', () => {
    assert.deepEqual(parseValuesYaml('replicaCount: 2\n'), { replicaCount: 2 });
    assert.deepEqual(parseValuesYaml(''), {});
    assert.throws(() => parseValuesYaml('- a\n'), /not a YAML map/);
  });
});
