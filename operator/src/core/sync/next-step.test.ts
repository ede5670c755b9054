// The step function driven over several steps with made-up observations: what the cluster
// would show after each step is written down by the test, and the actions are asserted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf } from '../manifest.ts';
import { nextStep, type StepInput } from './next-step.ts';
import { recordResults, startOperation, type ActionResult, type Operation, type SyncAction } from './operation.ts';
import { planSync } from './plan-sync.ts';
import { withOwnership } from './ownership.ts';

const owner = { name: 'prod', namespace: 'keelson' };
const options = { operationTimeoutMs: 600_000, hookTimeoutMs: 60_000, pollMs: 2000 };
const T0 = Date.parse('2026-01-01T00:00:00Z');

const deployment = (name: string, wave = 0): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', annotations: { 'keelson.dev/sync-wave': String(wave) } },
  spec: { replicas: 1 },
});
const hookJob = (name: string, phase: string, policy?: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: 'shop',
    annotations: { 'keelson.dev/hook': phase, ...(policy ? { 'keelson.dev/hook-delete-policy': policy } : {}) },
  },
  spec: {},
});
const available = (d: KubeObject): KubeObject => ({
  ...d,
  status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
});
const rolling = (d: KubeObject): KubeObject => ({
  ...d,
  status: { replicas: 1, updatedReplicas: 0, availableReplicas: 0 },
});
const jobWith = (name: string, type: 'Complete' | 'Failed'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'shop' },
  status: { conditions: [{ type, status: 'True' }] },
});

/** A run of one operation: the test plays the cluster and the executor. */
class Run {
  op: Operation;
  readonly desired: Map<string, KubeObject>;
  live = new Map<string, KubeObject>();
  now = T0;
  constructor(objects: KubeObject[], prune: KubeObject[] = []) {
    this.desired = new Map(objects.map((o) => [formatKey(keyOf(o)), o]));
    this.op = startOperation({
      id: 'op-1',
      revision: 'main@sha1:abc',
      plan: planSync({ desired: objects, prune }),
      now: this.now,
    });
  }
  input(): StepInput {
    return { now: this.now, desired: this.desired, live: this.live, owner, options };
  }
  /** One step; every action succeeds unless `fail` names its task or type. */
  step(fail: Record<string, string> = {}): readonly SyncAction[] {
    const { operation, actions } = nextStep(this.op, this.input());
    const results: ActionResult[] = [];
    for (const a of actions) {
      if (a.type === 'apply')
        for (const t of a.tasks)
          results.push({ type: 'apply', taskId: t.taskId, ...(fail[t.taskId] ? { error: fail[t.taskId] } : {}) });
      else if (a.type === 'validate')
        results.push({ type: 'validate', ...(fail.validate ? { error: fail.validate } : {}) });
      else if (a.type !== 'wait') results.push({ type: a.type, taskId: a.taskId });
    }
    this.op = recordResults(operation, results);
    return actions;
  }
  hookName(phase: string, name: string): string {
    return this.op.tasks!.find((t) => t.phase === phase && t.key.endsWith(`/${name}`))!.hookName!;
  }
  show(obj: KubeObject): void {
    this.live.set(formatKey(keyOf(obj)), obj);
  }
}

function kinds(actions: readonly SyncAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'apply':
        return `apply ${a.tasks.map((t) => t.object.metadata.name).join(',')}`;
      case 'wait':
        return 'wait';
      case 'validate':
        return 'validate';
      case 'createHook':
        return `createHook ${a.object.metadata.name}`;
      default:
        return `${a.type} ${a.ref.key.name}`;
    }
  });
}

describe('nextStep', () => {
  it('validates every object with a dry-run before applying anything', () => {
    const run = new Run([deployment('web')]);
    const actions = run.step();
    assert.deepEqual(
      actions.map((a) => a.type),
      ['validate'],
    );
    const validate = actions[0] as Extract<SyncAction, { type: 'validate' }>;
    assert.equal(validate.objects[0]!.metadata.labels!['keelson.dev/environment'], 'prod');
    assert.equal(validate.objects[0]!.metadata.annotations!['keelson.dev/owner'], 'keelson/prod');
  });

  it('a failed dry-run applies nothing and fails the operation with the reason', () => {
    const run = new Run([deployment('web')]);
    run.step({ validate: 'Deployment shop/web: spec.replicas: Invalid value' });
    const actions = run.step();
    assert.deepEqual(actions, []);
    assert.equal(run.op.phase, 'Failed');
    assert.match(run.op.message!, /dry-run failed, nothing was applied: Deployment shop\/web/);
    assert.equal(run.op.tasks![0]!.status, 'Skipped');
  });

  it('waits for a wave to be healthy before applying the next', () => {
    const run = new Run([deployment('db', 0), deployment('web', 1)]);
    run.step();
    assert.deepEqual(kinds(run.step()), ['apply db', 'wait']);
    run.show(rolling(deployment('db')));
    const waiting = run.step();
    assert.deepEqual(kinds(waiting), ['wait']);
    assert.match((waiting[0] as { reason: string }).reason, /Deployment shop\/db is Progressing/);
    run.show(available(deployment('db')));
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
    run.show(available(deployment('web')));
    assert.deepEqual(run.step(), []);
    assert.equal(run.op.phase, 'Succeeded');
    assert.ok(run.op.tasks!.every((t) => t.status === 'Succeeded'));
  });

  it('runs PreSync hooks before the resources and PostSync hooks after they are healthy', () => {
    const run = new Run([
      deployment('web'),
      hookJob('migrate', 'PreSync'),
      hookJob('smoke', 'PostSync', 'HookSucceeded'),
    ]);
    run.step();
    const pre = run.step();
    assert.deepEqual(kinds(pre), [`createHook ${run.hookName('PreSync', 'migrate')}`, 'wait']);
    assert.equal((pre[0] as { deleteBefore: boolean }).deleteBefore, true, 'BeforeHookCreation is the default');
    run.show({ ...jobWith(run.hookName('PreSync', 'migrate'), 'Complete'), status: { active: 1 } });
    assert.deepEqual(kinds(run.step()), ['wait'], 'the hook Job has not finished');
    run.show(jobWith(run.hookName('PreSync', 'migrate'), 'Complete'));
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
    run.show(available(deployment('web')));
    assert.deepEqual(kinds(run.step()), [`createHook ${run.hookName('PostSync', 'smoke')}`, 'wait']);
    run.show(jobWith(run.hookName('PostSync', 'smoke'), 'Complete'));
    assert.deepEqual(
      kinds(run.step()),
      [`deleteHook ${run.hookName('PostSync', 'smoke')}`],
      'HookSucceeded deletes the hook',
    );
    assert.equal(run.op.phase, 'Succeeded');
  });

  it('PreSync hook failure runs SyncFail hooks and marks the operation Failed', () => {
    const run = new Run([deployment('web'), hookJob('migrate', 'PreSync', 'HookFailed'), hookJob('page', 'SyncFail')]);
    run.step();
    run.step();
    run.show(jobWith(run.hookName('PreSync', 'migrate'), 'Failed'));
    const failing = run.step();
    assert.deepEqual(kinds(failing), [
      `deleteHook ${run.hookName('PreSync', 'migrate')}`,
      `createHook ${run.hookName('SyncFail', 'page')}`,
      'wait',
    ]);
    assert.equal(run.op.phase, 'Running', 'still running the SyncFail hooks');
    assert.equal(
      run.op.tasks!.find((t) => t.key.endsWith('/web'))!.status,
      'Skipped',
      'the Deployment is never applied',
    );
    run.show(jobWith(run.hookName('SyncFail', 'page'), 'Complete'));
    assert.deepEqual(run.step(), []);
    assert.equal(run.op.phase, 'Failed');
    assert.match(run.op.message!, /PreSync Job shop\/migrate .*the Job failed/);
  });

  it('a failed apply stops the operation before the next wave', () => {
    const run = new Run([deployment('db', 0), deployment('web', 1)]);
    run.step();
    run.step({ 'Sync:apps/Deployment/shop/db': 'admission webhook denied the request' });
    assert.deepEqual(run.step(), []);
    assert.equal(run.op.phase, 'Failed');
    assert.match(run.op.message!, /admission webhook denied/);
  });

  it('a hook that runs past its timeout fails the operation', () => {
    const run = new Run([hookJob('migrate', 'PreSync'), deployment('web')]);
    run.step();
    run.step();
    run.show({ ...jobWith(run.hookName('PreSync', 'migrate'), 'Complete'), status: { active: 1 } });
    run.now += options.hookTimeoutMs + 1;
    run.step();
    assert.equal(run.op.phase, 'Failed');
    assert.match(run.op.message!, /did not finish within 60 s/);
  });

  it('an operation past its timeout fails with the reason', () => {
    const run = new Run([deployment('web')]);
    run.step();
    run.step();
    run.now += options.operationTimeoutMs + 1;
    run.step();
    assert.equal(run.op.phase, 'Failed');
    assert.match(run.op.message!, /operation did not finish within 600 s/);
  });

  it('a restart in the middle resumes from the persisted state without re-running a hook', () => {
    const run = new Run([hookJob('migrate', 'PreSync'), deployment('db', 0), deployment('web', 1)]);
    run.step();
    run.step(); // hook created
    const persisted = JSON.parse(JSON.stringify(run.op)) as Operation;
    const resumed = new Run([hookJob('migrate', 'PreSync'), deployment('db', 0), deployment('web', 1)]);
    resumed.op = persisted;
    resumed.show(jobWith(run.hookName('PreSync', 'migrate'), 'Complete'));
    assert.deepEqual(
      kinds(resumed.step()),
      ['apply db', 'wait'],
      'the hook found by its deterministic name is not created again',
    );
  });

  it('a restart between persisting and applying applies again instead of trusting the old object', () => {
    const run = new Run([deployment('web')]);
    run.step();
    const { operation } = nextStep(run.op, run.input()); // persisted with the task Running, then the operator died
    run.op = operation;
    run.show(available(deployment('web'))); // the previous revision's Deployment, healthy
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
  });

  it('prunes after the Sync phase and before PostSync hooks', () => {
    const old: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'shop' } };
    const run = new Run([deployment('web'), hookJob('smoke', 'PostSync')], [old]);
    run.step();
    run.step();
    run.show(available(deployment('web')));
    assert.deepEqual(kinds(run.step()), ['prune old', 'wait']);
    assert.deepEqual(kinds(run.step()), [`createHook ${run.hookName('PostSync', 'smoke')}`, 'wait']);
  });

  it('a hook object deleted while it runs is created again under the same name', () => {
    const run = new Run([hookJob('migrate', 'PreSync')]);
    run.step();
    const first = run.step();
    run.step();
    assert.deepEqual(kinds(run.step()), kinds(first));
  });

  it('applies a CRD, and waits until it is Established, before its custom resources in the same wave', () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget' } },
    };
    const widget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop' },
    };
    const run = new Run([widget, crd]);
    run.step();
    assert.deepEqual(kinds(run.step()), ['apply widgets.example.com', 'wait']);
    run.show({ ...crd, status: { conditions: [{ type: 'Established', status: 'False' }] } });
    assert.deepEqual(kinds(run.step()), ['wait'], 'the CRD is not Established yet');
    run.show({ ...crd, status: { conditions: [{ type: 'Established', status: 'True' }] } });
    assert.deepEqual(kinds(run.step()), ['apply w', 'wait']);
  });

  it('applies a Namespace before what lives in it in the same wave', () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const run = new Run([deployment('web'), namespace]);
    run.step();
    assert.deepEqual(kinds(run.step()), ['apply shop', 'wait']);
    run.show({ ...namespace, status: { phase: 'Active' } });
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
  });

  it('runs a Sync hook once the resources of its wave are healthy', () => {
    const run = new Run([deployment('web'), hookJob('seed', 'Sync')]);
    run.step();
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
    run.show(rolling(deployment('web')));
    assert.deepEqual(kinds(run.step()), ['wait']);
    run.show(available(deployment('web')));
    assert.deepEqual(kinds(run.step()), [`createHook ${run.hookName('Sync', 'seed')}`, 'wait']);
  });

  it('a resource deleted after it was applied is applied again', () => {
    const run = new Run([deployment('web')]);
    run.step();
    run.step();
    run.step(); // nothing in the cluster: gone
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
  });

  it('a finished resource task says it is Healthy, not what it waited for', () => {
    const run = new Run([deployment('web')]);
    run.step();
    run.step();
    run.show(rolling(deployment('web')));
    run.step();
    run.show(available(deployment('web')));
    run.step();
    assert.equal(run.op.tasks![0]!.message, 'Healthy');
  });

  it('a finished operation asks for nothing', () => {
    const run = new Run([]);
    run.step();
    run.step();
    assert.equal(run.op.phase, 'Succeeded');
    assert.deepEqual(run.step(), []);
  });
});

describe('operation messages', () => {
  it('a failure longer than the status schema allows is clipped, not rejected by the API server', () => {
    const run = new Run([deployment('web')]);
    run.step({ validate: 'x'.repeat(100_000) });
    run.step();
    assert.equal(run.op.phase, 'Failed');
    assert.ok(run.op.message!.length <= 32768, `message of ${run.op.message!.length} characters`);
    assert.ok(run.op.failure!.length <= 32768);
  });

  it('counts every resource it applied, a Namespace raised to PreSync too', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const run = new Run([ns, deployment('web'), hookJob('migrate', 'PreSync')]);
    for (let i = 0; i < 12 && run.op.phase === 'Running'; i++) {
      run.step();
      run.show(ns);
      run.show(available(deployment('web')));
      const hook = run.op.tasks!.find((t) => t.hookName);
      if (hook?.applied) run.show(jobWith(hook.hookName!, 'Complete'));
    }
    assert.equal(run.op.tasks!.find((t) => t.key === '/Namespace//shop')!.phase, 'PreSync');
    assert.equal(run.op.phase, 'Succeeded');
    assert.match(run.op.message!, /^synced 2 resources at /);
  });

  it('a prune that left its object in place skips the task, says why, and does not count it as pruned', () => {
    const gone = withOwnership(deployment('old'), owner);
    const run = new Run([deployment('web')], [gone]);
    for (let i = 0; i < 10 && run.op.phase === 'Running'; i++) {
      const { operation, actions } = nextStep(run.op, run.input());
      const results: ActionResult[] = [];
      for (const a of actions) {
        if (a.type === 'apply') for (const t of a.tasks) results.push({ type: 'apply', taskId: t.taskId });
        else if (a.type === 'validate') results.push({ type: 'validate' });
        else if (a.type === 'prune')
          results.push({
            type: 'prune',
            taskId: a.taskId,
            retained: { reason: 'NotOwned', message: 'Deployment shop/old is not owned by this Environment' },
          });
      }
      run.op = recordResults(operation, results);
      run.show(available(deployment('web')));
    }
    const prune = run.op.tasks!.find((t) => t.phase === 'Prune')!;
    assert.equal(prune.status, 'Skipped');
    assert.equal(prune.retained, 'NotOwned');
    assert.match(prune.message!, /^left in place: Deployment shop\/old is not owned/);
    assert.match(run.op.message!, /^synced 1 resources, left 1 in place at /);
  });

  it('waits for an object it applied while it was being deleted to be gone, then applies it again', () => {
    const run = new Run([deployment('web')]);
    run.step(); // validate
    run.step(); // apply
    run.show({
      ...available(deployment('web')),
      metadata: { ...deployment('web').metadata, deletionTimestamp: '2026-01-01T00:00:01Z' },
    });
    assert.deepEqual(kinds(run.step()), ['wait']);
    assert.match(run.op.message!, /is being deleted; re-applying it once it is gone/);
    run.live.clear();
    run.step(); // gone: Missing, so applied again at the next step
    assert.deepEqual(kinds(run.step()), ['apply web', 'wait']);
  });
});
