// The example deploy repository, synthesized in-process: the whole charts as snapshots, and
// assertions on what must differ between dev and prod (replicas, image tags) and what must not
// appear at all (secret values).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizeEnvironment, type AppManifests } from '@keelson/cdk8s-app';
import definition from './main.ts';
import images from './images.json' with { type: 'json' };

interface Obj {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec: { containers: { image: string }[] } } };
}

function objects(environment: string): Obj[] {
  return synthesizeEnvironment(definition, { environment, images }).flatMap((a: AppManifests) => a.objects as Obj[]);
}
function find(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} not synthesized`);
  return found;
}

describe('example deploy repository', () => {
  for (const environment of ['dev', 'prod']) {
    it(`synthesizes ${environment} as before (snapshot)`, (t) => {
      t.assert.snapshot(synthesizeEnvironment(definition, { environment, images }));
    });
  }

  it('has the api, worker and web apps with the hooks and the pass secret', () => {
    const apps = synthesizeEnvironment(definition, { environment: 'dev', images }).map((a) => a.name);
    assert.deepEqual(apps, ['api', 'worker', 'web']);
    const dev = objects('dev');
    assert.equal(find(dev, 'Job', 'api-migrate').metadata.annotations?.['keelson.dev/hook'], 'PreSync');
    assert.equal(find(dev, 'Job', 'web-smoke-test').metadata.annotations?.['keelson.dev/hook'], 'PostSync');
    assert.equal(find(dev, 'Ingress', 'web').metadata.annotations?.['keelson.dev/sync-wave'], '1');
    assert.match(find(dev, 'Secret', 'api-db').metadata.annotations?.['keelson.dev/pass-refs'] ?? '', /"path":"dev\/db"/);
  });

  const differences: { kind: string; name: string; dev: [number, string]; prod: [number, string] }[] = [
    { kind: 'Deployment', name: 'api', dev: [1, 'ghcr.io/acme/shop-api:1.5.0-rc.2'], prod: [3, 'ghcr.io/acme/shop-api:1.4.3'] },
    { kind: 'Deployment', name: 'worker', dev: [1, 'ghcr.io/acme/shop-worker:1.5.0-rc.2'], prod: [2, 'ghcr.io/acme/shop-worker:1.4.3'] },
    { kind: 'Deployment', name: 'web', dev: [1, 'ghcr.io/acme/shop-web:2.1.0-rc.1'], prod: [2, 'ghcr.io/acme/shop-web:2.0.7'] },
  ];
  for (const d of differences) {
    it(`prod runs ${d.name} with ${d.prod[0]} replicas of ${d.prod[1]}, dev with ${d.dev[0]} of ${d.dev[1]}`, () => {
      for (const env of ['dev', 'prod'] as const) {
        const o = find(objects(env), d.kind, d.name);
        assert.equal(o.spec?.replicas, d[env][0]);
        assert.equal(o.spec?.template?.spec.containers[0]?.image, d[env][1]);
      }
    });
  }
});
