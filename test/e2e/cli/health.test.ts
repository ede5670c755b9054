// `keelson health` as a user runs it on object dumps: the built-in rules (an ecosystem kind
// included), the user's Lua rules from Argo CD's `<group>/<Kind>/health.lua` layout overriding
// them, -o json, and exit 1 naming the file for YAML that does not parse or a rule that does
// not compile (unhealthy objects still exit 0).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/kube.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function keelson(...args: string[]): Promise<Run> {
  const env = { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  return new Promise((resolve) => {
    execFile('npx', ['--no-install', 'keelson', ...args], { cwd: REPO_ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'keelson-health-cli-'));
const file = (path: string, text: string) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
  return join(dir, path);
};
const objects = file(
  'objects.yaml',
  `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web-tls, namespace: shop}
spec: {secretName: web-tls}
---
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop, generation: 2}
    spec: {replicas: 2}
    status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: shop}
`,
);
file(
  'rules/cert-manager.io/Certificate/health.lua',
  `hs = { status = "Degraded", message = "our issuer is down (lua)" }
return hs
`,
);
file('rules/ConfigMap/health.lua', 'return { status = "Suspended", message = "frozen by the platform team" }\n');

describe('keelson health', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("judges every object of the files with the built-in rules, a List's items included", async () => {
    const run = await keelson('health', objects);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^KIND\s+NAME\s+NAMESPACE\s+STATUS\s+MESSAGE\n/);
    assert.match(run.stdout, /Certificate\s+web-tls\s+shop\s+Progressing\s+\S/);
    assert.match(run.stdout, /Deployment\s+web\s+shop\s+Healthy/);
    assert.match(run.stdout, /ConfigMap\s+settings\s+shop\s+Healthy/);
  });

  it("the user's Lua rules override the built-in ones; -o json lists kind, name, namespace, status, message", async () => {
    const run = await keelson('health', objects, '--rules', join(dir, 'rules'), '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [
      {
        kind: 'Certificate',
        name: 'web-tls',
        namespace: 'shop',
        status: 'Degraded',
        message: 'our issuer is down (lua)',
      },
      { kind: 'Deployment', name: 'web', namespace: 'shop', status: 'Healthy' },
      {
        kind: 'ConfigMap',
        name: 'settings',
        namespace: 'shop',
        status: 'Suspended',
        message: 'frozen by the platform team',
      },
    ]);
  });

  it('exits 1 naming the file and document for YAML that does not parse', async () => {
    const run = await keelson('health', file('broken.yaml', 'kind: ConfigMap\n---\nmetadata: [\n'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.yaml: document 2 is not valid YAML/);
    assert.equal(run.stdout, '');
  });

  it('exits 1 naming the script for a rule that does not compile', async () => {
    file('bad-rules/apps/Deployment/health.lua', 'hs = { status = \n');
    const run = await keelson('health', objects, '--rules', join(dir, 'bad-rules'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /apps\/Deployment\/health\.lua.*does not compile|health\.lua:\d+/);
  });
});
