// `keelson import argocd` as someone moving from Argo CD runs it, and the real operator syncing
// what it wrote: three Applications, one of each source type (plain YAML of a Git folder, a Helm
// chart of a chart repository with values given all three ways, a Kustomize overlay), imported
// by the CLI with nothing dropped; the deploy code committed next to the manifests in their Git
// repository, the GitRepository and Environments applied unchanged but for the Git credentials;
// each Environment Synced and Healthy with the chart's values, the YAML object and the overlay's
// prefix in its destination namespace, and the imported selfHeal undoing a hand edit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ChartRepo } from '../../harness/chart-repo.ts';
import { GitServer } from '../../harness/git-server.ts';
import { createTestNamespace, eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
interface Resource {
  apiVersion: string;
  kind: 'GitRepository' | 'Environment';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const ENV = { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };

function keelson(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npx', ['--no-install', 'keelson', ...args], { cwd: REPO_ROOT, env: ENV }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** What the Applications' Git repository holds before the import: Argo CD's manifests. */
const MANIFESTS: Record<string, string> = {
  'guestbook/ui-config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-ui\n' + 'data:\n  title: Guestbook\n',
  'kustomize/base/kustomization.yaml': 'resources:\n  - settings.yaml\n',
  'kustomize/base/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: base\n',
  'kustomize/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\nnamePrefix: prod-\n',
};

/** The three Applications, after operator/src/core/import/testdata/, pointing at the harness's servers. */
function applications(gitUrl: string, chartUrl: string, targets: Record<string, string>): Record<string, string> {
  const destination = (ns: string) => `  destination:
    server: https://kubernetes.default.svc
    namespace: ${ns}`;
  return {
    'guestbook.yaml': `# Plain YAML of a folder of the Git repository.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${gitUrl}
    targetRevision: main
    path: ./guestbook/
    directory:
      recurse: false
${destination(targets.guestbook!)}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`,
    'web.yaml': `# A Helm chart from a chart repository, values given all three ways.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${chartUrl}
    chart: podinfo-lite
    targetRevision: 1.2.0
    helm:
      releaseName: web
      values: |
        replicaCount: 3
      valuesObject:
        image:
          tag: "6.7.1"
      parameters:
        - name: service.port
          value: "8080"
${destination(targets.web!)}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    retry:
      limit: 3
      backoff:
        duration: 5s
        factor: 2
        maxDuration: 1m
`,
    'settings.yaml': `# A Kustomize overlay (its namePrefix in the kustomization.yaml) of the Git repository.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: settings
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${gitUrl}
    targetRevision: main
    path: kustomize/overlays/prod
    kustomize: {}
${destination(targets.settings!)}
  syncPolicy:
    automated:
      prune: true
`,
  };
}

const ENVIRONMENTS = ['guestbook', 'web', 'settings'] as const;

describe('keelson import argocd, synced by the operator', () => {
  const story = new Story(kc);
  const tmp = mkdtempSync(join(tmpdir(), 'keelson-import-'));
  const out = join(tmp, 'migrated');
  const files: string[] = [];
  let charts: ChartRepo;
  let operator: OperatorProcess | undefined;

  before(async () => {
    charts = await ChartRepo.start();
    await charts.addChart(join(REPO_ROOT, 'test', 'fixtures', 'charts', 'podinfo-lite'));
    story.ns = await createTestNamespace(kc, 'import');
    for (const env of ENVIRONMENTS) story.targets[env] = await createTestNamespace(kc, `import-${env}`);
    story.git = await GitServer.start();
    story.repo = await story.git.createRepo('deploy', MANIFESTS);
    mkdirSync(join(tmp, 'argocd'));
    for (const [name, text] of Object.entries(applications(story.repo.url, charts.url, story.targets))) {
      writeFileSync(join(tmp, 'argocd', name), text);
      files.push(join(tmp, 'argocd', name));
    }
  });
  after(async () => {
    await operator?.stop();
    if (operator) rmSync(dirname(operator.logFile), { recursive: true, force: true });
    await story.tearDown();
    await charts?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('imports one Application of each source type, converting every field', async () => {
    const imported = await keelson(
      'import',
      'argocd',
      ...files,
      '--out',
      out,
      '--deploy-repo',
      story.repo.url,
      '--deploy-ref',
      'main',
      '-n',
      story.ns,
    );
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    assert.equal(imported.stderr, '');
    assert.match(imported.stdout, /^3 Applications imported, 0 fields not carried over\.$/m);
    assert.equal(imported.stdout.match(/^ {2}not carried over \(0\): nothing$/gm)?.length, 3, imported.stdout);
    assert.match(imported.stdout, /renders {6}the plain YAML at guestbook of /);
    assert.match(imported.stdout, /renders {6}the Helm chart podinfo-lite 1\.2\.0 from http:\/\/127\.0\.0\.1:/);
    assert.match(imported.stdout, /renders {6}the kustomization at kustomize\/overlays\/prod of /);
    for (const field of ['values', 'valuesObject', 'parameters[0]']) {
      assert.match(imported.stdout, new RegExp(`spec\\.source\\.helm\\.${field.replace(/[.[\]]/g, '\\$&')} → `));
    }
    assert.deepEqual(readdirSync(join(out, 'keelson')).sort(), ['guestbook.yaml', 'settings.yaml', 'web.yaml']);
    assert.deepEqual(readdirSync(join(out, 'deploy')).sort(), ['guestbook.ts', 'main.ts', 'settings.ts', 'web.ts']);
  });

  it('writes one GitRepository for the shared repository, and an Environment per Application', () => {
    const resources = readResources(out);
    const repositories = resources.filter((r) => r.kind === 'GitRepository');
    assert.equal(repositories.length, 3);
    for (const r of repositories) {
      assert.deepEqual(r.metadata, { name: 'deploy', namespace: story.ns });
      assert.deepEqual(r.spec, { url: story.repo.url, insecure: true, ref: { branch: 'main' } });
    }
    const environments = resources.filter((r) => r.kind === 'Environment');
    assert.deepEqual(environments.map((e) => e.metadata.name).sort(), [...ENVIRONMENTS].sort());
    for (const e of environments) {
      assert.equal(e.metadata.namespace, story.ns);
      assert.deepEqual(e.spec.sourceRef, { name: 'deploy' });
      assert.equal(e.spec.path, 'deploy');
      assert.equal(e.spec.environment, e.metadata.name);
      assert.equal(e.spec.targetNamespace, story.targets[e.metadata.name]);
    }
    const web = environments.find((e) => e.metadata.name === 'web')!;
    assert.deepEqual(web.spec.sync, { automated: { prune: true, selfHeal: true } });
    assert.deepEqual(web.spec.retry, { limit: 3, backoff: { duration: '5s', factor: 2, maxDuration: '1m' } });
  });

  it('the operator syncs what it wrote: every Environment Synced and Healthy', { timeout: 240_000 }, async () => {
    const code: Record<string, string> = {};
    for (const f of readdirSync(join(out, 'deploy'))) {
      code[`deploy/${f}`] = readFileSync(join(out, 'deploy', f), 'utf8');
    }
    await story.repo.commit(code, 'keelson import argocd');

    // The one change the test must make: the harness's Git server wants credentials.
    await core.createNamespacedSecret({
      namespace: story.ns,
      body: { metadata: { name: 'git' }, stringData: { ...story.git.credentials } },
    });
    const applied = new Set<string>();
    for (const r of readResources(out)) {
      const key = `${r.kind}/${r.metadata.name}`;
      if (applied.has(key)) continue;
      applied.add(key);
      const body = r.kind === 'GitRepository' ? { ...r, spec: { ...r.spec, secretRef: { name: 'git' } } } : r;
      await story.custom.createNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: r.metadata.namespace!,
        plural: r.kind === 'Environment' ? 'environments' : 'gitrepositories',
        body,
      });
    }
    assert.equal(applied.size, 4);

    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
    for (const env of ENVIRONMENTS) {
      const synced = await story
        .until(
          env,
          `${env} Synced and Healthy`,
          (e) =>
            e.status?.operation?.phase === 'Succeeded' &&
            e.status.sync?.status === 'Synced' &&
            e.status.health?.status === 'Healthy',
          { timeoutMs: 120_000 },
        )
        .catch((err: Error) => assert.fail(`${err.message}\noperator log:\n${operator!.logs().slice(-4000)}`));
      const ready = synced.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True', `${env}: ${ready?.message}`);
    }
  });

  it('the Helm chart rendered with the values, release name and namespace the Application gave', async () => {
    const ns = story.targets.web!;
    const web = await apps.readNamespacedDeployment({ namespace: ns, name: 'web-podinfo-lite' });
    assert.equal(web.spec?.replicas, 3, 'helm.values');
    const container = web.spec?.template.spec?.containers[0];
    assert.equal(container?.image, 'ghcr.io/stefanprodan/podinfo:6.7.1', 'helm.valuesObject');
    assert.equal(container?.ports?.[0]?.containerPort, 8080, 'helm.parameters');
    assert.equal(web.metadata?.labels?.['app.kubernetes.io/instance'], 'web', 'helm.releaseName');
    const service = await core.readNamespacedService({ namespace: ns, name: 'web-podinfo-lite' });
    assert.equal(service.spec?.ports?.[0]?.port, 8080);
    assert.equal(web.metadata?.labels?.['keelson.dev/environment'], 'web');
  });

  it('the plain YAML and the overlay, prefix and all, in their own namespaces', async () => {
    const guestbook = await core.readNamespacedConfigMap({ namespace: story.targets.guestbook!, name: 'guestbook-ui' });
    assert.deepEqual(guestbook.data, { title: 'Guestbook' });
    const settings = await core.readNamespacedConfigMap({ namespace: story.targets.settings!, name: 'prod-settings' });
    assert.deepEqual(settings.data, { mode: 'base' });
    const unprefixed = await core.listNamespacedConfigMap({ namespace: story.targets.settings! });
    assert.equal(
      unprefixed.items.some((c) => c.metadata?.name === 'settings'),
      false,
      'the base without the prefix',
    );
    for (const env of ENVIRONMENTS) {
      const ns = story.targets[env]!;
      const owners = (await core.listNamespacedConfigMap({ namespace: ns })).items
        .map((c) => c.metadata?.labels?.['keelson.dev/environment'])
        .filter((o) => o !== undefined);
      assert.deepEqual([...new Set(owners)], env === 'web' ? [] : [env], `what was applied to ${ns}`);
    }
  });

  it('the imported selfHeal undoes a hand edit of the plain YAML object', async () => {
    const ns = story.targets.guestbook!;
    const title = async () => (await core.readNamespacedConfigMap({ namespace: ns, name: 'guestbook-ui' })).data?.title;
    const edited = await core.patchNamespacedConfigMap(
      { namespace: ns, name: 'guestbook-ui', body: { data: { title: 'edited by hand' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(edited.data?.title, 'edited by hand');
    await eventually(async () => (await title()) === 'Guestbook', {
      timeoutMs: 30_000,
      message: 'guestbook-ui healed back to its Git content',
    });
    const selector = { namespace: story.ns, fieldSelector: 'involvedObject.name=guestbook' };
    const events = async () => (await core.listNamespacedEvent(selector)).items;
    await eventually(async () => (await events()).some((e) => e.reason === 'DriftCorrected'), {
      timeoutMs: 10_000,
      message: 'a DriftCorrected event of the guestbook Environment',
    });
  });
});

/** Every GitRepository and Environment the import wrote, file by file. */
function readResources(out: string): Resource[] {
  const dir = join(out, 'keelson');
  return readdirSync(dir)
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Resource));
}
