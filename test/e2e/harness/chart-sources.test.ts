// The real parts that Helm and Kustomize sources are tested against, proven on their own
// (no cluster): the chart repository, the OCI registry, the fixture charts and kustomize.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { ensureBinaries, type Binaries } from '../../harness/binaries.ts';
import { ChartRepo, type PackagedChart } from '../../harness/chart-repo.ts';
import { OciRegistry } from '../../harness/oci-registry.ts';

const run = promisify(execFile);
const CHARTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'charts');
const AUTH = { username: 'keelson', password: 'chart-s3cret' };

let bin: Binaries;
let work: string;
let repo: ChartRepo;
let registry: OciRegistry;
const packaged: Record<string, PackagedChart> = {};

before(async () => {
  bin = await ensureBinaries();
  work = mkdtempSync(join(tmpdir(), 'keelson-chart-sources-'));
  repo = await ChartRepo.start(AUTH);
  for (const chart of ['podinfo-lite', 'cache', 'crd-maker']) {
    packaged[chart] = await repo.addChart(join(CHARTS, chart));
  }
  registry = await OciRegistry.start({ htpasswd: AUTH });
});
after(async () => {
  await repo?.dispose();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** helm with private homes, so that nothing is read from or left in the user's. */
async function helm(args: readonly string[]): Promise<string> {
  const home = join(work, 'helm-home');
  const env = { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
  return (await run(bin.helm, [...args], { env })).stdout;
}

/** `Kind/name` of every object in a multi-document YAML stream. */
function objects(manifests: string): string[] {
  return parseAllDocuments(manifests)
    .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null)
    .filter((o) => o?.kind)
    .map((o) => `${o!.kind}/${o!.metadata?.name}`)
    .sort();
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const authorized = basic(AUTH.username, AUTH.password);

interface IndexEntry {
  readonly version: string;
  readonly digest: string;
  readonly urls: string[];
}

describe('fixture charts', () => {
  const table = [
    { chart: 'podinfo-lite', want: ['Deployment/x-podinfo-lite', 'Service/x-podinfo-lite'] },
    { chart: 'cache', want: ['Service/x-cache', 'StatefulSet/x-cache'] },
    { chart: 'crd-maker', want: ['CustomResourceDefinition/widgets.example.com', 'Widget/x-widget'] },
  ];
  for (const { chart, want } of table) {
    it(`${chart} passes helm lint --strict and renders ${want.join(', ')} offline`, async () => {
      await helm(['lint', '--strict', join(CHARTS, chart)]);
      assert.deepEqual(objects(await helm(['template', 'x', join(CHARTS, chart), '--include-crds'])), want);
    });
  }

  it('podinfo-lite refuses a replicaCount below 1 by its values schema', async () => {
    const err = await helm(['template', 'x', join(CHARTS, 'podinfo-lite'), '--set', 'replicaCount=0']).then(
      () => undefined,
      (e: unknown) => e as { stderr: string },
    );
    assert.match(err?.stderr ?? '', /replicaCount.*minimum/);
  });
});

describe('ChartRepo', () => {
  it('serves an index.yaml from helm repo index with each chart digest and URL', async () => {
    const res = await fetch(`${repo.url}/index.yaml`, { headers: { authorization: authorized } });
    assert.equal(res.status, 200);
    const index = parse(await res.text()) as { entries: Record<string, IndexEntry[]> };
    assert.deepEqual(Object.keys(index.entries).sort(), ['cache', 'crd-maker', 'podinfo-lite']);
    for (const [name, chart] of Object.entries(packaged)) {
      const [entry] = index.entries[name]!;
      assert.equal(entry!.digest, createHash('sha256').update(readFileSync(chart.file)).digest('hex'), name);
      assert.deepEqual(entry!.urls, [`${repo.url}/${name}-${chart.version}.tgz`]);
    }
    assert.equal(packaged['podinfo-lite']!.version, '1.2.0');
    assert.equal(packaged.cache!.version, '0.3.0');
  });

  it('answers 401 with WWW-Authenticate to no or wrong credentials', async () => {
    const before = repo.requests.length;
    for (const headers of [{}, { authorization: basic(AUTH.username, 'wrong') }]) {
      const res = await fetch(`${repo.url}/index.yaml`, { headers });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    }
    const logged = repo.requests.slice(before).map((r) => `${r.path} ${r.status}`);
    assert.deepEqual(logged, ['/index.yaml 401', '/index.yaml 401']);
  });

  it('lets helm template --repo render podinfo-lite 1.2.0 with the credentials and not without', async () => {
    const args = ['template', 'rel', 'podinfo-lite', '--repo', repo.url, '--version', '1.2.0'];
    const as = ['--username', AUTH.username];
    const out = await helm([...args, ...as, '--password', AUTH.password, '--set', 'replicaCount=3']);
    assert.deepEqual(objects(out), ['Deployment/rel-podinfo-lite', 'Service/rel-podinfo-lite']);
    assert.match(out, /replicas: 3/);
    assert.ok(repo.requestsFor('/podinfo-lite-1.2.0.tgz') >= 1, 'the chart came from the repository');
    await assert.rejects(helm([...args, ...as, '--password', 'wrong']), /401/);
  });

  it('refuses connections while stopped and serves the same charts on the same URL after resume', async () => {
    const url = repo.url;
    const headers = { authorization: authorized };
    await repo.stop();
    await assert.rejects(fetch(`${url}/index.yaml`, { headers }));
    await repo.resume();
    assert.equal(repo.url, url);
    assert.equal((await fetch(`${url}/podinfo-lite-1.2.0.tgz`, { headers })).status, 200);
  });
});

describe('OciRegistry', () => {
  it('accepts helm push and serves the chart to helm template oci:// after login', async () => {
    const pushed = await registry.push(packaged['podinfo-lite']!.file);
    assert.equal(pushed.ref, `oci://${registry.host}/charts/podinfo-lite:1.2.0`);
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    const ref = `oci://${registry.host}/charts/podinfo-lite`;
    const out = await helm([
      'template',
      'rel',
      ref,
      '--version',
      '1.2.0',
      '--plain-http',
      '--registry-config',
      registry.registryConfig,
    ]);
    assert.deepEqual(objects(out), ['Deployment/rel-podinfo-lite', 'Service/rel-podinfo-lite']);
  });

  it('refuses a pull without credentials', async () => {
    const emptyConfig = join(work, 'no-login.json');
    writeFileSync(emptyConfig, '{"auths":{}}');
    const res = await fetch(`http://${registry.host}/v2/charts/podinfo-lite/tags/list`);
    assert.equal(res.status, 401);
    await assert.rejects(
      helm([
        'template',
        'rel',
        `oci://${registry.host}/charts/podinfo-lite`,
        '--version',
        '1.2.0',
        '--plain-http',
        '--registry-config',
        emptyConfig,
      ]),
      /401|unauthorized|basic credential not found/i,
    );
  });
});

describe('kustomize', () => {
  it('builds an overlay over a base with a name prefix, a label and a patched replica count', async () => {
    const base = join(work, 'kustomize', 'base');
    const overlay = join(work, 'kustomize', 'overlays', 'prod');
    mkdirSync(base, { recursive: true });
    mkdirSync(overlay, { recursive: true });
    writeFileSync(join(base, 'kustomization.yaml'), 'resources:\n  - deployment.yaml\n  - config.yaml\n');
    writeFileSync(join(base, 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\n');
    writeFileSync(
      join(base, 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  replicas: 1',
        '  selector: { matchLabels: { app: web } }',
        '  template:',
        '    metadata: { labels: { app: web } }',
        '    spec: { containers: [{ name: web, image: nginx }] }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      [
        'resources:',
        '  - ../../base',
        'namePrefix: prod-',
        'labels:',
        '  - pairs: { env: prod }',
        'patches:',
        '  - target: { kind: Deployment, name: web }',
        '    patch: |-',
        '      - op: replace',
        '        path: /spec/replicas',
        '        value: 4',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(bin.kustomize, ['build', overlay]);
    assert.deepEqual(objects(stdout), ['ConfigMap/prod-web', 'Deployment/prod-web']);
    const deployment = parseAllDocuments(stdout)
      .map((d) => d.toJS())
      .find((o) => o.kind === 'Deployment');
    assert.equal(deployment.spec.replicas, 4);
    assert.equal(deployment.metadata.labels.env, 'prod');
  });
});
