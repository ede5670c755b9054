// The worker through its ports: an in-memory store (the Secret, the status writes), a
// scripted provider and a fake clock. A restarted worker (a new one from the written status)
// sends nothing twice; a missing Secret waits with the events unhandled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { SentAnswer } from '../../adapters/notify/http-sender.ts';
import type { NotificationStatus } from '../../api/v1alpha1/notification.ts';
import { silentLogger } from '../../core/logger.ts';
import type { HttpRequest } from '../../core/notify/providers.ts';
import type { NotificationStore } from './notification-store.ts';
import { NotificationWorker, type NotificationResource } from './notification-worker.ts';

const REV = `main@sha1:${'c'.repeat(40)}`;

function env(opId: string | undefined): EnvironmentResource {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name: 'dev', namespace: 'shop' },
    spec: { sourceRef: { name: 'deploy' }, environment: 'dev', sync: { automated: {} } },
    status: opId
      ? { operation: { id: opId, phase: 'Succeeded', revision: REV, startedAt: '2026-01-01T00:00:00Z' } }
      : {},
  };
}

function harness(secret: Record<string, string> | undefined) {
  const sent: HttpRequest[] = [];
  const writes: NotificationStatus[] = [];
  const deliveries: string[] = [];
  const store: NotificationStore & { secret: typeof secret } = {
    secret,
    readSecret: async () => store.secret,
    writeStatus: async (_ns, _name, status) => {
      writes.push(structuredClone(status));
      return true;
    },
    close: () => undefined,
  };
  let current = env(undefined);
  const resource = (status?: NotificationStatus): NotificationResource => ({
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Notification',
    metadata: { name: 'chat', namespace: 'shop', generation: 1 },
    spec: {
      environments: { names: ['dev'] },
      provider: { type: 'webhook', address: 'http://hooks.example/x', secretRef: { name: 'key' } },
    },
    status,
  });
  const worker = (status?: NotificationStatus) =>
    new NotificationWorker(resource(status), {
      store,
      log: silentLogger,
      rateLimit: { burst: 10, intervalMs: 1 },
      send: async (r): Promise<SentAnswer> => {
        sent.push(r);
        return { status: 200, body: {} };
      },
      now: () => 0,
      sleep: async () => undefined,
      policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      environment: () => current,
      gitRepository: () => undefined,
      onDelivery: (trigger, result) => deliveries.push(`${trigger}:${result}`),
      onRetry: () => undefined,
    });
  return { sent, writes, deliveries, store, worker, setEnv: (e: EnvironmentResource) => (current = e) };
}

/** Enqueues and waits until the worker wrote `writes` statuses in all (it runs in the background). */
async function settle(
  h: { writes: unknown[] },
  w: NotificationWorker,
  writes: number,
  names = ['dev'],
  check = false,
): Promise<void> {
  w.enqueue(names, check);
  for (let i = 0; i < 1000 && h.writes.length < writes; i++) await new Promise((r) => setTimeout(r, 1));
  assert.equal(h.writes.length, writes, 'status writes');
  await new Promise((r) => setTimeout(r, 5));
  await w.stop();
}

describe('notification worker', () => {
  it('sends a new operation once, and a worker restarted from the written status sends it no more', async () => {
    const h = harness({ token: 'k' });
    await settle(h, h.worker(), 1); // the first look: a baseline, nothing sent
    h.setEnv(env('op1'));
    await settle(h, h.worker(h.writes.at(-1)), 3); // the delivery recorded, then Ready
    assert.equal(h.sent.length, 1);
    assert.equal(JSON.parse(h.sent[0]!.body!).trigger, 'SyncSucceeded');
    assert.deepEqual(h.deliveries, ['SyncSucceeded:sent']);
    await settle(h, h.worker(h.writes.at(-1)), 3);
    assert.equal(h.sent.length, 1, 'nothing sent twice after a restart');
    assert.deepEqual(
      h.writes.at(-1)!.deliveries!.map((d) => `${d.key}:${d.result}`),
      ['SyncSucceeded/op1:Sent'],
    );
  });

  it('a missing Secret reports SecretNotFound and keeps the event for later', async () => {
    const h = harness(undefined);
    await settle(h, h.worker(), 1);
    h.setEnv(env('op1'));
    await settle(h, h.worker(h.writes.at(-1)), 2);
    assert.equal(h.sent.length, 0);
    assert.equal(h.writes.at(-1)!.conditions![0]!.reason, 'SecretNotFound');
    h.store.secret = { token: 'k' };
    await settle(h, h.worker(h.writes.at(-1)), 4, ['dev'], true);
    assert.equal(h.sent.length, 1);
    assert.equal(h.writes.at(-1)!.conditions![0]!.reason, 'Succeeded');
  });
});
