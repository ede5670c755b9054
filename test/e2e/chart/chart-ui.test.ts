// The chart's ui.enabled: the web UI is on by default and `ui.enabled=false` passes --ui=false.
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

async function operatorArgs(...set: string[]): Promise<string[]> {
  const { stdout } = await run(helm, ['template', 'ui', CHART, ...set.flatMap((s) => ['--set', s])], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const deployment = (k8s.loadAllYaml(stdout) as k8s.KubernetesObject[]).find(
    (d) => d.kind === 'Deployment',
  ) as k8s.V1Deployment;
  return deployment.spec!.template.spec!.containers[0]!.args!;
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
});
