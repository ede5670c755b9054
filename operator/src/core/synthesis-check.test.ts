import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSynthesis, DEFAULT_SYNTHESIS_LIMITS, SynthesisError, type RawSynthesizedApp } from './synthesis-check.ts';

const cm = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  ...extra,
});

describe('checkSynthesis', () => {
  it('passes valid apps through unchanged', () => {
    const apps = [
      {
        name: 'api',
        objects: [cm('a'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', namespace: 'shop' } }],
      },
    ];
    const result = checkSynthesis('dev', apps);
    assert.equal(result.environment, 'dev');
    assert.deepEqual(result.apps, apps);
  });

  it('accepts the same name in another kind, group or namespace', () => {
    const apps = [
      {
        name: 'api',
        objects: [
          cm('a'),
          cm('a', { metadata: { name: 'a', namespace: 'x' } }),
          { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } },
        ],
      },
    ];
    assert.doesNotThrow(() => checkSynthesis('dev', apps));
  });

  const invalid: { name: string; apps: RawSynthesizedApp[]; error: RegExp }[] = [
    {
      name: 'a string instead of an object',
      apps: [{ name: 'api', objects: ['kind: Pod'] }],
      error: /app "api", object #1: not a Kubernetes object \(got a string\)/,
    },
    {
      name: 'an array instead of an object',
      apps: [{ name: 'api', objects: [[cm('a')]] }],
      error: /not a Kubernetes object \(got an array\)/,
    },
    {
      name: 'an object without apiVersion',
      apps: [{ name: 'api', objects: [{ kind: 'Pod', metadata: { name: 'p' } }] }],
      error: /a Pod without apiVersion/,
    },
    {
      name: 'an object without a name, located',
      apps: [
        {
          name: 'web',
          objects: [cm('a'), { apiVersion: 'v1', kind: 'Service', metadata: {} }],
          sources: [undefined, 'apps/web.ts:12:5'],
        },
      ],
      error: /app "web", object #2 \(apps\/web\.ts:12:5\): a Service without metadata\.name/,
    },
    {
      name: 'an object without kind or metadata',
      apps: [{ name: 'api', objects: [{ apiVersion: 'v1' }] }],
      error: /without kind, metadata/,
    },
    {
      name: 'a namespace that is not a string',
      apps: [{ name: 'api', objects: [cm('a', { metadata: { name: 'a', namespace: 7 } })] }],
      error: /metadata\.namespace is not a string/,
    },
    {
      name: 'two objects with the same key in one app',
      apps: [{ name: 'api', objects: [cm('a'), cm('a')], sources: ['main.ts:3:1', 'main.ts:4:1'] }],
      error: /ConfigMap a is defined twice: app "api" \(main\.ts:3:1\) and app "api" \(main\.ts:4:1\)/,
    },
    {
      name: 'two objects with the same key in two apps',
      apps: [
        { name: 'api', objects: [cm('a')] },
        { name: 'web', objects: [cm('a')] },
      ],
      error: /ConfigMap a is defined twice: app "api" and app "web"/,
    },
    {
      name: 'two apps with the same name',
      apps: [
        { name: 'api', objects: [] },
        { name: 'api', objects: [] },
      ],
      error: /app "api" is defined twice/,
    },
    {
      name: 'an app name that is not a DNS label',
      apps: [{ name: 'My App', objects: [] }],
      error: /app "My App": the name is not a DNS label/,
    },
    {
      name: 'an object over the size cap',
      apps: [
        { name: 'api', objects: [cm('big', { data: { x: 'x'.repeat(DEFAULT_SYNTHESIS_LIMITS.maxObjectBytes) } })] },
      ],
      error: /ConfigMap big: \d+ bytes, over the limit of 1048576 per object/,
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => checkSynthesis('dev', c.apps),
        (err: unknown) => {
          assert.ok(err instanceof SynthesisError);
          assert.equal(err.reason, 'InvalidOutput');
          assert.match(err.message, c.error);
          return true;
        },
      );
    });
  }

  it('refuses more objects or bytes than the environment caps allow', () => {
    const apps = [{ name: 'api', objects: [cm('a'), cm('b'), cm('c')] }];
    assert.throws(
      () => checkSynthesis('dev', apps, { ...DEFAULT_SYNTHESIS_LIMITS, maxObjects: 2 }),
      /3 objects, over the limit of 2/,
    );
    assert.throws(
      () => checkSynthesis('dev', apps, { ...DEFAULT_SYNTHESIS_LIMITS, maxTotalBytes: 100 }),
      /bytes of objects, over the limit of 100/,
    );
  });

  it('lists every problem, up to twenty', () => {
    const objects = Array.from({ length: 25 }, () => 42);
    assert.throws(
      () => checkSynthesis('dev', [{ name: 'api', objects }]),
      (err: Error) => {
        assert.equal(err.message.split('\n').filter((l) => l.includes('not a Kubernetes object')).length, 20);
        assert.match(err.message, /… and 5 more/);
        return true;
      },
    );
  });
});
