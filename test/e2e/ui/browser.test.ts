// The web UI in a real Chromium against the real operator (from the runtime tree, UI built
// into it), control plane, Git server and pass store: the example deploy repo's `dev` syncs by
// itself, `prod` waits. A deployer logs in with a token, sees dev Synced/Healthy and prod
// OutOfSync, opens prod, reads its diff, presses SYNC and watches the hooks and waves run to
// Synced/Healthy, with the resource tree of what its objects own, then rolls back from the
// history. A viewer sees no SYNC button, and the API refuses the POST anyway. No CSP
// violation, no console error but the 401 before login.
// Screenshots go to .keelson/screenshots/ (KEELSON_UI_SCREENSHOTS=docs: docs/screenshots/).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, watchedPage } from '../../harness/browser.ts';
import { exampleFiles } from '../../harness/example-deploy-repo.ts';
import { loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import {
  clickButton,
  DESKTOP,
  login,
  rows,
  shot,
  unexpected,
  waitForElementText,
  waitForText,
} from './browser-fixtures.ts';

const kc = loadKubeConfig();

const synced = (e: EnvironmentResource) =>
  e.status?.sync?.status === 'Synced' &&
  e.status?.health?.status === 'Healthy' &&
  e.status?.operation?.phase === 'Succeeded' &&
  e.status.history?.[0]?.operationId === e.status.operation.id;

describe('the web UI in Chromium', { timeout: 600_000 }, () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let browser: Browser;
  let base: string;
  let files: Record<string, string>;

  before(async () => {
    files = exampleFiles();
    await story.setUp({
      prefix: 'ui',
      files,
      passStore: true,
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } }, prod: {} },
    });
    operator = await story.startOperator();
    base = `http://127.0.0.1:${operator.apiPort}`;
    await story.until('dev', 'dev synced', synced);
    await story.until('prod', 'prod OutOfSync', (e) => e.status?.sync?.status === 'OutOfSync');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await operator?.stop();
    await story.tearDown();
  });

  it('a deployer sees dev Synced/Healthy and prod OutOfSync, reads the diff, presses SYNC and watches it', async () => {
    // Each case in a context of its own: its own cookies, so its own session.
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
    await login(page, base, await story.deployerToken());
    await waitForText(page, new RegExp(`${story.ns}/prod[\\s\\S]*OutOfSync`));
    const overview = await rows(page);
    const dev = overview.find((r) => r.includes(`${story.ns}/dev`));
    const prod = overview.find((r) => r.includes(`${story.ns}/prod`));
    assert.match(dev ?? '', /Synced.*Healthy.*automated/, overview.join('\n'));
    assert.match(prod ?? '', /OutOfSync.*manual/, overview.join('\n'));
    assert.ok(overview.indexOf(prod!) < overview.indexOf(dev!), 'the Environment needing attention comes first');
    await shot(page, 'overview');

    await page.click(`a[href="/ui/environments/${story.ns}/prod"]`);
    await waitForText(page, /SYNC[\s\S]*Diff/);
    await waitForText(page, /\+\+\+ desired Deployment \S+\/api/);
    await shot(page, 'environment-diff');

    await clickButton(page, 'SYNC');
    await waitForText(page, /Prune: delete the objects/);
    await shot(page, 'sync-dialog');
    await clickButton(page, 'Sync');
    // The operation as it runs, in the page's Operation section: the PreSync migration hook, then the waves.
    await waitForElementText(page, '.operation', /PreSync/, 60_000);
    await shot(page, 'sync-running');
    await story.until('prod', 'prod synced by the UI', synced);
    const done = await waitForText(page, /Synced[\s\S]*Healthy/, 30_000);
    assert.doesNotMatch(done, /OutOfSync/);
    // The resource tree: what the Deployment owns (its ReplicaSet, and that one's Pods), with their health.
    await waitForText(
      page,
      /Deployment\/api[\s\S]*↳ ReplicaSet\/api-[0-9a-z]+[\s\S]*↳ Pod\/api-[0-9a-z]+-[0-9a-z]+/,
      30_000,
    );
    await (await page.$('#h-resources'))?.scrollIntoView();
    await shot(page, 'resource-tree');
    const tree = (await (
      await fetch(`${base}/api/v1/namespaces/${story.ns}/environments/prod/tree`, {
        headers: { authorization: `Bearer ${await story.deployerToken()}` },
      })
    ).json()) as {
      items: { key: string; children: { kind: string; children: { kind: string; health: { status: string } }[] }[] }[];
      unread: string[];
    };
    const api = tree.items.find((i) => i.key === `apps/Deployment/${story.targets.prod}/api`)!;
    assert.equal(api.children[0]!.kind, 'ReplicaSet');
    assert.ok(api.children[0]!.children.length >= 1, 'its Pods');
    assert.ok(api.children[0]!.children.every((p) => p.kind === 'Pod' && p.health.status !== undefined));
    assert.deepEqual(tree.unread, []);
    const env = await story.environment('prod');
    assert.equal(env.status?.history?.[0]?.initiatedBy?.username, `system:serviceaccount:${story.ns}:deployer`);

    // A resource action from the row's menu: restart the api Deployment.
    const target = story.targets.prod!;
    await page.click(`button[aria-controls="actions-${target}-Deployment-api"]`);
    await clickButton(page, 'Restart');
    await waitForText(page, /Restart Deployment/);
    await clickButton(page, 'Restart');
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const restartedAt = async () =>
      (await apps.readNamespacedDeployment({ name: 'api', namespace: target })).spec?.template.metadata?.annotations?.[
        'kubectl.kubernetes.io/restartedAt'
      ];
    const deadline = Date.now() + 20_000;
    while (!(await restartedAt()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(await restartedAt(), 'the Deployment was restarted from the UI');
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });

  it('a viewer sees no SYNC button, and the API refuses the POST the button would send', async () => {
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
    await login(page, base, await story.viewerToken());
    await page.goto(`${base}/ui/environments/${story.ns}/prod`);
    await waitForText(page, /Conditions/);
    const buttons = (await page.evaluate(
      `[...document.querySelectorAll('button')].map((b) => b.textContent.trim())`,
    )) as string[];
    assert.ok(!buttons.includes('SYNC'), buttons.join(', '));
    // The same POST the page would send, with the session cookie and its CSRF value.
    const status = await page.evaluate(`(async () => {
      const session = await (await fetch('/ui/api/session')).json();
      const res = await fetch('/api/v1/namespaces/${story.ns}/environments/prod/sync', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-keelson-csrf': session.csrf }, body: '{}' });
      return res.status;
    })()`);
    assert.equal(status, 403);
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(
      unexpected(problems).filter((e) => !/403/.test(e)),
      [],
    );
    await context.close();
  });

  it('rolls prod back from the history, saying that a rollback pauses automated sync', async () => {
    const first = (await story.environment('prod')).status!.history![0]!;
    const images = JSON.parse(files['images.json']!) as Record<string, Record<string, string>>;
    images.prod!.api = 'ghcr.io/acme/shop-api:1.4.4';
    const commit = await story.repo.commit(
      { 'images.json': `${JSON.stringify(images, null, 2)}\n` },
      'api 1.4.4 to prod',
    );
    await story.refresh();
    await story.until('prod', 'prod OutOfSync at 1.4.4', (e) => commitOf(e.status?.sync?.revision) === commit);
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
    await login(page, base, await story.deployerToken());
    await page.goto(`${base}/ui/environments/${story.ns}/prod`);
    await waitForText(page, /SYNC/);
    await clickButton(page, 'SYNC');
    await clickButton(page, 'Sync');
    await story.until(
      'prod',
      'prod synced at 1.4.4',
      (e) => synced(e) && commitOf(e.status?.operation?.revision) === commit,
    );
    await waitForText(page, /A rollback pauses automated sync until you resume it/);
    await page.evaluate(
      `[...document.querySelectorAll('button')].find((b) => b.textContent.includes('Roll back') && b.textContent.includes(${JSON.stringify(commitOf(first.revision)!.slice(0, 7))}))?.click()`,
    );
    await waitForText(page, /Roll back to/);
    await shot(page, 'rollback-dialog');
    await clickButton(page, 'Roll back');
    // Back at the first revision, and so OutOfSync against the latest one, as a rollback leaves it.
    const back = await story.until(
      'prod',
      'prod back at the first revision',
      (e) =>
        e.status?.operation?.phase === 'Succeeded' &&
        e.status.history?.[0]?.operationId === e.status.operation.id &&
        e.status.history[0].revision === first.revision,
    );
    assert.equal(back.status?.sync?.status, 'OutOfSync');
    await waitForText(page, /OutOfSync/);
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });
});
