// --log-level=debug against the real control plane: an executor made as the operator makes
// it (KubernetesExecutorFactory with the operator's JsonLogger at level debug) logs every
// step of a sync — the phase and wave, the hook Job it created, the wave it applied, what
// it waits for, what it pruned — with its Environment on every line, and never a Secret's
// value.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesExecutorFactory } from '../../../operator/src/adapters/kubernetes/executor-factory.ts';
import { KeelsonResources } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import type { SyncExecutor } from '../../../operator/src/adapters/kubernetes/sync-executor.ts';
import { JsonLogger } from '../../../operator/src/adapters/log/json-logger.ts';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import type { Operation } from '../../../operator/src/core/sync/operation.ts';
import { nextInventory } from '../../../operator/src/core/sync/prune-set.ts';
import { createTestNamespace, deleteNamespace } from '../../harness/kube.ts';
import { configMap, createEnvironment, hookJob, kc } from './sync-fixtures.ts';

interface Line {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const PASSWORD = 'correct-horse-battery';

/** Steps the operation until it finishes, as the reconciler does over its reconciles. */
async function stepToEnd(executor: SyncExecutor, operation: Operation, desired: KubeObject[]): Promise<Operation> {
  const deadline = Date.now() + 60_000;
  while (operation.phase === 'Running') {
    if (Date.now() > deadline) assert.fail(`the operation did not finish: ${JSON.stringify(operation.tasks)}`);
    const outcome = await executor.step(operation, desired);
    operation = outcome.operation;
    if (outcome.requeueAfterMs > 0) await new Promise((r) => setTimeout(r, 200));
  }
  return operation;
}

describe('sync debug log', () => {
  let ns = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'sync-log');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('logs each step of a sync at debug level, with names and counts but no Secret value', async () => {
    await createEnvironment(ns, 'logged');
    const raw: string[] = [];
    const log = new JsonLogger({ level: 'debug', write: (line) => raw.push(line) });
    const resources = new KeelsonResources(kc);
    const executors = new KubernetesExecutorFactory({ kubeConfig: kc, resources, log });
    try {
      const executor = await executors.executorFor(await resources.getEnvironment(ns, 'logged'));
      const secret: KubeObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: ns },
        stringData: { password: PASSWORD },
      };
      const v1 = [hookJob(ns, 'migrate', { 'keelson.dev/hook': 'PreSync' }), secret, configMap(ns, 'settings')];
      const first = await executor.start({ id: 'logged-1', revision: 'r1', desired: v1, inventory: [], prune: true });
      assert.equal((await stepToEnd(executor, first.operation, v1)).phase, 'Succeeded');
      const v2 = [secret];
      const inventory = nextInventory([], v1, new Set(), new Set());
      const second = await executor.start({ id: 'logged-2', revision: 'r2', desired: v2, inventory, prune: true });
      assert.equal((await stepToEnd(executor, second.operation, v2)).phase, 'Succeeded');

      const lines = raw.map((l) => JSON.parse(l) as Line);
      assert.ok(lines.length > 0, 'debug lines were written');
      for (const line of lines) {
        assert.equal(line.level, 'debug');
        assert.equal(line.environment, `${ns}/logged`, line.msg);
      }
      const find = (msg: string, match: (l: Line) => boolean = () => true) => {
        const found = lines.find((l) => l.msg === msg && match(l));
        assert.ok(found, `no ${msg} line among:\n${raw.join('')}`);
        return found;
      };
      const job = `batch/Job/${ns}/`;
      find('sync step', (l) => l.operation === 'logged-1' && l.phase === 'PreSync' && l.wave === 0);
      find('created a hook object', (l) => String(l.hook).startsWith(`${job}migrate-`) && l.phase === 'PreSync');
      find('waiting', (l) => (l.hooks as string[]).some((h) => h.startsWith(`${job}migrate-`)));
      const applied = find('applied a wave', (l) => l.operation === 'logged-1' && l.phase === 'Sync');
      assert.deepEqual([applied.wave, applied.objects, applied.applied, applied.failed], [0, 2, 2, 0]);
      find('waiting', (l) => (l.health as string[]).includes(`/Secret/${ns}/db`));
      find('waiting', (l) => l.phase === 'Prune' && (l.pruning as string[]).includes(`/ConfigMap/${ns}/settings`));
      find('pruned an object', (l) => l.operation === 'logged-2' && l.object === `/ConfigMap/${ns}/settings`);
      find('sync operation finished', (l) => l.operation === 'logged-2' && l.result === 'Succeeded');

      const printed = raw.join('');
      for (const leak of [PASSWORD, Buffer.from(PASSWORD).toString('base64')])
        assert.ok(!printed.includes(leak), `the debug log shows ${leak}`);
    } finally {
      executors.close();
      resources.close();
    }
  });
});
