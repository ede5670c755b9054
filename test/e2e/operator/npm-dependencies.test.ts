// The operator syncs a deploy repository with its own package.json and lockfile (cdk8s-plus-33,
// a construct library, a private package), installing from a real npm registry with the token
// of the Secret spec.npmRegistries names. With the registry down, a new commit with the same
// lockfile still syncs from the install already made; a commit with a new lockfile waits with
// Synthesized=False (DependenciesUnavailable) and applies nothing, and syncs once the registry
// is back. The token never shows in the Environment, its events or the operator's log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { NpmRegistry } from '../../harness/npm-registry.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'npm');
const KIT = join(REPO_ROOT, '.keelson', 'kit', 'keelson-cdk8s-app-0.1.0.tgz');
const DEPENDENCIES = {
  '@keelson/cdk8s-app': '0.1.0',
  cdk8s: '2.70.106',
  constructs: '10.8.1',
  'cdk8s-plus-33': '2.5.57',
  'acme-constructs': '1.0.0',
  '@acme-private/platform': '2.1.0',
};

const main = (replicas: number) => `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-33';
import { WebService } from 'acme-constructs';
import { standardLabels } from '@acme-private/platform';

export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'shop', { labels: standardLabels('shop') });
    new WebService(app, 'storefront', { image: 'ghcr.io/acme/storefront:3.1.0', replicas: ${replicas} });
    new kplus.ConfigMap(app, 'settings', { metadata: { name: 'settings' }, data: { plus: '33' } });
  },
});
`;

describe('an Environment whose deploy repository has its own packages', { timeout: 900_000 }, () => {
  const story = new Story(kc);
  const scratch = mkdtempSync(join(tmpdir(), 'keelson-npm-operator-'));
  let registry: NpmRegistry;
  let operator: OperatorProcess;

  /** package.json, .npmrc and the lockfile npm writes against the registry, as files of the deploy repository. */
  const packageFiles = async (dependencies: Record<string, string>) => {
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'deploy', private: true, dependencies }, null, 2),
    );
    const npmrc = `registry=${registry.url}\n@acme-private:registry=${registry.url}\n`;
    writeFileSync(join(scratch, '.npmrc'), npmrc);
    rmSync(join(scratch, 'package-lock.json'), { force: true });
    await registry.npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: scratch });
    return {
      'package.json': readFileSync(join(scratch, 'package.json'), 'utf8'),
      '.npmrc': npmrc,
      'package-lock.json': readFileSync(join(scratch, 'package-lock.json'), 'utf8'),
    };
  };
  const storefront = () => apps.readNamespacedDeployment({ namespace: story.targets.dev!, name: 'storefront' });

  before(async () => {
    registry = await NpmRegistry.start({ uplink: true });
    for (const name of ['acme-constructs', 'acme-private-platform']) await registry.publish(join(FIXTURES, name));
    await registry.publish(KIT);
    const files = { ...(await packageFiles(DEPENDENCIES)), 'main.ts': main(2) };
    await story.setUp({
      prefix: 'npm-deps',
      files,
      secrets: { 'npm-token': { token: registry.token } },
      environments: {
        dev: {
          sync: { automated: { prune: true, selfHeal: true } },
          npmRegistries: [{ url: registry.url, secretRef: { name: 'npm-token' } }],
        },
      },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
    await registry?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("installs the lockfile with the Secret's token and syncs what the packages make", async () => {
    await story.until(
      'dev',
      'dev Synced and Healthy',
      (e) =>
        e.status?.sync?.status === 'Synced' &&
        e.status.health?.status === 'Healthy' &&
        e.status.operation?.phase === 'Succeeded',
      { timeoutMs: 300_000 },
    );
    const deployment = await storefront();
    assert.equal(deployment.spec?.replicas, 2);
    assert.equal(deployment.metadata?.labels?.['acme.example/team'], 'shop', "the private package's labels");
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace: story.targets.dev!, name: 'settings' })).data, {
      plus: '33',
    });
  });

  it('with the registry down, a commit with the same lockfile syncs from the install already made', async () => {
    await registry.stop();
    const commit = await story.repo.commit({ 'main.ts': main(3) }, 'three storefronts');
    await story.refresh();
    await story.until(
      'dev',
      'the new commit synced',
      (e) => commitOf(e.status?.sync?.revision) === commit && e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: 120_000 },
    );
    assert.equal((await storefront()).spec?.replicas, 3);
  });

  it('a new lockfile with the registry down waits, says why and applies nothing; then syncs once it is back', async () => {
    const files = await (async () => {
      await registry.resume();
      try {
        return await packageFiles({ ...DEPENDENCIES, 'acme-constructs': '1.0.0', uuid: '11.1.0' });
      } finally {
        await registry.stop();
      }
    })();
    const commit = await story.repo.commit({ ...files, 'main.ts': main(4) }, 'a new dependency');
    await story.refresh();
    const waiting = await story.until(
      'dev',
      'Synthesized=False DependenciesUnavailable',
      (e) =>
        e.status?.conditions?.some(
          (c) => c.type === 'Synthesized' && c.status === 'False' && c.reason === 'DependenciesUnavailable',
        ) ?? false,
      { timeoutMs: 120_000 },
    );
    const condition = waiting.status!.conditions!.find((c) => c.type === 'Synthesized')!;
    assert.match(condition.message, /registry|reach|connect/i);
    assert.equal((await storefront()).spec?.replicas, 3, 'nothing of the new commit applied');
    await registry.resume();
    await story.until(
      'dev',
      'the new lockfile synced',
      (e) => commitOf(e.status?.sync?.revision) === commit && e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: 300_000 },
    );
    assert.equal((await storefront()).spec?.replicas, 4);
  });

  it('the token is nowhere: not in the Environment, its events or the operator log', async () => {
    const env = JSON.stringify(await story.environment('dev'));
    const events = JSON.stringify((await core.listNamespacedEvent({ namespace: story.ns })).items);
    for (const [where, text] of [
      ['Environment', env],
      ['events', events],
      ['operator log', operator.logs()],
    ] as const) {
      assert.ok(!text.includes(registry.token), `the token is in the ${where}`);
    }
    await eventually(async () => operator.logs().length > 0, { message: 'the operator logged' });
  });
});
