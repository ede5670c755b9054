// The logs of a failed hook's pod, against the real control plane (kwok's kubelet API serves
// every container's log: test/harness/kwok-container-log.txt), the operator and Chromium. An
// Environment whose PreSync migration Job fails (kwok's `test.keelson.dev/outcome: fail`):
// GET …/hooklogs answers the lines kwok serves for the Job's pod, the same the API server's
// pods/log answers; a caller without `get` on `pods/log` in the target namespace is refused;
// a Job of the namespace that is not a hook of the operation is 404; and the operation view
// of the failed sync shows the lines under the failed hook's Logs button.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, watchedPage } from '../../harness/browser.ts';
import { CONTAINER_LOG } from '../../harness/control-plane.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';
import { clickButton, DESKTOP, login, shot, unexpected, waitForElementText, waitForText } from './browser-fixtures.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);

/** What kwok serves for every container: the CRI lines of CONTAINER_LOG without timestamp, stream and tag. */
const SERVED = readFileSync(CONTAINER_LOG, 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => line.split(' ').slice(3).join(' '));

const deployRepo = {
  'main.ts': `import { ApiObject } from 'cdk8s';
import { App, Hook, defineEnvironments } from '@keelson/cdk8s-app';

class Shop extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    Hook.mark(new ApiObject(this, 'migrate', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' },
      spec: { backoffLimit: 0, template: { metadata: { annotations: { 'test.keelson.dev/outcome': 'fail' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'registry.example/migrate:1' }] } } },
    }), { phase: 'PreSync' });
    new ApiObject(this, 'seed', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'seed' },
      spec: { template: { spec: { restartPolicy: 'Never',
        containers: [{ name: 'seed', image: 'registry.example/seed:1' }] } } },
    });
  }
}

export default defineEnvironments({ prod: (env) => { new Shop(env, 'shop'); } });
`,
};

interface HookLogsBody {
  readonly job?: string;
  readonly pod?: string;
  readonly podPhase?: string;
  readonly containers?: { container: string; lines: string[]; truncated: boolean; error?: string }[];
  readonly error?: string;
}

describe('the logs of a failed hook pod', { timeout: 300_000 }, () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let browser: Browser;
  let base: string;
  let target: string;
  let job: string;
  const tokens: Record<string, string> = {};

  const hookLogs = async (user: string, query: string): Promise<{ status: number; body: HookLogsBody }> => {
    const res = await fetch(`${base}/api/v1/namespaces/${story.ns}/environments/prod/hooklogs?${query}`, {
      headers: { authorization: `Bearer ${tokens[user]}` },
    });
    return { status: res.status, body: (await res.json()) as HookLogsBody };
  };

  before(async () => {
    await story.setUp({ prefix: 'hooklogs', files: deployRepo, environments: { prod: {} } });
    target = story.targets.prod!;
    operator = await story.startOperator();
    base = `http://127.0.0.1:${operator.apiPort}`;
    // The deployer may read pod logs in the target namespace; the viewer may only get Environments.
    tokens.deployer = await story.deployerToken();
    tokens.viewer = await story.viewerToken();
    const rules = [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }];
    await rbac.createNamespacedRole({ namespace: target, body: { metadata: { name: 'pod-logs' }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace: target,
      body: {
        metadata: { name: 'pod-logs' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-logs' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: story.ns }],
      },
    });
    await story.until('prod', 'prod OutOfSync', (e) => e.status?.sync?.status === 'OutOfSync');
    const sync = await fetch(`${base}/api/v1/namespaces/${story.ns}/environments/prod/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.deployer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(sync.status, 202, await sync.text());
    const failed = await story.until('prod', 'the sync failed on its PreSync hook', (e) => {
      const op = e.status?.operation;
      return op?.phase === 'Failed' && op.tasks?.some((t) => t.phase === 'PreSync' && t.status === 'Failed') === true;
    });
    job = failed.status!.operation!.tasks!.find((t) => t.phase === 'PreSync')!.hookName!;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await operator?.stop();
    await story.tearDown();
  });

  it("answers the lines kwok serves for the failed hook's pod, as the API server's pods/log does", async () => {
    const { status, body } = await hookLogs('deployer', `job=${job}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.job, job);
    assert.equal(body.podPhase, 'Failed');
    const pods = await core.listNamespacedPod({ namespace: target, labelSelector: `job-name=${job}` });
    assert.deepEqual(
      pods.items.map((p) => p.metadata!.name),
      [body.pod],
    );
    assert.deepEqual(body.containers, [{ container: 'migrate', lines: SERVED, truncated: false }]);
    // The same lines `kubectl logs` reads through the API server from kwok.
    const direct = await core.readNamespacedPodLog({ namespace: target, name: body.pod!, container: 'migrate' });
    assert.deepEqual(direct.trimEnd().split('\n'), SERVED);

    const last = await hookLogs('deployer', `job=${job}&tailLines=1`);
    assert.deepEqual(last.body.containers, [{ container: 'migrate', lines: SERVED.slice(-1), truncated: true }]);
  });

  it('refuses a caller who may get the Environment but not pods/log in its target namespace', async () => {
    const { status, body } = await hookLogs('viewer', `job=${job}`);
    assert.equal(status, 403, JSON.stringify(body));
    assert.match(body.error ?? '', new RegExp(`may not get pods/log in namespace ${target}$`));
    assert.equal(body.containers, undefined);
  });

  it('answers 404 for a Job that is not a hook of the operation, though it is in the namespace', async () => {
    // A Job with a pod in the target namespace that Keelson did not start as a hook.
    await batch.createNamespacedJob({
      namespace: target,
      body: {
        metadata: { name: 'stray' },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'test.keelson.dev/outcome': 'fail' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'stray', image: 'registry.example/stray:1' }] },
          },
        },
      },
    });
    await eventually(
      async () => (await core.listNamespacedPod({ namespace: target, labelSelector: 'job-name=stray' })).items[0],
      { message: 'the stray Job has a pod' },
    );
    for (const name of ['stray', 'seed', 'migrate']) {
      const { status, body } = await hookLogs('deployer', `job=${name}`);
      assert.equal(status, 404, `${name}: ${JSON.stringify(body)}`);
      assert.match(body.error ?? '', new RegExp(`^Job ${name} is not a hook of ${story.ns}/prod: .* ${job}$`));
    }
  });

  it("shows the failed hook's log lines in the operation view of the failed sync", async () => {
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
    await login(page, base, tokens.deployer!);
    await page.goto(`${base}/ui/environments/${story.ns}/prod`);
    await waitForElementText(page, '.operation', /Failed[\s\S]*PreSync[\s\S]*Job migrate-[0-9a-f]{8}/);
    await clickButton(page, 'Logs');
    const pane = `[role="region"][aria-label="Logs of hook Job ${job}"]`;
    await waitForElementText(page, pane, new RegExp(SERVED.map(escape).join('\\n')));
    const shown = (await page.evaluate(`(() => {
      const pre = document.querySelector('${pane} pre');
      const button = document.querySelector('button[aria-controls="logs-${job}"]');
      const expanded = button?.getAttribute('aria-expanded');
      return { label: pre?.getAttribute('aria-label'), tabIndex: pre?.tabIndex, expanded };
    })()`)) as { label: string; tabIndex: number; expanded: string };
    assert.deepEqual(shown, { label: 'Log of container migrate', tabIndex: 0, expanded: 'true' });
    await waitForText(page, new RegExp(`Pod ${escape(job)}-[a-z0-9]+ \\(Failed\\)`));
    await (await page.$('#h-operation'))?.scrollIntoView();
    await shot(page, 'hook-logs');
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
