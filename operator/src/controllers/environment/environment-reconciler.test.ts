// The Environment reconciler through the one skeleton, against in-memory fakes of its ports
// (the store of Keelson's resources, the artifacts, synthesis, the executor, events): what
// status, conditions, events and requeue each situation leaves. The real parts are tested end
// to end (test/e2e/operator); these pin the decisions, fast and one at a time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { SharedSyncWindow } from '../../core/environment/sync-window-sources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import type { Condition } from '../../core/conditions.ts';
import { FINALIZER } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { KubeApiError } from '../../adapters/kubernetes/api-error.ts';
import { EnvironmentReconciler, StatusNotWritten } from './environment-reconciler.ts';
import type { EnvironmentExecutor } from './ports.ts';

const NS = 'shop';
const REVISION = `main@sha1:${'a'.repeat(40)}`;
const CONFIG_MAP: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: NS } };

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function environment(spec: Partial<EnvironmentResource['spec']> = {}, status?: EnvironmentStatus): EnvironmentResource {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Environment',
    metadata: { namespace: NS, name: 'dev', generation: 1 },
    spec: { sourceRef: { name: 'deploy' }, environment: 'dev', ...spec },
    ...(status ? { status } : {}),
  } as EnvironmentResource;
}

const repository: GitRepositoryResource = {
  apiVersion: 'keelson.dev/v1alpha1',
  kind: 'GitRepository',
  metadata: { namespace: NS, name: 'deploy' },
  spec: { url: 'https://git.example/deploy.git' },
  status: { artifact: { revision: REVISION, commit: 'a'.repeat(40), fetchedAt: '2026-12-02T00:00:00Z' } },
} as GitRepositoryResource;

interface World {
  env: EnvironmentResource | undefined;
  repo: GitRepositoryResource | undefined;
  synthesize: () => Promise<{ environment: string; apps: { name: string; objects: KubeObject[] }[] }>;
  /** The live objects the executor's comparison reports. */
  live: KubeObject[];
  /** The SyncWindow objects of the namespace. */
  syncWindows?: SharedSyncWindow[];
  /** What a status patch throws, if anything. */
  statusError?: unknown;
  /** Each step of an operation leaves it running (a wave waiting on health), back in 500 ms. */
  running?: boolean;
}

/** A reconciler over in-memory fakes; returns it with what it wrote. */
function fixture(world: World) {
  const patches: EnvironmentStatus[] = [];
  const events: string[] = [];
  const calls: string[] = [];
  const executor: EnvironmentExecutor = {
    compareWithCluster: async (desired) => {
      calls.push('compare');
      const liveKeys = new Set(world.live.map((o) => `${o.kind}/${o.metadata.name}`));
      const resources = desired.map((o) => ({
        key: `/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
        status: liveKeys.has(`${o.kind}/${o.metadata.name}`) ? ('Synced' as const) : ('OutOfSync' as const),
        changes: [],
      }));
      const live = new Map(world.live.map((o) => [`/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      return { live, report: { resources, errors: [], dryRuns: 0, found: [] } } as never;
    },
    readInventory: async () => new Map(),
    // Only a deletion plans an operation here: every inventory entry pruned, done in one step.
    start: async (options) => {
      calls.push('start');
      calls.push(`plan prune=${options.prune} of ${options.inventory.join(',')}`);
      const tasks = options.inventory.map((key, i) => ({
        id: `t${i}`,
        key,
        phase: 'Prune',
        wave: 0,
        status: 'Pending' as const,
      }));
      const operation = { id: options.id, phase: 'Running', revision: options.revision, startedAt: 'x', tasks };
      return { operation, prune: { prune: [], kept: [] } } as never;
    },
    step: async (op) => {
      calls.push(`step ${op.id}`);
      const tasks = (op.tasks ?? []).map((t) => ({ ...t, status: 'Succeeded' as const }));
      if (world.running) return { operation: op, done: false, requeueAfterMs: 500, actions: [], resumed: false };
      return {
        operation: { ...op, phase: 'Succeeded', tasks },
        done: true,
        requeueAfterMs: 0,
        actions: [],
        resumed: false,
      };
    },
  };
  const reconciler = new EnvironmentReconciler(
    {
      resources: {
        getEnvironment: async () => world.env ?? Promise.reject(new NotFoundError('no Environment')),
        getGitRepository: async () => world.repo ?? Promise.reject(new NotFoundError('no GitRepository')),
        setEnvironmentFinalizers: async (_ns, _name, finalizers) => {
          calls.push(`finalizers ${JSON.stringify(finalizers)}`);
          world.env = { ...world.env!, metadata: { ...world.env!.metadata, finalizers } };
          return world.env;
        },
        patchEnvironmentStatus: async (_ns, _name, status) => {
          if (world.statusError) throw world.statusError;
          patches.push(status);
          world.env = { ...world.env!, status };
          return world.env;
        },
      },
      artifacts: {
        tree: async () => ({ revision: REVISION, readFile: async () => undefined, readDir: async () => [] }),
      },
      desired: {
        synthesize: () => world.synthesize(),
        chartAccess: async () => undefined,
        resolveSecrets: async (_env, objects) => ({ objects: [...objects], references: 0 }),
        isNamespaced: async () => true,
      },
      executors: {
        executorFor: async () => executor,
        forget: (_ns, name) => void calls.push(`forget ${name}`),
      },
      events: { record: async (_env, type, reason) => void events.push(`${type} ${reason}`) },
      log: quiet,
      clock: () => Date.parse('2026-12-02T10:00:30Z'),
      newOperationId: () => 'op-1',
      redactor: { redactText: (t) => t, redact: (v) => v },
      syncWindows: { list: () => world.syncWindows ?? [] },
    },
    { resyncIntervalMs: 60_000, random: () => 0.5, onForget: (key) => void calls.push(`onForget ${key}`) },
  );
  return { reconciler, patches, events, calls };
}

const condition = (status: EnvironmentStatus | undefined, type: string): Condition | undefined =>
  status?.conditions?.find((c) => c.type === type);

const synthesized = async () => ({ environment: 'dev', apps: [{ name: 'web', objects: [CONFIG_MAP] }] });

describe('EnvironmentReconciler', () => {
  it('waits for a GitRepository that does not exist: SourceReady False, Ready False, back in 30 s', async () => {
    const f = fixture({ env: environment(), repo: undefined, synthesize: synthesized, live: [] });
    const requeue = await f.reconciler.reconcile(`${NS}/dev`);
    assert.deepEqual(requeue, { kind: 'after', delayMs: 30_000 });
    const status = f.patches.at(-1);
    assert.equal(condition(status, 'SourceReady')?.reason, 'SourceNotFound');
    assert.equal(condition(status, 'Ready')?.status, 'False');
    assert.equal(condition(status, 'Stalled'), undefined);
    assert.equal(status?.observedGeneration, 1);
  });

  it('stalls on a synthesis failure, naming it, and compares nothing', async () => {
    const failing = async () => Promise.reject(new SynthesisError('BuildFailed', 'main.ts:3: boom', 'main.ts'));
    const f = fixture({ env: environment(), repo: repository, synthesize: failing, live: [] });
    await f.reconciler.reconcile(`${NS}/dev`);
    const status = f.patches.at(-1);
    assert.equal(condition(status, 'Synthesized')?.reason, 'SynthesisFailed');
    assert.equal(condition(status, 'Stalled')?.status, 'True');
    assert.match(condition(status, 'Ready')?.message ?? '', /main\.ts:3: boom/);
    assert.ok(!f.calls.includes('compare'));
  });

  it('in sync and healthy: Ready True, Synced True; a second reconcile that finds the same writes nothing', async () => {
    const live = [{ ...CONFIG_MAP, metadata: { ...CONFIG_MAP.metadata, labels: {} } }];
    const world = { env: environment(), repo: repository, synthesize: synthesized, live };
    const f = fixture(world);
    const requeue = await f.reconciler.reconcile(`${NS}/dev`);
    assert.equal(requeue.kind, 'after');
    const status = f.patches.at(-1);
    assert.equal(condition(status, 'Synced')?.status, 'True');
    assert.equal(condition(status, 'Ready')?.status, 'True', JSON.stringify(status?.conditions));
    assert.equal(status?.sync?.revision, REVISION);
    await f.reconciler.reconcile(`${NS}/dev`);
    assert.equal(f.patches.length, 1, 'an unchanged status is not written again');
  });

  it('a sync left running comes back in the high lane, ahead of work not begun; a finished one does not', async () => {
    const automated = environment({ sync: { automated: {} } });
    const running = fixture({ env: automated, repo: repository, synthesize: synthesized, live: [], running: true });
    assert.deepEqual(await running.reconciler.reconcile(`${NS}/dev`), { kind: 'after', delayMs: 500, lane: 'high' });
    assert.ok(running.calls.includes('start'));
    const finished = fixture({ env: automated, repo: repository, synthesize: synthesized, live: [] });
    const requeue = await finished.reconciler.reconcile(`${NS}/dev`);
    assert.ok(finished.calls.includes('start'));
    assert.ok(requeue.kind === 'after' && requeue.lane === undefined, JSON.stringify(requeue));
  });

  it('manual policy and out of sync: no sync starts, and Synced says it waits for a request', async () => {
    const f = fixture({ env: environment(), repo: repository, synthesize: synthesized, live: [] });
    await f.reconciler.reconcile(`${NS}/dev`);
    assert.ok(!f.calls.includes('start'));
    const synced = condition(f.patches.at(-1), 'Synced');
    assert.equal(synced?.reason, 'OutOfSync');
    assert.match(synced?.message ?? '', /manual sync policy: waiting for a sync request/);
  });

  it('a deny SyncWindow holds an automated sync, refuses a request, and requeues when it closes', async () => {
    const freeze: SharedSyncWindow = {
      metadata: { namespace: NS, name: 'freeze' },
      spec: { kind: 'deny', schedule: '0 10 * * *', duration: '1m' },
    };
    const env = environment({ sync: { automated: {} } });
    env.metadata.annotations = { 'keelson.dev/sync-requested-at': '2026-12-02T10:00:20Z' };
    const f = fixture({ env, repo: repository, synthesize: synthesized, live: [], syncWindows: [freeze] });
    assert.deepEqual(await f.reconciler.reconcile(`${NS}/dev`), { kind: 'after', delayMs: 30_000 });
    assert.ok(!f.calls.includes('start'), 'no sync started');
    const status = f.patches.at(-1);
    assert.deepEqual(status?.syncWindow, {
      allowed: false,
      manualSyncAllowed: false,
      reason: 'deny window SyncWindow/freeze is open',
      activeWindows: ['SyncWindow/freeze'],
      nextChange: '2026-12-02T10:01:00.000Z',
      refusedSyncAt: '2026-12-02T10:00:20Z',
    });
    assert.equal(status?.lastHandledSyncAt, '2026-12-02T10:00:20Z');
    assert.deepEqual(f.events, ['Warning SyncWindowClosed']);
    assert.match(condition(status, 'Synced')?.message ?? '', /sync window closed: deny window SyncWindow\/freeze/);
  });

  it('suspended: Ready False Suspended, written once, nothing compared, no requeue', async () => {
    const f = fixture({ env: environment({ suspend: true }), repo: repository, synthesize: synthesized, live: [] });
    assert.deepEqual(await f.reconciler.reconcile(`${NS}/dev`), { kind: 'done' });
    assert.equal(condition(f.patches.at(-1), 'Ready')?.reason, 'Suspended');
    assert.deepEqual(f.calls, []);
  });

  it('keeps a finalizer only for deletionPolicy Delete; on deletion prunes the inventory, then forgets', async () => {
    const world: World = {
      env: environment({ deletionPolicy: 'Delete' }, { inventory: ['v1/ConfigMap/shop/web'] }),
      repo: repository,
      synthesize: synthesized,
      live: [CONFIG_MAP],
    };
    const f = fixture(world);
    await f.reconciler.reconcile(`${NS}/dev`);
    assert.ok(f.calls.includes(`finalizers ${JSON.stringify([FINALIZER])}`), f.calls.join('; '));
    world.env = {
      ...world.env!,
      metadata: { ...world.env!.metadata, deletionTimestamp: new Date('2026-12-02T10:00:00Z') },
    };
    assert.deepEqual(await f.reconciler.reconcile(`${NS}/dev`), { kind: 'done' });
    assert.deepEqual(f.calls.slice(-6), [
      'start',
      'plan prune=true of v1/ConfigMap/shop/web',
      'step op-1',
      'finalizers []',
      'forget dev',
      `onForget ${NS}/dev`,
    ]);
  });

  it('an Environment that is gone is forgotten, with nothing written', async () => {
    const f = fixture({ env: undefined, repo: repository, synthesize: synthesized, live: [] });
    assert.deepEqual(await f.reconciler.reconcile(`${NS}/dev`), { kind: 'done' });
    assert.deepEqual(f.calls, ['forget dev', `onForget ${NS}/dev`]);
    assert.equal(f.patches.length, 0);
  });

  it('backs off when the API server is busy or gone for the status, not when it refuses the status', async () => {
    for (const [error, retried] of [
      [new KubeApiError(429, 'TooManyRequests', 'Too many requests'), true],
      [new KubeApiError(503, 'ServiceUnavailable', 'unavailable'), true],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
      [new KubeApiError(422, 'Invalid', 'status.sync.status: Unsupported value'), false],
    ] as const) {
      const f = fixture({
        env: environment(),
        repo: repository,
        synthesize: synthesized,
        live: [],
        statusError: error,
      });
      const reconcile = f.reconciler.reconcile(`${NS}/dev`);
      if (retried) await assert.rejects(reconcile, StatusNotWritten, error.message);
      else await reconcile;
    }
  });
});
