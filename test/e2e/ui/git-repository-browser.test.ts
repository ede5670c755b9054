// The GitRepository pages in a real Chromium against the real operator, control plane and Git
// server: a deployer (docs/ui.md's role) opens the GitRepositories from the navigation, then
// the deploy repository, sees its fetched revision and the Environment that uses it, presses
// Refresh and sees the operator handle it. A viewer who may read GitRepositories sees no
// Refresh button, and the API refuses the call anyway. The page fits a phone's width.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, watchedPage } from '../../harness/browser.ts';
import { exampleFiles } from '../../harness/example-deploy-repo.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';
import type { GitRepositoryResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { clickButton, DESKTOP, login, shot, text, unexpected, waitForText } from './browser-fixtures.ts';
import { serviceAccountWith } from './ui-fixtures.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const PHONE = { width: 390, height: 844 };

describe('the GitRepository pages in Chromium', { timeout: 600_000 }, () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let browser: Browser;
  let base: string;

  const deploy = async () =>
    (await custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: story.ns,
      plural: 'gitrepositories',
      name: 'deploy',
    })) as GitRepositoryResource;

  before(async () => {
    await story.setUp({
      prefix: 'ui-git',
      files: exampleFiles(),
      passStore: true,
      environments: { dev: {} },
    });
    operator = await story.startOperator();
    base = `http://127.0.0.1:${operator.apiPort}`;
    await eventually(async () => (await deploy()).status?.artifact?.revision, { message: 'deploy fetched' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await operator?.stop();
    await story.tearDown();
  });

  it('a deployer opens it from the navigation, sees the revision and dev, and presses Refresh', async () => {
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, DESKTOP);
    await login(page, base, await story.deployerToken());
    await page.click('nav[aria-label="Main"] a[href="/ui/gitrepositories"]');
    await waitForText(page, new RegExp(`${story.ns}/deploy`));
    // The list is live: a repository created meanwhile appears without a reload.
    await story.create('GitRepository', 'later', { url: story.git.url('deploy'), insecure: true, interval: '10m' });
    await waitForText(page, new RegExp(`${story.ns}/later`), 15_000);
    await waitForText(page, /GitRepositories\s*Live/);
    await shot(page, 'gitrepositories');
    await page.click(`a[href="/ui/gitrepositories/${story.ns}/deploy"]`);
    const { revision } = (await deploy()).status!.artifact!;
    const short = revision.replace(/@sha1:([0-9a-f]{7})[0-9a-f]{33}$/, '@$1');
    const shown = await waitForText(page, /Environments using it[\s\S]*dev/);
    assert.match(shown, new RegExp(`Fetched revision\\s+${short}`), shown);
    assert.match(shown, /Ref\s+branch main/);
    assert.ok(await page.$(`a[href="/ui/environments/${story.ns}/dev"]`), 'dev links to its page');

    const before = (await deploy()).status?.lastHandledRefreshAt;
    await clickButton(page, 'Refresh');
    await waitForText(page, /Refresh requested\./);
    const handled = await eventually(
      async () => {
        const repo = await deploy();
        const token = repo.metadata.annotations?.['keelson.dev/refresh-requested-at'];
        return token && token !== before && repo.status?.lastHandledRefreshAt === token ? token : undefined;
      },
      { message: 'the refresh handled' },
    );
    assert.ok(handled);
    // The page hears it over its stream: the time of the handled refresh is this request's.
    await page.waitForSelector(`time[datetime="${handled}"]`, { timeout: 30_000 });
    await shot(page, 'gitrepository');
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });

  it('a viewer sees no Refresh button and the API refuses it; the page fits a phone', async () => {
    const rules = (resources: string[]) => ({ apiGroups: ['keelson.dev'], resources, verbs: ['get', 'list'] });
    const token = await serviceAccountWith(kc, story.ns, 'repo-viewer', [rules(['environments', 'gitrepositories'])]);
    const context = await browser.createBrowserContext();
    const { page, problems } = await watchedPage(context as unknown as Browser, PHONE);
    await login(page, base, token);
    await page.goto(`${base}/ui/gitrepositories/${story.ns}/deploy`);
    await waitForText(page, /Environments using it[\s\S]*dev/);
    const buttons = (await page.evaluate(
      `[...document.querySelectorAll('button')].map((b) => b.textContent.trim())`,
    )) as string[];
    assert.ok(!buttons.includes('Refresh') && !buttons.includes('Suspend'), buttons.join(', '));
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= PHONE.width, `the page is ${width} px wide on a ${PHONE.width} px phone`);
    await shot(page, 'gitrepository-phone');
    const status = await page.evaluate(`(async () => {
      const session = await (await fetch('/ui/api/session')).json();
      const res = await fetch('/api/v1/namespaces/${story.ns}/gitrepositories/deploy/refresh', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-keelson-csrf': session.csrf }, body: '{}' });
      return res.status;
    })()`);
    assert.equal(status, 403, await text(page));
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(
      unexpected(problems).filter((e) => !/403/.test(e)),
      [],
    );
    await context.close();
  });
});
