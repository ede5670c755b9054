// The chart's ui values: the web UI is on by default and `ui.enabled=false` passes --ui=false;
// ui.sso passes the --oidc-* flags and mounts the issuer's CA.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { ensureBinaries } from '../../harness/binaries.ts';
import { REPO_ROOT } from '../../harness/kube.ts';

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'charts', 'keelson');
let helm = '';

async function operatorPod(...set: string[]): Promise<k8s.V1PodSpec> {
  const { stdout } = await run(helm, ['template', 'ui', CHART, ...set.flatMap((s) => ['--set', s])], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const deployment = (k8s.loadAllYaml(stdout) as k8s.KubernetesObject[]).find(
    (d) => d.kind === 'Deployment',
  ) as k8s.V1Deployment;
  return deployment.spec!.template.spec!;
}

async function operatorArgs(...set: string[]): Promise<string[]> {
  return (await operatorPod(...set)).containers[0]!.args!;
}

describe('charts/keelson ui.enabled', () => {
  before(async () => {
    helm = (await ensureBinaries()).helm;
  });

  it('serves the UI by default, and not with ui.enabled=false', async () => {
    assert.ok((await operatorArgs()).includes('--ui=true'));
    const off = await operatorArgs('ui.enabled=false');
    assert.ok(off.includes('--ui=false'));
    assert.ok(!off.includes('--ui=true'));
  });

  it('passes ui.sso to the operator, mounting the CA ConfigMap, and nothing of it by default', async () => {
    const sso = ['ui.sso.issuerUrl=https://dex.example.com/dex', 'ui.sso.clientId=keelson'];
    const pod = await operatorPod(...sso, 'ui.sso.caConfigMap=dex-ca', 'ui.sso.scopes={openid,email}');
    const args = pod.containers[0]!.args!;
    for (const flag of [
      '--oidc-issuer-url=https://dex.example.com/dex',
      '--oidc-client-id=keelson',
      '--oidc-scopes=openid,email',
      '--oidc-ca-file=/etc/keelson/oidc-ca/ca.crt',
    ])
      assert.ok(args.includes(flag), flag);
    assert.deepEqual(pod.volumes?.find((v) => v.name === 'oidc-ca')?.configMap?.name, 'dex-ca');
    const mount = pod.containers[0]!.volumeMounts?.find((m) => m.name === 'oidc-ca');
    assert.equal(mount?.mountPath, '/etc/keelson/oidc-ca');
    const withoutCa = await operatorArgs(...sso);
    assert.ok(withoutCa.includes('--oidc-scopes=openid,email,profile,groups'), 'the default scopes');
    assert.ok(!withoutCa.some((a) => a.startsWith('--oidc-ca-file')));
    const byDefault = await operatorPod();
    assert.ok(!byDefault.containers[0]!.args!.some((a) => a.startsWith('--oidc-')));
    assert.ok(!byDefault.volumes?.some((v) => v.name === 'oidc-ca'));
    await assert.rejects(operatorArgs(sso[0]!), /ui\.sso\.clientId/, 'an issuer without a client id fails');
  });
});
