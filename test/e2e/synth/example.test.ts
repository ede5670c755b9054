// The example deploy repository, synthesized as the operator synthesizes it (its charts and
// its kustomization rendered by the real helm and kustomize, the status chart fetched from the
// chart repository with-cluster.ts serves): the whole environments as snapshots, and
// assertions on what must differ between dev and prod and what must not appear at all.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SynthesizedApp } from '../../../operator/src/core/synthesis.ts';
import { synthesizeExample } from '../../harness/example-deploy-repo.ts';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    schedule?: string;
    dnsNames?: string[];
    secretName?: string;
    tls?: { hosts: string[]; secretName: string }[];
    template?: { spec: { containers: { image: string; args?: string[] }[] } };
    jobTemplate?: { spec: { template: { spec: { containers: { image: string }[] } } } };
  };
}

const synthesized = new Map<string, readonly SynthesizedApp[]>();
const objects = (environment: string): Obj[] =>
  synthesized.get(environment)!.flatMap((a) => a.objects as unknown as Obj[]);
function find(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} not synthesized`);
  return found;
}

describe('example deploy repository', () => {
  before(async () => {
    for (const env of ['dev', 'prod']) synthesized.set(env, await synthesizeExample(env));
  });

  for (const environment of ['dev', 'prod']) {
    it(`synthesizes ${environment} as before (snapshot)`, (t) => {
      t.assert.snapshot(synthesized.get(environment)!.map((a) => ({ name: a.name, objects: a.objects })));
    });
  }

  it("has the shop's apps with the hooks and the pass secret", () => {
    const apps = synthesized.get('dev')!.map((a) => a.name);
    assert.deepEqual(apps, ['api', 'worker', 'web', 'cache', 'reports', 'status', 'platform']);
    const dev = objects('dev');
    assert.equal(find(dev, 'Job', 'api-migrate').metadata.annotations?.['keelson.dev/hook'], 'PreSync');
    assert.equal(find(dev, 'Job', 'web-smoke-test').metadata.annotations?.['keelson.dev/hook'], 'PostSync');
    assert.equal(find(dev, 'Ingress', 'web').metadata.annotations?.['keelson.dev/sync-wave'], '1');
    assert.match(
      find(dev, 'Secret', 'api-db').metadata.annotations?.['keelson.dev/pass-refs'] ?? '',
      /"path":"dev\/db"/,
    );
  });

  const differences: { kind: string; name: string; dev: [number, string]; prod: [number, string] }[] = [
    {
      kind: 'Deployment',
      name: 'api',
      dev: [1, 'ghcr.io/acme/shop-api:1.5.0-rc.2'],
      prod: [3, 'ghcr.io/acme/shop-api:1.4.3'],
    },
    {
      kind: 'Deployment',
      name: 'worker',
      dev: [1, 'ghcr.io/acme/shop-worker:1.5.0-rc.2'],
      prod: [2, 'ghcr.io/acme/shop-worker:1.4.3'],
    },
    {
      kind: 'Deployment',
      name: 'web',
      dev: [1, 'ghcr.io/acme/shop-web:2.1.0-rc.1'],
      prod: [2, 'ghcr.io/acme/shop-web:2.0.7'],
    },
    {
      kind: 'Deployment',
      name: 'cache',
      dev: [1, 'docker.io/library/redis:7.4.1'],
      prod: [2, 'docker.io/library/redis:7.4.1'],
    },
    {
      kind: 'Deployment',
      name: 'status-podinfo-lite',
      dev: [1, 'ghcr.io/stefanprodan/podinfo:6.7.0'],
      prod: [2, 'ghcr.io/stefanprodan/podinfo:6.7.0'],
    },
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

  it("the local chart gets its values from TypeScript: Redis's maxmemory per environment", () => {
    const maxMemory = (env: string) =>
      find(objects(env), 'Deployment', 'cache').spec?.template?.spec.containers[0]?.args?.[1];
    assert.equal(maxMemory('dev'), '64mb');
    assert.equal(maxMemory('prod'), '512mb');
    assert.equal(find(objects('dev'), 'Service', 'cache').metadata.labels?.['helm.sh/chart'], 'cache-0.2.0');
  });

  it('the Kustomize overlay of each environment: dev weekly with a newer image, prod nightly', () => {
    const dev = find(objects('dev'), 'CronJob', 'sales-report');
    const prod = find(objects('prod'), 'CronJob', 'sales-report');
    assert.equal(dev.spec?.schedule, '0 4 * * 1');
    assert.equal(dev.spec?.jobTemplate?.spec.template.spec.containers[0]?.image, 'ghcr.io/acme/shop-report:1.1.0-rc.1');
    assert.equal(prod.spec?.schedule, '0 3 * * *');
    assert.equal(prod.spec?.jobTemplate?.spec.template.spec.containers[0]?.image, 'ghcr.io/acme/shop-report:1.0.0');
  });

  it('the plain YAML and the imported Certificate type', () => {
    const dev = objects('dev');
    assert.equal(find(dev, 'NetworkPolicy', 'cache-from-shop').apiVersion, 'networking.k8s.io/v1');
    const cert = find(dev, 'Certificate', 'web-tls');
    assert.equal(cert.apiVersion, 'cert-manager.io/v1');
    assert.deepEqual(cert.spec?.dnsNames, ['shop.dev.example.com']);
    assert.deepEqual(find(dev, 'Ingress', 'web').spec?.tls, [
      { hosts: ['shop.dev.example.com'], secretName: 'web-tls' },
    ]);
    assert.deepEqual(find(objects('prod'), 'Certificate', 'web-tls').spec?.dnsNames, ['shop.example.com']);
  });
});
