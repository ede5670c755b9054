// A commit re-synthesizes only what it touches (ADR 0022), end to end: dev and prod from one
// deploy repository, each with its own entry of images.json. A commit that bumps prod's image
// synthesizes and syncs prod only; dev records the new revision without a synthesis or a sync
// (its Deployment is not written); a commit to a YAML file only dev includes is dev's alone.
// A commit to the code both read synthesizes both again, and since their objects did not
// change, neither syncs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();

const MAIN = `import { ApiObject, Include } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Web extends App {
  constructor(scope: any, name: string, image: string) {
    super(scope, name);
    new ApiObject(this, 'web', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image }] } } },
    } as any);
  }
}

export default defineEnvironments({
  dev: (env) => { new Include(new Web(env, 'web', env.image('web')), 'extra', { url: 'manifests/dev.yaml' }); },
  prod: (env) => { new Web(env, 'web', env.image('web')); },
});
`;

const devYaml = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dev-extra\ndata:\n  value: "${value}"\n`;
const images = (dev: string, prod: string) =>
  JSON.stringify({ dev: { web: `registry.example/web:${dev}` }, prod: { web: `registry.example/web:${prod}` } });

/** A counter or histogram count of the operator's /metrics. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('a commit re-synthesizes only the environments whose inputs it touches', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const syntheses = async () => {
    const text = await operator.metrics();
    return {
      run: metric(text, 'keelson_synthesis_duration_seconds_count{result="success"}'),
      reused: metric(text, 'keelson_synthesis_reused_total'),
    };
  };
  const web = (env: string) => apps.readNamespacedDeployment({ namespace: story.targets[env]!, name: 'web' });
  const synced = (revision: string) => (e: { status?: { sync?: { status?: string; revision?: string } } }) =>
    e.status?.sync?.status === 'Synced' && commitOf(e.status.sync.revision ?? '') === revision;

  before(async () => {
    await story.setUp({
      prefix: 'incremental',
      files: { 'main.ts': MAIN, 'images.json': images('1', '1'), 'manifests/dev.yaml': devYaml('1') },
      environments: {
        dev: { sync: { automated: { prune: true } } },
        prod: { sync: { automated: { prune: true } } },
      },
    });
    operator = await story.startOperator();
    for (const env of ['dev', 'prod'])
      await story.until(
        env,
        'synced',
        (e) => e.status?.operation?.phase === 'Succeeded' && e.status.sync?.status === 'Synced',
      );
  });
  after(async () => {
    await operator?.kill();
    await story.tearDown();
  });

  it("a bump of prod's image synthesizes and syncs prod only; dev records the revision", async () => {
    const before = await syntheses();
    const dev = await story.environment('dev');
    const devWeb = await web('dev');
    const commit = await story.repo.commit({ 'images.json': images('1', '2') }, 'prod: web 2');
    await story.refresh();
    await story.until('prod', 'synced at the bump', synced(commit));
    assert.equal((await web('prod')).spec?.template.spec?.containers[0]?.image, 'registry.example/web:2');
    const devAfter = await story.until('dev', 'at the new revision', synced(commit));
    assert.equal(devAfter.status?.operation?.id, dev.status?.operation?.id, 'no sync of dev');
    assert.equal((await web('dev')).metadata?.resourceVersion, devWeb.metadata?.resourceVersion, 'not written');
    const after = await syntheses();
    assert.equal(after.run - before.run, 1, 'one synthesis: prod');
    assert.equal(after.reused - before.reused, 1, "dev's reused");
  });

  it('a commit to a file only dev reads (an Include) synthesizes and syncs dev only', async () => {
    const before = await syntheses();
    const prod = await story.environment('prod');
    const commit = await story.repo.commit({ 'manifests/dev.yaml': devYaml('2') }, 'dev: extra 2');
    await story.refresh();
    await story.until('dev', 'synced at the change', synced(commit));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await eventually(
      async () =>
        (await core.readNamespacedConfigMap({ namespace: story.targets.dev!, name: 'dev-extra' })).data?.value ===
          '2' || undefined,
      { message: 'the ConfigMap of manifests/dev.yaml updated' },
    );
    const prodAfter = await story.until('prod', 'at the new revision', synced(commit));
    assert.equal(prodAfter.status?.operation?.id, prod.status?.operation?.id, 'no sync of prod');
    const after = await syntheses();
    assert.equal(after.run - before.run, 1, 'one synthesis: dev');
    assert.equal(after.reused - before.reused, 1, "prod's reused");
  });

  it('a commit to the code both read synthesizes both again; the same objects sync nothing', async () => {
    const before = await syntheses();
    const ops = await Promise.all(['dev', 'prod'].map(async (e) => (await story.environment(e)).status?.operation?.id));
    const commit = await story.repo.commit({ 'main.ts': `${MAIN}// a comment\n` }, 'a comment');
    await story.refresh();
    for (const env of ['dev', 'prod']) await story.until(env, 'at the new revision', synced(commit));
    const after = await syntheses();
    assert.equal(after.run - before.run, 2, 'dev and prod synthesized');
    assert.equal(after.reused, before.reused);
    const now = await Promise.all(['dev', 'prod'].map(async (e) => (await story.environment(e)).status?.operation?.id));
    assert.deepEqual(now, ops, 'no sync: the objects are the same');
  });
});
