// Resource actions against the real control plane, through the operator's REST API (bearer
// tokens of ServiceAccounts, RBAC verb `action`) and the CLI: a restart writes kubectl's
// restartedAt annotation and the Deployment rolls out a new ReplicaSet; a scale of a
// Deployment whose deploy repo leaves replicas unset stays; neither is undone by self-heal,
// because the action's field manager is `keelson-action`, not `keelson`. A scale of a
// Deployment whose deploy repo sets spec.replicas is drift on a field Keelson manages, and
// self-heal puts it back (as Argo CD does). CronJob suspend and resume; retry of a failed
// hook syncs the failed revision again. Objects the Environment does not manage are 404,
// actions that do not apply to the kind 400, callers without the verb 403; every action
// leaves an ActionRun Event on the Environment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';
import { serviceAccountWith } from '../ui/ui-fixtures.ts';

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

const deployRepo = {
  'main.ts': `import { ApiObject } from 'cdk8s';
import { App, Hook, defineEnvironments } from '@keelson/cdk8s-app';

const web = (scope: any, replicas?: number) => new ApiObject(scope, 'web', {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } } },
} as any);

class Web extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    web(this);
    new ApiObject(this, 'nightly', {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'registry.example/job:1' }] } } } } },
    } as any);
  }
}

class Pinned extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    web(this, 2);
  }
}

class Hooked extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
    Hook.mark(new ApiObject(this, 'migrate', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' },
      spec: { backoffLimit: 0, template: { metadata: { annotations: { 'test.keelson.dev/outcome': 'fail' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/migrate:1' }] } } },
    }), { phase: 'PreSync' });
  }
}

export default defineEnvironments({
  web: (env) => { new Web(env, 'web'); },
  pinned: (env) => { new Pinned(env, 'pinned'); },
  hooks: (env) => { new Hooked(env, 'hooks'); },
});
`,
};

const cli = runKeelson;

describe('resource actions', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  const tokens: Record<string, string> = {};
  const selfHeal = { sync: { automated: { prune: true, selfHeal: true } } };

  /** POST …/environments/<env>/actions as `user`. */
  const act = async (user: string, env: string, body: Record<string, unknown>) => {
    const res = await fetch(
      `http://127.0.0.1:${operator.apiPort}/api/v1/namespaces/${story.ns}/environments/${env}/actions`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const deployment = (env: string) => apps.readNamespacedDeployment({ name: 'web', namespace: story.targets[env]! });
  const synced = (env: string) =>
    story.until(
      env,
      `${env} Synced and Healthy`,
      (e) => e.status?.sync?.status === 'Synced' && e.status.health?.status === 'Healthy',
    );
  /** Holds for `ms`: the Environment stays Synced, no self-heal starts after `since`, and `check` holds. */
  const stays = async (env: string, since: string, check: (d: k8s.V1Deployment) => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const e = await story.environment(env);
      assert.equal(e.status?.sync?.status, 'Synced', `${env} stayed Synced`);
      const op = e.status?.operation;
      assert.ok(!(op?.selfHeal && op.startedAt >= since), `no self-heal after the action: ${JSON.stringify(op)}`);
      assert.ok(check(await deployment(env)), 'the action stays in place');
      await sleep(1000);
    }
  };

  before(async () => {
    await story.setUp({
      prefix: 'actions',
      files: deployRepo,
      environments: { web: selfHeal, pinned: selfHeal, hooks: {} },
    });
    const envs = (verbs: string[]) => ({ apiGroups: ['keelson.dev'], resources: ['environments'], verbs });
    tokens.viewer = await serviceAccountWith(kc, story.ns, 'viewer', [envs(['get', 'list'])]);
    tokens.operator = await serviceAccountWith(kc, story.ns, 'actor', [envs(['get', 'list', 'action'])]);
    operator = await story.startOperator();
    await Promise.all([synced('web'), synced('pinned')]);
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
  });

  it('restart writes the restartedAt annotation as keelson-action, rolls out a new ReplicaSet, and self-heal keeps it', async () => {
    const before = await deployment('web');
    const since = new Date().toISOString();
    const r = await act('operator', 'web', { action: 'restart', kind: 'Deployment', name: 'web' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.target, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: story.targets.web,
      name: 'web',
    });
    const after = await deployment('web');
    const restartedAt = after.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    assert.match(restartedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(
      after.metadata?.managedFields?.some((m) => m.manager === 'keelson-action'),
      'written as keelson-action',
    );
    assert.notEqual(after.metadata?.generation, before.metadata?.generation);
    await eventually(
      async () =>
        (await apps.listNamespacedReplicaSet({ namespace: story.targets.web!, labelSelector: 'app=web' })).items
          .length >= 2,
      { timeoutMs: 30_000, message: 'a second ReplicaSet rolled out' },
    );
    await stays('web', since, (d) => d.spec?.template.metadata?.annotations?.[RESTARTED_AT] === restartedAt);
  });

  it('scale of a Deployment whose deploy repo leaves replicas unset stays', async () => {
    const since = new Date().toISOString();
    const r = await act('operator', 'web', { action: 'scale', kind: 'Deployment', name: 'web', replicas: 3 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal((await deployment('web')).spec?.replicas, 3);
    await stays('web', since, (d) => d.spec?.replicas === 3);
  });

  it('scale of a Deployment whose deploy repo sets replicas is drift: self-heal puts it back', async () => {
    const since = new Date().toISOString();
    const r = await act('operator', 'pinned', { action: 'scale', kind: 'Deployment', name: 'web', replicas: 5 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await eventually(async () => (await deployment('pinned')).spec?.replicas === 2, {
      timeoutMs: 60_000,
      message: 'self-heal reverted spec.replicas to the deploy repo’s 2',
    });
    const env = await synced('pinned');
    assert.ok(env.status?.operation?.selfHeal && env.status.operation.startedAt >= since, 'a self-heal ran');
  });

  it('suspends and resumes a CronJob', async () => {
    const cronJob = () => batch.readNamespacedCronJob({ name: 'nightly', namespace: story.targets.web! });
    const since = new Date().toISOString();
    assert.equal((await act('operator', 'web', { action: 'suspend', kind: 'CronJob', name: 'nightly' })).status, 200);
    assert.equal((await cronJob()).spec?.suspend, true);
    await sleep(3000);
    assert.equal((await cronJob()).spec?.suspend, true, 'self-heal kept it suspended');
    const env = await story.environment('web');
    assert.equal(env.status?.sync?.status, 'Synced');
    assert.ok(!(env.status?.operation?.selfHeal && env.status.operation.startedAt >= since), 'no self-heal');
    assert.equal((await act('operator', 'web', { action: 'resume', kind: 'CronJob', name: 'nightly' })).status, 200);
    assert.equal((await cronJob()).spec?.suspend, false);
  });

  it('refuses callers without verb action (403), objects not managed (404), kinds an action does not apply to (400)', async () => {
    const denied = await act('viewer', 'web', { action: 'restart', kind: 'Deployment', name: 'web' });
    assert.equal(denied.status, 403);
    assert.match(String(denied.json.error), /may not action environments web/);
    const absent = await act('operator', 'web', { action: 'restart', kind: 'Deployment', name: 'absent' });
    assert.equal(absent.status, 404);
    assert.match(String(absent.json.error), /does not manage Deployment absent/);
    const wrongKind = await act('operator', 'web', { action: 'restart', kind: 'CronJob', name: 'nightly' });
    assert.equal(wrongKind.status, 400);
    assert.match(String(wrongKind.json.error), /restart applies to Deployment, StatefulSet and DaemonSet/);
    const noCount = await act('operator', 'web', { action: 'scale', kind: 'Deployment', name: 'web' });
    assert.equal(noCount.status, 400);
  });

  it('retry of a failed hook syncs the failed revision again', async () => {
    const first = await cli('sync', 'hooks', '-n', story.ns, '--wait', '--timeout', '90s');
    assert.equal(first.code, 1, first.out);
    const failed = (await story.environment('hooks')).status!.operation!;
    assert.equal(failed.phase, 'Failed');
    const r = await act('operator', 'hooks', { action: 'retry', kind: 'Job', name: 'migrate' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const again = await story.until(
      'hooks',
      'a new operation of the same revision failed on its hook again',
      (e) => e.status?.operation?.id !== failed.id && e.status?.operation?.phase === 'Failed',
    );
    assert.equal(again.status!.operation!.revision, failed.revision);
    assert.equal(again.status!.operation!.initiatedBy?.username, `system:serviceaccount:${story.ns}:actor`);
    const hookJobs = await batch.listNamespacedJob({
      namespace: story.targets.hooks!,
      labelSelector: 'keelson.dev/hook-of=migrate',
    });
    const hookOf = (op: typeof failed) => op.tasks?.find((t) => t.hookName)?.hookName;
    const newHook = hookOf(again.status!.operation!);
    assert.ok(newHook && newHook !== hookOf(failed), `a new hook Job: ${newHook}`);
    assert.ok(
      hookJobs.items.some((j) => j.metadata?.name === newHook),
      `the hook ran again: ${hookJobs.items.map((j) => j.metadata?.name).join(', ')}`,
    );
    const notFailed = await act('operator', 'web', { action: 'retry', kind: 'Job', name: 'migrate' });
    assert.equal(notFailed.status, 404);
  });

  it('the CLI verb acts with the kubeconfig and records the Event', async () => {
    const ok = await cli('action', 'web', 'Deployment/web', 'scale', '--replicas', '4', '-n', story.ns);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /scale of Deployment .*\/web to 4 replicas by /);
    assert.equal((await deployment('web')).spec?.replicas, 4);
    const missing = await cli('action', 'web', 'Deployment/absent', 'restart', '-n', story.ns);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /does not manage Deployment absent/);
    const usage = await cli('action', 'web', 'Deployment/web', 'suspend', '-n', story.ns);
    assert.equal(usage.code, 2);
    const events = await eventually(
      async () => {
        const list = await core.listNamespacedEvent({
          namespace: story.ns,
          fieldSelector: 'involvedObject.kind=Environment,involvedObject.name=web',
        });
        const runs = list.items.filter((e) => e.reason === 'ActionRun').map((e) => e.message ?? '');
        return runs.length >= 5 ? runs : undefined;
      },
      { timeoutMs: 10_000, message: 'ActionRun Events on the Environment' },
    );
    assert.ok(
      events.some((m) => /^restart of Deployment .*\/web by system:serviceaccount:.*:actor$/.test(m)),
      events.join('\n'),
    );
  });
});
