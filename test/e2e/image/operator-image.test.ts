// The operator image (image/build.sh, `make image`) run with podman against the harness control
// plane: host network, read-only root filesystem, uid 10001, no capabilities. It syncs the example
// deploy repository (a pass secret, Helm charts and a Kustomize overlay rendered by the image's own
// helm and kustomize) to Synced and Healthy. `make test-image` builds the image and runs this file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
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

const BINDING = `keelson-image-e2e-${process.pid}`;

/**
 * A ServiceAccount of `namespace` bound to cluster-admin, and a folder uid 10001 may read with
 * its token and the API server's CA, as the kubelet mounts them in a pod.
 */
async function podServiceAccount(namespace: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'keelson' } } });
  await kc.makeApiClient(k8s.RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: BINDING },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'keelson', namespace }],
    },
  });
  const issued = await core.createNamespacedServiceAccountToken({
    name: 'keelson',
    namespace,
    body: { spec: { expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : readFileSync(cluster.caFile!);
  const dir = join(scratch, 'serviceaccount');
  mkdirSync(dir, { mode: 0o755 });
  writeFileSync(join(dir, 'token'), issued.status!.token!, { mode: 0o644 });
  writeFileSync(join(dir, 'ca.crt'), ca, { mode: 0o644 });
  writeFileSync(join(dir, 'namespace'), namespace, { mode: 0o644 });
  return dir;
}

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
    await kc
      .makeApiClient(k8s.RbacAuthorizationV1Api)
      .deleteClusterRoleBinding({ name: BINDING })
      .catch(() => undefined);
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

  it('syncs the example deploy repository to Synced and Healthy, connected as in a pod', async () => {
    story = new Story(kc);
    await story.setUp({
      prefix: 'image',
      files: exampleFiles(),
      passStore: true,
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } } },
    });
    // No kubeconfig: the service account's token and CA where the kubelet mounts them, and the
    // API server in KUBERNETES_SERVICE_HOST/_PORT, read by the operator's own loader (ADR 0024).
    const serviceAccountDir = await podServiceAccount(story.namespaces[0]!);
    const server = new URL(kc.getCurrentCluster()!.server);
    operator = new ImageOperator({
      image,
      connection: { serviceAccountDir, server },
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
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
    assert.match(operator.logs(), /"keelson operator serving".*"kubeContext":"inCluster"/, 'connected as a pod does');
  });
});
