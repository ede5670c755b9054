// A plain cdk8s app, as `cdk8s init typescript-app` makes it (new App(), charts, app.synth(),
// no kit), synthesizes as it is: Keelson's objects are those the same app writes to dist/ when
// Node runs it with the real cdk8s, chart by chart in the same order; the Environment's name
// reaches the code through cdk8s's context (`app.node.tryGetContext('environment')`); and
// `keelson synth <dir>` needs no --env for it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { REPO_ROOT } from '../../harness/kube.ts';

const run = promisify(execFile);
const MAIN = `import { App, Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { SyncWave } from '@keelson/cdk8s-app';

class Backend extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const env = this.node.tryGetContext('environment') ?? 'local';
    const deployment = new kplus.Deployment(this, 'api', {
      replicas: env === 'prod' ? 3 : 1,
      containers: [{ image: 'ghcr.io/acme/api:1.0.0', portNumber: 8080, envVariables: { ENV: kplus.EnvValue.fromValue(env) } }],
    });
    deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  }
}

class Frontend extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { labels: { tier: 'frontend' } });
    new kplus.ConfigMap(this, 'settings', { data: { theme: 'dark' } });
    SyncWave.set(this, 1); // the kit's extras work in a plain app too
  }
}

const app = new App();
new Backend(app, 'backend');
new Frontend(app, 'frontend');
app.synth();
`;

describe('a plain cdk8s app', () => {
  // Inside the repository, so that Node finds cdk8s in its node_modules when it runs the app.
  mkdirSync(join(REPO_ROOT, '.keelson'), { recursive: true });
  const dir = mkdtempSync(join(REPO_ROOT, '.keelson', 'plain-app-'));
  const synthesizer = new Synthesizer({ cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'), size: 1 });

  before(async () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'main.ts'), MAIN);
    writeFileSync(join(dir, 'app', 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
    await synthesizer.start();
  });
  after(async () => {
    await synthesizer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the objects cdk8s synth writes, chart by chart, in its order', async () => {
    await run(process.execPath, ['--disable-warning=ExperimentalWarning', 'main.ts'], { cwd: join(dir, 'app') });
    const written = readdirSync(join(dir, 'app', 'dist'))
      .sort()
      .map((file) => ({
        chart: file.replace(/\.k8s\.yaml$/, ''),
        objects: parseAllDocuments(readFileSync(join(dir, 'app', 'dist', file), 'utf8')).map(
          (d) => d.toJS() as unknown,
        ),
      }));
    const { result } = await synthesizer.synthesize({ tree: new DirectoryTree(join(dir, 'app')) }, '');
    assert.deepEqual(
      result.apps.map((a) => a.name),
      ['backend', 'frontend'],
      "one app per chart, in the app's order",
    );
    const synthesized = result.apps
      .map((a) => ({ chart: a.name, objects: a.objects as unknown[] }))
      .sort((a, b) => a.chart.localeCompare(b.chart));
    assert.deepEqual(synthesized, written);
    const settings = result.apps[1]!.objects[0]!;
    assert.equal(settings.metadata.annotations?.['keelson.dev/sync-wave'], '1', "the kit's SyncWave in a plain app");
  });

  it("hands the Environment's name to the code as cdk8s context", async () => {
    const replicas = async (environment: string) => {
      const { result } = await synthesizer.synthesize({ tree: new DirectoryTree(join(dir, 'app')) }, environment);
      const api = result.apps[0]!.objects.find((o) => o.kind === 'Deployment') as unknown as {
        spec: { replicas: number };
      };
      return api.spec.replicas;
    };
    assert.equal(await replicas('prod'), 3);
    assert.equal(await replicas('dev'), 1);
  });

  it('runs the file cdk8s.yaml names (app: npx ts-node src/app.ts), and says so when it is missing', async () => {
    mkdirSync(join(dir, 'named', 'src'), { recursive: true });
    writeFileSync(join(dir, 'named', 'src', 'app.ts'), MAIN);
    writeFileSync(join(dir, 'named', 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node src/app.ts\n');
    const { result } = await synthesizer.synthesize({ tree: new DirectoryTree(join(dir, 'named')) }, 'dev');
    assert.deepEqual(
      result.apps.map((a) => a.name),
      ['backend', 'frontend'],
    );
    writeFileSync(join(dir, 'named', 'cdk8s.yaml'), 'app: npx ts-node src/missing.ts\n');
    await assert.rejects(
      synthesizer.synthesize({ tree: new DirectoryTree(join(dir, 'named')) }, 'dev'),
      /cdk8s\.yaml: its app line runs "src\/missing\.ts", which is not a file of the repository/,
    );
  });

  it('keelson synth <dir> needs no --env for it', async () => {
    const env = { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
    const { stdout } = await run('npx', ['--no-install', 'keelson', 'synth', join(dir, 'app')], {
      cwd: REPO_ROOT,
      env,
    });
    const kinds = parseAllDocuments(stdout).map((d) => (d.toJS() as { kind: string }).kind);
    assert.deepEqual(kinds.sort(), ['ConfigMap', 'Deployment', 'Service']);
  });
});
