// Events against the real API server: a repeated failure raises the count of one Event (and
// moves its lastTimestamp), so `kubectl describe` shows how often it happened; a different
// message is an Event of its own; every message is redacted before it is sent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { EventRecorder } from '../../../operator/src/adapters/kubernetes/events.ts';
import { createTestNamespace, deleteNamespace } from '../../harness/kube.ts';
import { kc } from './sync-fixtures.ts';

const core = kc.makeApiClient(k8s.CoreV1Api);

describe('EventRecorder', () => {
  let ns = '';
  before(async () => {
    ns = await createTestNamespace(kc, 'events');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('counts repeated failures in one Event, and keeps other messages apart', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const recorder = new EventRecorder(kc, { redact: (t) => t.replaceAll('hunter2', '*****'), clock: () => now });
    const target = {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name: 'dev', namespace: ns },
    };
    for (let i = 0; i < 3; i++) {
      await recorder.record(target, 'Warning', 'SyncFailed', 'sync of main failed: password hunter2 rejected');
      now += 5000;
    }
    await recorder.record(target, 'Warning', 'SyncFailed', 'sync of main failed: another reason');
    recorder.close();
    const events = (
      await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=dev,reason=SyncFailed' })
    ).items;
    const byMessage = new Map(events.map((e) => [e.message, e]));
    assert.equal(events.length, 2);
    const repeated = byMessage.get('sync of main failed: password ***** rejected');
    assert.ok(repeated, [...byMessage.keys()].join(' | '));
    assert.equal(repeated.count, 3);
    assert.equal(new Date(repeated.firstTimestamp!).toISOString(), '2026-12-01T10:00:00.000Z');
    assert.equal(new Date(repeated.lastTimestamp!).toISOString(), '2026-12-01T10:00:10.000Z');
    assert.equal(byMessage.get('sync of main failed: another reason')?.count, 1);
  });

  it('makes a new Event when the one it would count has expired', async () => {
    const recorder = new EventRecorder(kc, { redact: (t) => t });
    const target = {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name: 'prod', namespace: ns },
    };
    await recorder.record(target, 'Warning', 'SyncFailed', 'boom');
    const first = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=prod' })).items;
    await core.deleteNamespacedEvent({ name: first[0]!.metadata!.name!, namespace: ns });
    await recorder.record(target, 'Warning', 'SyncFailed', 'boom');
    recorder.close();
    const after = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=prod' })).items;
    assert.equal(after.length, 1);
    assert.equal(after[0]!.count, 1);
  });
});
