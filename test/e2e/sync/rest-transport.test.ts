// The operator's transport against the real API server: credentials that rotate (a
// projected token file, an exec plugin's short-lived token) are taken from the kubeconfig
// again, so a long-running operator keeps working. Here an exec plugin (`cat` of a file)
// hands out one ServiceAccount's token, then another's. A closed transport stays closed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { KubeApiError } from '../../../operator/src/adapters/kubernetes/api-error.ts';
import {
  LazyRestTransport,
  RestTransport,
  TransportClosedError,
} from '../../../operator/src/adapters/kubernetes/rest-transport.ts';
import { createTestNamespace, deleteNamespace } from '../../harness/kube.ts';
import { kc } from './sync-fixtures.ts';

const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);

async function tokenOf(namespace: string, name: string): Promise<string> {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const tr = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { expirationSeconds: 3600 } },
  });
  return tr.status?.token ?? assert.fail(`no token for ${name}`);
}

describe('RestTransport', () => {
  let ns = '';
  let dir = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'transport');
    dir = mkdtempSync(join(tmpdir(), 'keelson-credentials-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await deleteNamespace(kc, ns);
  });

  it('takes rotated credentials from the kubeconfig without a restart', async () => {
    const reader = await tokenOf(ns, 'reader');
    const nobody = await tokenOf(ns, 'nobody');
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
      },
    });
    const credential = join(dir, 'credential.json');
    const handOut = (token: string) =>
      writeFileSync(
        credential,
        JSON.stringify({
          apiVersion: 'client.authentication.k8s.io/v1',
          kind: 'ExecCredential',
          status: { token, expirationTimestamp: new Date(Date.now() + 1000).toISOString() },
        }),
      );
    handOut(reader);
    const cluster = kc.getCurrentCluster()!;
    const rotating = new k8s.KubeConfig();
    rotating.loadFromOptions({
      clusters: [cluster],
      users: [
        {
          name: 'rotating',
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'cat',
            args: [credential],
            interactiveMode: 'Never',
          },
        },
      ],
      contexts: [{ name: 'rotating', cluster: cluster.name, user: 'rotating' }],
      currentContext: 'rotating',
    });
    const transport = await RestTransport.fromKubeConfig(rotating, { credentialsTtlMs: 0 });
    try {
      const list = { method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps` } as const;
      assert.ok(await transport.request(list), 'the first token may list ConfigMaps');
      handOut(nobody);
      await sleep(1100); // the exec plugin's credential expired
      await assert.rejects(
        transport.request(list),
        (err) =>
          err instanceof KubeApiError &&
          err.status === 403 &&
          err.message.includes(`system:serviceaccount:${ns}:nobody`),
      );
    } finally {
      transport.close();
    }
  });

  it('fails every request once closed, those in flight and those after, so abandoned work cannot write', async () => {
    const transport = await RestTransport.fromKubeConfig(kc);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await transport.request({ method: 'GET', path });
    const inFlight = transport.request({ method: 'POST', path, body: { metadata: { name: 'in-flight' } } }).then(
      () => 'written',
      (err: unknown) => err,
    );
    transport.close();
    const outcome = await inFlight;
    await assert.rejects(
      transport.request({ method: 'POST', path, body: { metadata: { name: 'after-close' } } }),
      TransportClosedError,
    );
    const lazy = new LazyRestTransport(kc);
    await lazy.request({ method: 'GET', path });
    lazy.close();
    await assert.rejects(
      lazy.request({ method: 'POST', path, body: { metadata: { name: 'lazy-after-close' } } }),
      TransportClosedError,
    );
    const names = (await core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name);
    assert.ok(!names.includes('after-close') && !names.includes('lazy-after-close'), names.join(', '));
    // The request in flight either made it before the close or failed; it never hangs.
    assert.ok(outcome === 'written' || outcome instanceof Error, String(outcome));
  });

  it("checks a write's own guard last before it goes out: a guard that refuses sends nothing", async () => {
    const transport = new LazyRestTransport(kc);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    let allowed = true;
    let checks = 0;
    const guard = () => {
      checks++;
      if (!allowed) throw new Error('fenced: the shard is not held');
    };
    try {
      await transport.request({ method: 'POST', path, body: { metadata: { name: 'guarded-ok' } }, guard });
      assert.ok(checks >= 2, `checked before the send and on the connection (${checks})`);
      allowed = false;
      await assert.rejects(
        transport.request({ method: 'POST', path, body: { metadata: { name: 'guarded-refused' } }, guard }),
        /fenced: the shard is not held/,
      );
      await transport.request({ method: 'GET', path, guard }); // a read is never fenced
      const names = (await core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name);
      assert.ok(names.includes('guarded-ok') && !names.includes('guarded-refused'), names.join(', '));
    } finally {
      transport.close();
    }
  });
});
