// The operator image (image/build.sh, `make image`) run with podman against the harness control
// plane: host network, read-only root filesystem, uid 10001, no capabilities. It syncs the example
// deploy repository (a pass secret, Helm charts and a Kustomize overlay rendered by the image's own
// helm and kustomize) to Synced and Healthy. `make test-image` builds the image and runs this file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { exampleFiles } from '../../harness/example-deploy-repo.ts';
import { Story } from '../../harness/story.ts';
import { ImageOperator, podman } from './image-operator.ts';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';

const run = promisify(execFile);
const kc = loadKubeConfig();
let image = '';
let story: Story;
let operator: ImageOperator | undefined;
let scratch = '';

/** Runs `node -e <script>` in the image as the operator runs (read-only, uid 10001); resolves with stdout. */
async function inImage(script: string): Promise<string> {
  const args = ['run', '--rm', '--read-only', '--user', '10001:10001', '--entrypoint', '/usr/local/bin/node'];
  return (await podman([...args, image, '-e', script])).stdout.trim();
}

describe('the operator image', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    const built = await run(join(REPO_ROOT, 'image', 'build.sh'), [], { maxBuffer: 64 * 1024 * 1024 });
    image = built.stdout.trim().split('\n').at(-1)!;
    assert.match(image, /^[\w./-]+:[\w.-]+$/, `image/build.sh printed no image name: ${built.stdout}`);
    scratch = mkdtempSync(join(tmpdir(), 'keelson-image-e2e-'));
  });

  after(async () => {
    if (operator) await operator.stop();
    await story?.tearDown();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('runs as uid 10001 with the OCI labels, no shell, package manager or compiler', async () => {
    const { stdout } = await podman(['image', 'inspect', '--format', '{{json .Config}}', image]);
    const config = JSON.parse(stdout) as { User: string; Labels: Record<string, string> };
    assert.equal(config.User, '10001:10001');
    for (const label of ['source', 'revision', 'version', 'created'])
      assert.ok(config.Labels[`org.opencontainers.image.${label}`], `label org.opencontainers.image.${label} is set`);
    assert.match(config.Labels['org.opencontainers.image.revision']!, /^[0-9a-f]{40}(-dirty)?$/);
    const found = await inImage(
      `const fs = require('fs');
       const paths = ['/bin/sh', '/usr/bin/bash', '/usr/bin/dpkg', '/usr/bin/apt', '/usr/bin/apt-get', '/usr/bin/gcc',
         '/usr/bin/cc', '/usr/bin/perl', '/usr/local/bin/helm', '/usr/local/bin/kustomize'];
       console.log(JSON.stringify({ uid: process.getuid(), present: paths.filter((p) => fs.existsSync(p)) }));`,
    );
    assert.deepEqual(JSON.parse(found), { uid: 10001, present: ['/usr/local/bin/helm', '/usr/local/bin/kustomize'] });
  });

  it('has a read-only root filesystem and writes only to /tmp and /var/cache/keelson', async () => {
    const out = await inImage(
      `const fs = require('fs');
       const tryWrite = (dir) => {
         try { fs.writeFileSync(dir + '/probe', 'x'); return 'ok'; } catch (e) { return e.code; }
       };
       console.log(JSON.stringify(['/', '/app', '/etc', '/tmp'].map(tryWrite)));`,
    );
    assert.deepEqual(JSON.parse(out), ['EROFS', 'EROFS', 'EROFS', 'ok']);
  });

  it('syncs the example deploy repository to Synced and Healthy', async () => {
    story = new Story(kc);
    await story.setUp({
      prefix: 'image',
      files: exampleFiles(),
      passStore: true,
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } } },
    });
    // The kubeconfig the container reads as uid 10001: a copy the operator's user may read.
    const kubeconfig = join(scratch, 'kubeconfig');
    copyFileSync(process.env.KUBECONFIG!, kubeconfig);
    await run('chmod', ['0644', kubeconfig]);
    operator = new ImageOperator({ image, kubeconfig, args: [`--namespaces=${story.namespaces.join(',')}`] });
    await operator.start();
    await operator.waitLeading();
    const dev = await story.until(
      'dev',
      'dev Synced and Healthy, synced by the operator in the image',
      (e: EnvironmentResource) =>
        e.status?.sync?.status === 'Synced' &&
        e.status?.health?.status === 'Healthy' &&
        e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: 180_000 },
    );
    assert.ok((dev.status?.resources ?? []).length > 10, 'the example applied its objects');
    assert.match(operator.logs(), /"keelson operator serving"/);
    assert.doesNotMatch(operator.logs(), /EROFS|EACCES/, 'the operator wrote nowhere it may not');
  });
});
