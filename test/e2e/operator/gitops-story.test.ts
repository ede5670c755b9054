// The story teams run today, end to end, with the operator as its own process from the
// runtime tree: the example deploy repo with `dev` (automated, prune, selfHeal) and `prod`
// (manual), a real Git server, a real pass store, the real control plane. Each case asks for the
// point of the story it needs, so it runs alone or in any order; in this order one story serves all.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { exampleFiles } from '../../harness/example-deploy-repo.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { secretValuesOf } from '../../harness/pass-store.ts';
import { StoryPoints } from '../../harness/story-points.ts';
import { commitOf, Story } from '../../harness/story.ts';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
let story: Story;
let operator: OperatorProcess;
const cliOutput: string[] = [];
let files: Record<string, string>;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const result = await runKeelson(...args);
  cliOutput.push(result.out);
  return result;
}

function withImage(env: 'dev' | 'prod', app: string, image: string): string {
  const images = JSON.parse(files['images.json']!) as Record<string, Record<string, string>>;
  images[env]![app] = image;
  files['images.json'] = JSON.stringify(images, null, 2) + '\n';
  return files['images.json'];
}

async function image(ns: string, name: string): Promise<string | undefined> {
  const d = await apps.readNamespacedDeployment({ name, namespace: ns });
  return d.spec?.template.spec?.containers[0]?.image;
}

const synced = (commit?: string) => (e: EnvironmentResource) =>
  e.status?.sync?.status === 'Synced' &&
  e.status?.health?.status === 'Healthy' &&
  e.status?.operation?.phase === 'Succeeded' &&
  e.status.history?.[0]?.operationId === e.status.operation.id &&
  (commit === undefined || commitOf(e.status.operation.revision) === commit);

const prodOutOfSync = (e: EnvironmentResource) => e.status?.sync?.status === 'OutOfSync';
const syncProd = () => cli('sync', 'prod', '-n', story.ns, '--wait', '--timeout', '120s');

/** Commits api 1.4.4 for prod and waits until prod reports OutOfSync at that commit. */
async function newProdTag() {
  const commit = await story.repo.commit(
    { 'images.json': withImage('prod', 'api', 'ghcr.io/acme/shop-api:1.4.4') },
    'api 1.4.4 to prod',
  );
  await story.refresh();
  return story.until(
    'prod',
    'prod OutOfSync at the new commit',
    (e) => prodOutOfSync(e) && commitOf(e.status?.sync?.revision) === commit,
  );
}

/** `keelson diff prod` through the operator's API, as a ServiceAccount that may only read. */
async function diffProd(): Promise<{ code: number; out: string }> {
  const server = `http://127.0.0.1:${operator.apiPort}`;
  return cli('diff', 'prod', '-n', story.ns, '--server', server, '--token', await story.viewerToken());
}

const succeeds = (r: Promise<{ code: number; out: string }>) => r.then(({ code, out }) => assert.equal(code, 0, out));

// The story's points, in order. Spent 'dev': a new commit or a hand edit since dev's first sync.
const points = new StoryPoints(
  [
    {
      name: 'dev synced, prod waiting',
      reach: async () => {
        files = exampleFiles();
        story = new Story(kc);
        await story.setUp({
          prefix: 'story',
          files,
          passStore: true,
          environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } }, prod: {} },
        });
        operator = await story.startOperator();
        await story.until('dev', 'dev Synced, Healthy, operation Succeeded', synced());
        await story.until('prod', 'prod compared and OutOfSync', prodOutOfSync);
      },
    },
    {
      name: 'prod synced',
      reach: async () => {
        await succeeds(syncProd());
        await story.until('prod', 'prod synced', synced());
      },
    },
    {
      name: 'prod at api 1.4.4',
      reach: async () => {
        await newProdTag();
        await succeeds(syncProd());
        await story.until('prod', 'prod synced at api 1.4.4', synced());
      },
      spends: ['dev'],
    },
    {
      name: 'prod rolled back',
      reach: () => succeeds(cli('rollback', 'prod', '-n', story.ns, '--wait', '--timeout', '120s')),
    },
  ] as const,
  async () => {
    await operator?.stop();
    await story?.tearDown();
  },
);

describe('the GitOps story: dev follows every commit, prod waits for a person', () => {
  afterEach((t) => points.done((t as { passed?: boolean }).passed === true));
  after(() => points.close());

  it('syncs dev by itself, with its secrets from pass, while prod only reports OutOfSync', async () => {
    await points.at('dev synced, prod waiting', { unspent: ['dev'] });
    const dev = await story.until('dev', 'dev Synced, Healthy, operation Succeeded', synced());
    assert.equal(dev.status?.history?.length, 1);
    assert.deepEqual(dev.status?.history?.[0]?.initiatedBy, { automated: true });
    const secret = await core.readNamespacedSecret({ name: 'api-db', namespace: story.targets.dev! });
    assert.equal(
      Buffer.from(secret.data!.password!, 'base64').toString(),
      story.store!.entries['dev/db']!.split('\n')[0],
      'the Secret holds the value from pass',
    );
    const prod = await story.until(
      'prod',
      'prod compared and OutOfSync',
      (e) => e.status?.sync?.status === 'OutOfSync',
    );
    assert.equal(prod.status?.operation, undefined, 'prod never syncs by itself');
    assert.match(prod.status!.conditions!.find((c) => c.type === 'Ready')!.message, /waiting for a sync request/);
    assert.equal((await apps.listNamespacedDeployment({ namespace: story.targets.prod! })).items.length, 0);
  });

  it('writes nothing when a check finds nothing new', async () => {
    await points.at('dev synced, prod waiting', { unspent: ['dev'] });
    const count = async (pattern: RegExp) =>
      [...(await operator.metrics()).matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
    const environmentReconciles = () =>
      count(/^keelson_reconcile_duration_seconds_count\{kind="Environment",[^}]*\} (\d+)$/gm);
    const statusWrites = () =>
      count(/^keelson_kubernetes_requests_total\{verb="PATCH",resource="environments\/status",[^}]*\} (\d+)$/gm);
    await story.until('prod', 'prod OutOfSync', (e) => e.status?.sync?.status === 'OutOfSync');
    await story.until('dev', 'dev settled', synced());
    const repo = () => story.gitRepository('deploy');
    const handled = (await repo()).status?.lastHandledRefreshAt;
    const [reconciles, writes] = [await environmentReconciles(), await statusWrites()];
    assert.ok(writes > 0, 'the operator counts its status writes');
    await story.refresh(); // the GitRepository fetches again; every Environment using it is checked
    await eventually(async () => (await repo()).status?.lastHandledRefreshAt !== handled, {
      message: 'the refresh handled',
    });
    await eventually(async () => (await environmentReconciles()) >= reconciles + 2, {
      message: 'dev and prod checked again',
    });
    assert.equal(
      await statusWrites(),
      writes,
      'both were checked, nothing about them changed, and no status was written',
    );
  });

  it('brings a new image tag to dev: the PreSync migration before the Deployment changes, the PostSync smoke test after it is healthy', async () => {
    await points.at('dev synced, prod waiting', { orLater: true, spends: ['dev'] });
    const ns = story.targets.dev!;
    const seen: { rv: number; what: string }[] = [];
    const watch = new k8s.Watch(kc);
    const record = (kind: string) => (_phase: string, obj: k8s.V1Job & k8s.V1Deployment) => {
      const rv = Number(obj.metadata?.resourceVersion);
      if (kind === 'Job' && obj.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'))
        seen.push({ rv, what: `complete ${obj.metadata?.labels?.['keelson.dev/hook-of'] ?? obj.metadata?.name}` });
      if (kind === 'Job' && _phase === 'ADDED')
        seen.push({ rv, what: `created ${obj.metadata?.labels?.['keelson.dev/hook-of'] ?? obj.metadata?.name}` });
      if (
        kind === 'Deployment' &&
        obj.metadata?.name === 'api' &&
        obj.spec?.template.spec?.containers[0]?.image === 'ghcr.io/acme/shop-api:1.6.0'
      ) {
        seen.push({ rv, what: 'api changed' });
        if (
          obj.status?.updatedReplicas === obj.spec.replicas &&
          obj.status?.availableReplicas === obj.spec.replicas &&
          obj.status?.observedGeneration === obj.metadata?.generation
        )
          seen.push({ rv, what: 'api healthy' });
      }
    };
    const jobs = await watch.watch(`/apis/batch/v1/namespaces/${ns}/jobs`, {}, record('Job'), () => undefined);
    const deployments = await watch.watch(
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      {},
      record('Deployment'),
      () => undefined,
    );
    try {
      const commit = await story.repo.commit(
        { 'images.json': withImage('dev', 'api', 'ghcr.io/acme/shop-api:1.6.0') },
        'api 1.6.0 to dev',
      );
      assert.equal((await cli('refresh', 'dev', '-n', story.ns)).code, 0);
      await story.until('dev', `dev synced at ${commit}`, synced(commit));
      assert.equal(await image(ns, 'api'), 'ghcr.io/acme/shop-api:1.6.0');
      const first = (what: string) => seen.filter((s) => s.what === what).sort((a, b) => a.rv - b.rv)[0]?.rv;
      const migrated = seen
        .filter((s) => s.what.startsWith('complete') && s.what.includes('migrate'))
        .sort((a, b) => b.rv - a.rv)[0]?.rv;
      const changed = first('api changed');
      const healthy = first('api healthy');
      const smoke = seen
        .filter((s) => s.what.startsWith('created') && s.what.includes('smoke'))
        .sort((a, b) => b.rv - a.rv)[0]?.rv;
      assert.ok(migrated && changed && healthy && smoke, `saw ${JSON.stringify(seen)}`);
      assert.ok(migrated < changed, 'the PreSync migration completed before the Deployment changed');
      assert.ok(healthy < smoke, 'the PostSync smoke test started after the Deployment was healthy');
    } finally {
      jobs.abort();
      deployments.abort();
    }
  });

  it('shows prod OutOfSync until `keelson sync prod --wait`, which follows hooks and waves to the end', async () => {
    await points.at('dev synced, prod waiting', { leaves: 'prod synced' });
    const prod = await story.environment('prod');
    assert.equal(prod.status?.sync?.status, 'OutOfSync');
    assert.ok(prod.status?.resources?.some((r) => r.kind === 'Deployment' && r.sync === 'OutOfSync'));
    const r = await syncProd();
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PreSync\s+wave/);
    assert.match(r.out, /synced: main@sha1:[0-9a-f]{40}; health Healthy/);
    const after = await story.until('prod', 'prod synced', synced());
    assert.equal(after.status?.history?.[0]?.initiatedBy?.username, 'keelson-local-admin');
    assert.equal(await image(story.targets.prod!, 'api'), 'ghcr.io/acme/shop-api:1.4.3');
  });

  it('reports a new prod tag as OutOfSync, naming the field, and applies it only when asked', async () => {
    await points.at('prod synced', { leaves: 'prod at api 1.4.4', spends: ['dev'] });
    const prod = await newProdTag();
    const api = prod.status!.resources!.find((x) => x.kind === 'Deployment' && x.name === 'api')!;
    assert.equal(api.sync, 'OutOfSync');
    assert.match(api.message ?? '', /\/spec\/template\/spec\/containers/);
    assert.equal(
      await image(story.targets.prod!, 'api'),
      'ghcr.io/acme/shop-api:1.4.3',
      'nothing applied without a person',
    );
    const diff = await diffProd();
    // As kubectl diff: exit 1 when there are differences.
    assert.equal(diff.code, 1, diff.out);
    assert.match(diff.out, /--- live Deployment \S+\/api\n\+\+\+ desired Deployment \S+\/api/);
    assert.match(diff.out, /^- "?ghcr\.io\/acme\/shop-api:1\.4\.3"?$/m);
    assert.match(diff.out, /^\+ "?ghcr\.io\/acme\/shop-api:1\.4\.4"?$/m);
    assert.equal((await syncProd()).code, 0);
    assert.equal(await image(story.targets.prod!, 'api'), 'ghcr.io/acme/shop-api:1.4.4');
  });

  it('reverts a hand edit to a dev Deployment within seconds (self-heal)', async () => {
    await points.at('dev synced, prod waiting', { orLater: true, spends: ['dev'] });
    const ns = story.targets.dev!;
    await apps.patchNamespacedDeployment(
      { name: 'worker', namespace: ns, body: { spec: { replicas: 5 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const started = Date.now();
    await eventually(
      async () => (await apps.readNamespacedDeployment({ name: 'worker', namespace: ns })).spec?.replicas === 1,
      { timeoutMs: 30_000, message: 'worker back to 1 replica' },
    );
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 15, `self-heal took ${seconds} s`);
    const events = await core.listNamespacedEvent({ namespace: story.ns, fieldSelector: 'involvedObject.name=dev' });
    assert.ok(
      events.items.some((e) => e.reason === 'DriftCorrected'),
      'a DriftCorrected event says so',
    );
  });

  it('prunes an app removed from dev, and only from dev', async () => {
    await points.at('prod synced', { orLater: true, spends: ['dev'] });
    const main = files['main.ts']!;
    const without = main.replace(/^(\s*)new WebApp\(/m, '$1if (settings !== dev) new WebApp(');
    assert.notEqual(without, main, 'the example still creates its web app the way this test expects');
    const commit = await story.repo.commit({ 'main.ts': without }, 'no web front end in dev');
    await story.refresh();
    await story.until('dev', 'dev synced without web', synced(commit));
    const dev = story.targets.dev!;
    await eventually(
      async () =>
        (await apps.listNamespacedDeployment({ namespace: dev })).items.every((d) => d.metadata?.name !== 'web'),
      { message: 'web Deployment pruned from dev' },
    );
    assert.equal(
      (await core.listNamespacedService({ namespace: dev })).items.some((s) => s.metadata?.name === 'web'),
      false,
    );
    assert.ok((await apps.readNamespacedDeployment({ name: 'api', namespace: dev })).metadata, 'the rest stays');
    assert.ok(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: story.targets.prod! })).metadata,
      'prod keeps its web app',
    );
  });

  it('rolls prod back to the previous revision and pauses automated sync', async () => {
    await points.at('prod at api 1.4.4', { leaves: 'prod rolled back' });
    const r = await cli('rollback', 'prod', '-n', story.ns, '--wait', '--timeout', '120s');
    assert.equal(r.code, 0, r.out);
    assert.equal(await image(story.targets.prod!, 'api'), 'ghcr.io/acme/shop-api:1.4.3');
    const prod = await story.environment('prod');
    assert.match(prod.metadata.annotations?.['keelson.dev/auto-sync-paused'] ?? '', /rollback to history entry/);
    assert.equal(prod.status?.history?.length, 3);
  });

  it('lets no secret value out: not in logs, events, status, metrics or CLI output', async () => {
    await points.at('dev synced, prod waiting', { orLater: true });
    const values = secretValuesOf(story.store!.entries);
    const devSecret = await core.readNamespacedSecret({ name: 'api-db', namespace: story.targets.dev! });
    assert.ok(
      values.includes(Buffer.from(devSecret.data!.password!, 'base64').toString()),
      'the values looked for are the ones applied',
    );
    const events = (
      await Promise.all(story.namespaces.map((namespace) => core.listNamespacedEvent({ namespace })))
    ).flatMap((l) => l.items);
    const places: Record<string, string> = {
      'operator logs': operator.logs(),
      events: JSON.stringify(events.map((e) => [e.reason, e.message])),
      'Environment status': JSON.stringify([await story.environment('dev'), await story.environment('prod')]),
      metrics: await operator.metrics(),
      'CLI output':
        cliOutput.join('\n') +
        (await diffProd()).out +
        (await cli('get', 'dev', '-n', story.ns)).out +
        (await cli('get', 'prod', '-n', story.ns, '-o', 'json')).out,
    };
    assert.ok(places['operator logs']!.length > 1000, 'the operator logged');
    for (const [where, text] of Object.entries(places)) {
      for (const value of values) assert.ok(!text.includes(value), `a secret value appears in the ${where}`);
    }
  });

  it('deletes an Environment: Orphan (the default) keeps what it manages, Delete removes it', async () => {
    await points.at('prod synced', { orLater: true, spends: ['*'] });
    const environments = { group: 'keelson.dev', version: 'v1alpha1', namespace: story.ns, plural: 'environments' };
    const gone = (name: string) => async () =>
      story.environment(name).then(
        () => false,
        () => true,
      );
    // prod, Orphan: no finalizer to wait for; the Environment goes, its Deployments stay.
    assert.deepEqual(
      (await story.environment('prod')).metadata.finalizers ?? [],
      [],
      'an orphaning Environment carries no finalizer',
    );
    await story.custom.deleteNamespacedCustomObject({ ...environments, name: 'prod' });
    await eventually(gone('prod'), { message: 'prod gone' });
    assert.ok(
      (await apps.readNamespacedDeployment({ name: 'api', namespace: story.targets.prod! })).metadata,
      "prod's Deployments stay",
    );
    // dev, Delete: the operator puts its finalizer on, and deleting dev deletes what dev manages.
    await story.custom.patchNamespacedCustomObject(
      { ...environments, name: 'dev', body: { spec: { deletionPolicy: 'Delete' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await story.until('dev', 'the finalizer on dev', (e) =>
      (e.metadata.finalizers ?? []).includes('keelson.dev/finalizer'),
    );
    await story.custom.deleteNamespacedCustomObject({ ...environments, name: 'dev' });
    await eventually(gone('dev'), { message: 'dev gone', timeoutMs: 60_000 });
    await eventually(
      async () => (await apps.listNamespacedDeployment({ namespace: story.targets.dev! })).items.length === 0,
      { message: "dev's Deployments deleted" },
    );
    assert.equal(
      (await core.listNamespacedSecret({ namespace: story.targets.dev! })).items.some(
        (s) => s.metadata?.name === 'api-db',
      ),
      false,
      'and its Secrets',
    );
  });
});
