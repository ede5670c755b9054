// Deploy repositories with what teams bring from Argo CD: plain YAML (cdk8s's Include),
// files read by cdk8s-plus's ConfigMap.addFile, Helm charts (a folder of the repository, a
// chart repository with basic auth, an OCI registry) through cdk8s's Helm, and Kustomize
// overlays through the kit's Kustomization — rendered by real helm and kustomize outside the
// sandbox, against a real chart repository and a real registry. Every bad input fails with
// a message naming the file or chart, and the workers keep serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Renderer } from '../../../operator/src/adapters/render/renderer.ts';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import type { SourceTree } from '../../../operator/src/core/source.ts';
import { SynthesisError } from '../../../operator/src/core/synthesis-check.ts';
import { ensureBinaries } from '../../harness/binaries.ts';
import { ChartRepo } from '../../harness/chart-repo.ts';
import { REPO_ROOT } from '../../harness/kube.ts';
import { OciRegistry } from '../../harness/oci-registry.ts';
import { deployRepo, removeDeployRepos } from './deploy-repo-fixture.ts';

const CHARTS = join(REPO_ROOT, 'test', 'fixtures', 'charts');
const cacheDir = mkdtempSync(join(tmpdir(), 'keelson-render-test-'));
let synthesizer: Synthesizer;
let repo: ChartRepo;
let registry: OciRegistry;

/** A main.ts whose dev environment has one app `a` and runs `body` in it. */
function main(body: string): string {
  return [
    `import { App, defineEnvironments, Kustomization } from '@keelson/cdk8s-app';`,
    `import { Helm, Include } from 'cdk8s';`,
    `import * as kplus from 'cdk8s-plus-27';`,
    `import * as path from 'path';`,
    `export default defineEnvironments({ dev: (env) => { const app = new App(env, 'a'); ${body} } });`,
    '',
  ].join('\n');
}

/** The tree of a deploy repository at a made-up Git revision, so what it renders is cached like a commit's. */
function atRevision(tree: SourceTree, revision: string): SourceTree {
  return { revision, readFile: (p) => tree.readFile(p), readDir: (p) => tree.readDir(p) };
}

async function objects(tree: SourceTree, access?: Parameters<Synthesizer['synthesize']>[0]['chartAccess']) {
  const { result } = await synthesizer.synthesize({ tree, ...(access ? { chartAccess: access } : {}) }, 'dev');
  return result.apps.flatMap((a) => a.objects) as {
    kind: string;
    metadata: { name: string };
    data?: Record<string, string>;
    spec?: { replicas?: number };
  }[];
}

async function failure(
  tree: SourceTree,
  access?: Parameters<Synthesizer['synthesize']>[0]['chartAccess'],
): Promise<SynthesisError> {
  const err = await objects(tree, access).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SynthesisError, `expected a SynthesisError, got ${String(err)}`);
  return err;
}

const names = (objs: { kind: string; metadata: { name: string } }[]) =>
  objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('plain YAML, Helm charts and Kustomize in a deploy repository', () => {
  before(async () => {
    const bin = await ensureBinaries();
    synthesizer = new Synthesizer({
      cacheDir: join(cacheDir, 'synth'),
      size: 2,
      timeoutMs: 20_000,
      renderer: new Renderer({ cacheDir: join(cacheDir, 'render'), helm: bin.helm, kustomize: bin.kustomize }),
    });
    repo = await ChartRepo.start({ username: 'charts', password: 's3cret' });
    await repo.addChart(join(CHARTS, 'podinfo-lite'));
    await repo.addChart(join(CHARTS, 'crd-maker'));
    registry = await OciRegistry.start();
    const packaged = await repo.addChart(join(CHARTS, 'cache'));
    await registry.push(packaged.file);
    await synthesizer.start();
  });
  after(async () => {
    await synthesizer.stop();
    await repo.dispose();
    await registry.stop();
    removeDeployRepos();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('Include reads a multi-document file and a folder of the repository; ConfigMap.addFile reads a file', async () => {
    const tree = deployRepo({
      'main.ts': main(`new Include(app, 'one', { url: 'manifests/one.yaml' });
        new Include(app, 'dir', { url: path.join(__dirname, 'more') });
        new kplus.ConfigMap(app, 'files', { metadata: { name: 'files' } }).addFile('config/app.properties');`),
      'manifests/one.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n',
      'more/a.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n',
      'more/b.json': '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "empty"}}',
      'more/README.md': '# not a manifest',
      'config/app.properties': 'color=blue\n',
    });
    const objs = await objects(tree);
    assert.deepEqual(names(objs), [
      'ConfigMap/files',
      'ConfigMap/one',
      'ConfigMap/two',
      'Secret/empty',
      'ServiceAccount/sa',
    ]);
    assert.equal(objs.find((o) => o.metadata.name === 'files')?.data?.['app.properties'], 'color=blue\n');
  });

  it('a chart folder of the repository renders with values in TypeScript and its file:// dependency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-chart-repo-'));
    cpSync(join(CHARTS, 'podinfo-lite'), join(dir, 'charts', 'podinfo-lite'), { recursive: true });
    cpSync(join(CHARTS, 'common-labels'), join(dir, 'charts', 'common-labels'), { recursive: true });
    cpSync(join(CHARTS, 'cache'), join(dir, 'charts', 'cache'), {
      recursive: true,
      filter: (src) => !/[/\\]charts[/\\]cache[/\\](charts|Chart\.lock)/.test(src),
    });
    const tree = deployRepo({
      'main.ts':
        main(`new Helm(app, 'web', { chart: './charts/podinfo-lite', releaseName: 'web', values: { replicaCount: 3 } });
      new Helm(app, 'cache', { chart: 'charts/cache', releaseName: 'cache', namespace: 'data' });`),
    });
    cpSync(join(dir, 'charts'), join(tree.root, 'charts'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    const objs = await objects(tree);
    assert.equal(objs.find((o) => o.kind === 'Deployment')?.spec?.replicas, 3);
    assert.ok(names(objs).includes('StatefulSet/cache-cache'), names(objs).join(' '));
  });

  it('a chart of a chart repository renders with the credentials, and a second synthesis of the revision fetches nothing', async () => {
    const tree = atRevision(
      deployRepo({
        'main.ts': main(`new Helm(app, 'web', { chart: 'podinfo-lite', repo: '${repo.url}',
      version: '1.2.0', releaseName: 'web', values: { image: { tag: '9.9.9' } } });`),
      }),
      'main@sha1:1111111111111111111111111111111111111111',
    );
    const access = () => ({ credentials: repo.credentials! });
    assert.ok(names(await objects(tree, access)).includes('Deployment/web-podinfo-lite'));
    const served = repo.requests.length;
    await objects(tree, access);
    assert.equal(repo.requests.length, served, 'the warm synthesis asked the repository again');
  });

  it('an OCI chart renders from the registry', async () => {
    const tree = deployRepo({
      'main.ts': main(
        `new Helm(app, 'cache', { chart: 'oci://${registry.host}/charts/cache', version: '0.3.0', releaseName: 'c' });`,
      ),
    });
    assert.ok(names(await objects(tree, () => ({ plainHttp: true }))).includes('StatefulSet/c-cache'));
  });

  it('a kustomize overlay renders with its base', async () => {
    const tree = deployRepo({
      'main.ts': main(`new Kustomization(app, 'prod', { path: 'kustomize/overlays/prod' });`),
      'kustomize/base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'kustomize/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n',
      'kustomize/overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamePrefix: prod-\n',
    });
    assert.deepEqual(names(await objects(tree)), ['ConfigMap/prod-settings']);
  });

  const badInputs: [string, Record<string, string>, RegExp][] = [
    [
      'a chart that does not exist',
      { 'main.ts': main(`new Helm(app, 'x', { chart: 'nope', repo: 'REPO', version: '1.0.0' });`) },
      /has no chart "nope" \(it has: .*podinfo-lite/,
    ],
    [
      'a version that does not exist',
      { 'main.ts': main(`new Helm(app, 'x', { chart: 'podinfo-lite', repo: 'REPO', version: '7.0.0' });`) },
      /has no version 7\.0\.0 of "podinfo-lite" \(it has: 1\.2\.0\)/,
    ],
    [
      "values that fail the chart's values.schema.json",
      {
        'main.ts': main(
          `new Helm(app, 'x', { chart: 'podinfo-lite', repo: 'REPO', version: '1.2.0', values: { replicaCount: 0 } });`,
        ),
      },
      /main\.ts:5:\d+: helm template of chart "podinfo-lite" 1\.2\.0 of .* failed: .*replicaCount/s,
    ],
    [
      'a template error',
      {
        'main.ts': main(`new Helm(app, 'x', { chart: './broken' });`),
        'broken/Chart.yaml': 'apiVersion: v2\nname: broken\nversion: 0.1.0\n',
        'broken/templates/cm.yaml': 'kind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.name }}\n',
      },
      /chart folder "broken" failed: .*templates\/cm\.yaml/s,
    ],
    [
      'a version range',
      { 'main.ts': main(`new Helm(app, 'x', { chart: 'podinfo-lite', repo: 'REPO', version: '^1.0.0' });`) },
      /version "\^1\.0\.0" of chart "podinfo-lite" is not one exact version/,
    ],
    [
      'a helm flag that runs a program',
      { 'main.ts': main(`new Helm(app, 'x', { chart: './c', helmFlags: ['--post-renderer', 'sh'] });`) },
      /helm flag --post-renderer is not allowed: it runs a program/,
    ],
    [
      'an Include of a file that does not exist',
      { 'main.ts': main(`new Include(app, 'x', { url: 'missing.yaml' });`) },
      /main\.ts:5:\d+: Include of "missing\.yaml": no such file or folder in the repository/,
    ],
    [
      'an Include of a file that is not YAML',
      { 'main.ts': main(`new Include(app, 'x', { url: 'bad.yaml' });`), 'bad.yaml': 'a: [1, 2\nb: }\n' },
      /Include of "bad\.yaml": not valid YAML/,
    ],
    [
      'an Include of a file that holds no object',
      { 'main.ts': main(`new Include(app, 'x', { url: 'app.properties' });`), 'app.properties': 'color=blue\n' },
      /Include of "app\.properties": document 1 is a string, not a Kubernetes object/,
    ],
    [
      'an Include of a file outside the repository',
      { 'main.ts': main(`new Include(app, 'x', { url: '/etc/passwd' });`) },
      /"\/etc\/passwd" is outside the repository/,
    ],
    [
      'an Include of a URL',
      { 'main.ts': main(`new Include(app, 'x', { url: 'https://example.com/x.yaml' });`) },
      /Include of "https:\/\/example\.com\/x\.yaml": synthesis has no network/,
    ],
    [
      'a kustomization with a missing base',
      {
        'main.ts': main(`new Kustomization(app, 'x', { path: 'overlay' });`),
        'overlay/kustomization.yaml': 'resources: [../base]\n',
      },
      /kustomize build "overlay" failed: .*base/s,
    ],
    [
      'a rendered object with no kind',
      {
        'main.ts': main(`new Include(app, 'x', { url: 'nokind.yaml' });`),
        'nokind.yaml': 'apiVersion: v1\nmetadata: {name: x}\n',
      },
      /object #1 \(main\.ts:5:\d+\): an object without kind/,
    ],
  ];
  for (const [name, files, expected] of badInputs) {
    it(`${name}: a clear error, nothing synthesized`, async () => {
      const withRepo = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replaceAll('REPO', repo.url)]));
      const err = await failure(deployRepo(withRepo), () => ({ credentials: repo.credentials! }));
      assert.match(err.message, expected);
    });
  }

  it('wrong credentials and a repository that is down fail naming the repository; a chart fetched before still renders', async () => {
    const tree = deployRepo({
      'main.ts': main(
        `new Helm(app, 'w', { chart: 'crd-maker', repo: '${repo.url}', version: '0.1.0', helmFlags: ['--include-crds'] });`,
      ),
    });
    const wrong = await failure(tree, () => ({ credentials: { username: 'charts', password: 'wrong' } }));
    assert.match(wrong.message, new RegExp(`the chart repository ${repo.url} refused the credentials \\(401\\)`));
    assert.equal(wrong.reason, 'RenderFailed');
    const none = await failure(tree);
    assert.match(none.message, /needs credentials \(401\): add it to the Environment's spec\.chartRepositories/);
    const fetchedBefore = deployRepo({
      'main.ts': main(`new Helm(app, 'w', { chart: 'podinfo-lite', repo: '${repo.url}', version: '1.2.0' });`),
    });
    await repo.stop();
    try {
      const down = await failure(tree, () => ({ credentials: repo.credentials! }));
      assert.match(down.message, new RegExp(`the chart repository ${repo.url} cannot be reached: ECONNREFUSED`));
      assert.equal(down.reason, 'ChartUnavailable');
      assert.ok(
        names(await objects(fetchedBefore, () => ({ credentials: repo.credentials! }))).some((n) =>
          n.startsWith('Deployment/'),
        ),
      );
    } finally {
      await repo.resume();
    }
    const crds = await objects(tree, () => ({ credentials: repo.credentials! }));
    assert.ok(names(crds).includes('CustomResourceDefinition/widgets.example.com'), names(crds).join(' '));
  });
});
