// Sync windows (ADR 0020) against the real control plane, with windows placed relative to the
// real clock: a shared deny SyncWindow in another time zone holds prod's automated sync and
// refuses a manual one, until manualSync is switched on; when the window closes the held
// revision syncs by itself (the operator's periodic check is 5 minutes, the window 3). A
// per-Environment allow window with manualSync holds dev's automated policy but lets a person
// sync, and a window the operator cannot evaluate stalls its Environment, naming the field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { KeelsonResources } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { ANNOTATION_SYNC_REQUESTED_AT } from '../../../operator/src/core/keys.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const MINUTE = 60_000;

function deployRepo(value: string): Record<string, string> {
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Settings extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'settings', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { value: '${value}' },
    });
  }
}

const settings = (env: any) => { new Settings(env, 'settings'); };
export default defineEnvironments({ prod: settings, dev: settings, broken: settings });
`,
  };
}

const cli = runKeelson;

/** The wall clock of `t` in `timeZone`. */
function clock(t: number, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' })
    .formatToParts(t)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return { hour: Number(parts.hour), minute: Number(parts.minute) };
}

describe('sync windows', () => {
  const story = new Story(kc);
  const resources = new KeelsonResources(kc);
  let operator: OperatorProcess;
  let freezeCloses = 0;
  let officeOpens = 0;
  const officeHour = (clock(Date.now(), 'Europe/Berlin').hour + 2) % 24;

  before(async () => {
    // Leave the window most of its minute: it opens at the start of the minute it is made in.
    if (new Date().getUTCSeconds() > 40) await sleep(MINUTE - new Date().getUTCSeconds() * 1000);
    const opened = Math.floor(Date.now() / MINUTE) * MINUTE;
    freezeCloses = opened + 3 * MINUTE;
    for (let t = opened; ; t += MINUTE) {
      const c = clock(t, 'Europe/Berlin');
      if (t > Date.now() && c.hour === officeHour && c.minute === 0) {
        officeOpens = t;
        break;
      }
    }
    await story.setUp({
      prefix: 'windows',
      files: deployRepo('one'),
      environments: {
        prod: { sync: { automated: { prune: true } } },
        dev: {
          sync: {
            automated: {},
            windows: [
              {
                name: 'office',
                kind: 'allow',
                schedule: `0 ${officeHour} * * *`,
                duration: '1h',
                timeZone: 'Europe/Berlin',
                manualSync: true,
              },
            ],
          },
        },
        broken: { sync: { automated: {}, windows: [{ kind: 'deny', schedule: '@daily', duration: '30s' }] } },
      },
    });
    await story.custom.patchNamespacedCustomObject(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: story.ns,
        plural: 'environments',
        name: 'prod',
        body: { metadata: { labels: { tier: 'prod' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const kolkata = clock(opened, 'Asia/Kolkata');
    await story.custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: story.ns,
      plural: 'syncwindows',
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'SyncWindow',
        metadata: { name: 'freeze' },
        spec: {
          kind: 'deny',
          schedule: `${kolkata.minute} ${kolkata.hour} * * *`,
          duration: '3m',
          timeZone: 'Asia/Kolkata',
          selector: { matchLabels: { tier: 'prod' } },
        },
      },
    });
    operator = await story.startOperator();
  });
  after(async () => {
    await operator?.stop();
    resources.close();
    await story.tearDown();
  });

  it('a deny SyncWindow holds the automated sync of the Environments it selects and says until when', async () => {
    const env = await story.until('prod', 'prod held by the window', (e) => e.status?.syncWindow?.allowed === false);
    assert.deepEqual(env.status?.syncWindow?.activeWindows, ['SyncWindow/freeze']);
    assert.equal(Date.parse(env.status?.syncWindow?.nextChange ?? ''), freezeCloses);
    assert.equal(env.status?.operation, undefined, 'no sync started');
    const synced = env.status?.conditions?.find((c) => c.type === 'Synced');
    assert.match(synced?.message ?? '', /sync window closed: deny window SyncWindow\/freeze is open until/);
    const windows = await cli('windows', 'prod', '-n', story.ns);
    assert.equal(windows.code, 0, windows.out);
    assert.match(windows.out, /SyncWindow\/freeze\s+deny\s+.*Asia\/Kolkata\s+no\s+yes\s+closes/);
    assert.match(windows.out, /now: automated syncs are blocked; manual syncs too/);
  });

  it('a manual sync is refused while the deny window is open, by the CLI and by the operator', async () => {
    const refused = await cli('sync', 'prod', '-n', story.ns);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /refused: sync window closed: deny window SyncWindow\/freeze is open/);
    // The annotation written as the API writes it: the operator refuses it, says why and remembers it.
    const token = new Date().toISOString();
    await resources.patchEnvironment(story.ns, 'prod', {
      metadata: { annotations: { [ANNOTATION_SYNC_REQUESTED_AT]: token } },
    });
    const env = await story.until('prod', 'the request refused', (e) => e.status?.syncWindow?.refusedSyncAt === token);
    assert.equal(env.status?.lastHandledSyncAt, token);
    assert.equal(env.status?.operation, undefined, 'no sync started');
    await eventually(
      async () =>
        (await core.listNamespacedEvent({ namespace: story.ns })).items.find(
          (e) => e.reason === 'SyncWindowClosed' && e.involvedObject.name === 'prod',
        ),
      { timeoutMs: 20_000, message: 'a SyncWindowClosed event' },
    );
  });

  it('manualSync on the SyncWindow lets a person sync during the freeze', async () => {
    await story.custom.patchNamespacedCustomObject(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: story.ns,
        plural: 'syncwindows',
        name: 'freeze',
        body: { spec: { manualSync: true } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await story.until('prod', 'manual syncs allowed', (e) => e.status?.syncWindow?.manualSyncAllowed === true, {
      timeoutMs: 30_000,
    });
    const sync = await cli('sync', 'prod', '-n', story.ns, '--wait', '--timeout', '90s');
    assert.equal(sync.code, 0, sync.out);
    assert.ok(Date.now() < freezeCloses, 'the manual sync ran inside the deny window');
  });

  it('a revision held by the window syncs by itself when the window closes', async () => {
    const commit = await story.repo.commit(deployRepo('two'), 'change a setting during the freeze');
    await story.refresh();
    const held = await story.until(
      'prod',
      'prod OutOfSync at the new commit',
      (e) => commitOf(e.status?.sync?.revision) === commit,
    );
    assert.equal(held.status?.syncWindow?.allowed, false, 'still inside the window');
    const synced = await story.until(
      'prod',
      'the held revision synced after the window closed',
      (e) => commitOf(e.status?.operation?.revision) === commit && e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: Math.max(0, freezeCloses - Date.now()) + 90_000 },
    );
    assert.ok(Date.parse(synced.status!.operation!.startedAt!) >= freezeCloses, 'it started after the window closed');
    assert.equal(synced.status?.syncWindow?.allowed, true);
  });

  it('an allow window with manualSync holds automated syncs outside it but lets a person sync', async () => {
    const env = await story.until(
      'dev',
      'dev held outside its allow window',
      (e) => e.status?.syncWindow?.allowed === false,
    );
    assert.equal(env.status?.syncWindow?.manualSyncAllowed, true);
    assert.match(env.status?.syncWindow?.reason ?? '', /no allow window is open \(office\)/);
    assert.equal(Date.parse(env.status?.syncWindow?.nextChange ?? ''), officeOpens, 'opens at the hour in Berlin');
    assert.equal(env.status?.operation, undefined, 'no automated sync started');
    const sync = await cli('sync', 'dev', '-n', story.ns, '--wait', '--timeout', '90s');
    assert.equal(sync.code, 0, sync.out);
  });

  it('a window the operator cannot evaluate stalls the Environment, naming the field', async () => {
    const env = await story.until('broken', 'broken stalled', (e) =>
      Boolean(e.status?.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True')),
    );
    const stalled = env.status?.conditions?.find((c) => c.type === 'Stalled');
    assert.equal(stalled?.reason, 'InvalidSyncWindow');
    assert.match(stalled?.message ?? '', /spec\.sync\.windows\[0\]\.duration: "30s" must be between 1m and 744h/);
    assert.equal(env.status?.operation, undefined, 'nothing synced');
  });
});
