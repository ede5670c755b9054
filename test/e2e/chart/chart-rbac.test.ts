// The chart's RBAC is enough: the operator, run with exactly the chart's ServiceAccount
// credentials (as `make up` runs it), syncs the example dev environment with hooks and pass
// secrets, for cluster-wide and for namespaced RBAC, with no permission error.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { ensureBinaries } from '../../harness/binaries.ts';
import { startDemo, type Demo } from '../../harness/demo.ts';
import { GitServer } from '../../harness/git-server.ts';
import { deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';

const run = promisify(execFile);
const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

describe("the operator with the chart's RBAC", () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  for (const scope of ['cluster', 'namespaced'] as const) {
    it(`syncs the example dev environment with ${scope} RBAC and no permission error`, async () => {
      const helm = (await ensureBinaries()).helm;
      const git = await GitServer.start();
      cleanups.push(() => git.stop());
      const id = `${scope.slice(0, 3)}${process.pid}`;
      const names = {
        system: `keelson-${id}`,
        team: `shop-${id}`,
        dev: `shop-dev-${id}`,
        prod: `shop-prod-${id}`,
        release: `keelson-${id}`,
      };
      const state: { demo?: Demo } = {};
      cleanups.push(async () => {
        await state.demo?.stop();
        await run(helm, ['uninstall', names.release, '--namespace', names.system], { env: process.env }).catch(
          () => undefined,
        );
        for (const ns of Object.values(names)) await deleteNamespace(kc, ns);
      });
      const demo = await startDemo({
        kubeconfig: process.env.KUBECONFIG!,
        helm,
        git,
        dir: mkdtempSync(join(tmpdir(), 'keelson-demo-')),
        names,
        rbacScope: scope,
      });
      state.demo = demo;
      const get = async (name: string) =>
        (await custom.getNamespacedCustomObject({
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: names.team,
          plural: 'environments',
          name,
        })) as EnvironmentResource;
      const dev = await eventually(
        async () => {
          const e = await get('dev');
          return e.status?.sync?.status === 'Synced' &&
            e.status.health?.status === 'Healthy' &&
            e.status.operation?.phase === 'Succeeded'
            ? e
            : undefined;
        },
        { timeoutMs: 120_000, message: 'dev Synced and Healthy' },
      );
      assert.ok(
        dev.status?.operation?.tasks?.some((t) => t.phase === 'PreSync' && t.status === 'Succeeded'),
        'the PreSync hook ran',
      );
      const prod = await eventually(
        async () => {
          const e = await get('prod');
          return e.status?.sync?.status === 'OutOfSync' ? e : undefined;
        },
        { timeoutMs: 60_000, message: 'prod OutOfSync' },
      );
      assert.equal(prod.status?.operation, undefined);
      const logs = demo.operator.logs();
      assert.doesNotMatch(logs, /forbidden|Forbidden/, 'no permission error in the operator log');
    });
  }
});
