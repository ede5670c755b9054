import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideSync, type SyncDecisionInput } from './sync-decision.ts';
import { DEFAULT_RETRY } from './retry.ts';

const REV1 = 'main@sha1:1111111111111111111111111111111111111111';
const REV2 = 'main@sha1:2222222222222222222222222222222222222222';
const base: SyncDecisionInput = {
  now: 1_000_000,
  suspended: false,
  automated: true,
  selfHeal: false,
  autoSyncPaused: false,
  latestRevision: REV2,
  syncStatus: 'OutOfSync',
  generation: 1,
  lastOperation: { revision: REV1, phase: 'Succeeded', finishedAt: 900_000, retryCount: 0, generation: 1 },
  retry: DEFAULT_RETRY,
};

const cases: {
  name: string;
  input: Partial<SyncDecisionInput>;
  kind: string;
  reason?: RegExp;
  extra?: Record<string, unknown>;
}[] = [
  {
    name: 'a new revision syncs an automated environment',
    input: {},
    kind: 'sync',
    reason: /new revision/,
    extra: { automated: true, retryCount: 0, trigger: 'new-target' },
  },
  {
    name: 'a manual environment waits for a request',
    input: { automated: false },
    kind: 'none',
    reason: /waiting for a sync request/,
  },
  {
    name: 'a sync request syncs a manual environment',
    input: { automated: false, request: { token: 't1' } },
    kind: 'sync',
    extra: { automated: false },
  },
  {
    name: 'a sync request may name a commit',
    input: { automated: false, request: { token: 't1', commit: 'a'.repeat(40) } },
    kind: 'sync',
    extra: { commit: 'a'.repeat(40) },
  },
  {
    name: 'a running operation continues before anything else',
    input: { lastOperation: { revision: REV1, phase: 'Running', retryCount: 0 }, suspended: true },
    kind: 'continue',
  },
  {
    name: 'a suspended environment does nothing, requests included',
    input: { suspended: true, request: { token: 't' } },
    kind: 'none',
    reason: /suspended/,
  },
  {
    name: 'a rollback pauses automated sync',
    input: { autoSyncPaused: true },
    kind: 'none',
    reason: /paused after a rollback/,
  },
  {
    name: 'a request still works while paused',
    input: { autoSyncPaused: true, request: { token: 't' } },
    kind: 'sync',
  },
  { name: 'nothing to do when in sync', input: { syncStatus: 'Synced' }, kind: 'none', reason: /in sync/ },
  {
    name: 'drift after a successful sync is reverted with self-heal',
    input: { latestRevision: REV1, selfHeal: true },
    kind: 'sync',
    reason: /self-heal/,
    extra: { trigger: 'self-heal' },
  },
  {
    name: 'drift without self-heal only reports OutOfSync',
    input: { latestRevision: REV1 },
    kind: 'none',
    reason: /self-heal is off/,
  },
  {
    name: 'a spec change syncs the same revision again',
    input: { latestRevision: REV1, generation: 2 },
    kind: 'sync',
    reason: /new desired state/,
  },
  {
    name: 'a failed sync waits for its backoff',
    input: {
      latestRevision: REV1,
      lastOperation: { revision: REV1, phase: 'Failed', finishedAt: 999_000, retryCount: 0, generation: 1 },
    },
    kind: 'wait',
    extra: { delayMs: 4000 },
  },
  {
    name: 'a failed sync is retried once the backoff passed',
    input: {
      latestRevision: REV1,
      lastOperation: { revision: REV1, phase: 'Failed', finishedAt: 990_000, retryCount: 1, generation: 1 },
    },
    kind: 'sync',
    extra: { retryCount: 2 },
  },
  {
    name: 'retries stop at the limit',
    input: {
      latestRevision: REV1,
      lastOperation: { revision: REV1, phase: 'Failed', finishedAt: 0, retryCount: 5, generation: 1 },
    },
    kind: 'none',
    reason: /retry limit \(5\) is reached/,
  },
  {
    name: 'a new revision after failures starts over',
    input: { lastOperation: { revision: REV1, phase: 'Failed', finishedAt: 0, retryCount: 5, generation: 1 } },
    kind: 'sync',
    extra: { retryCount: 0 },
  },
  {
    name: 'a commit that leaves the objects unchanged is not a new target: drift there is self-healed',
    input: {
      selfHeal: true,
      desiredHash: 'h1',
      lastOperation: {
        revision: REV1,
        phase: 'Succeeded',
        finishedAt: 0,
        retryCount: 0,
        generation: 1,
        desiredHash: 'h1',
      },
    },
    kind: 'sync',
    reason: /self-heal/,
  },
  {
    name: 'a commit that changes the objects is a new target',
    input: {
      desiredHash: 'h2',
      lastOperation: {
        revision: REV1,
        phase: 'Succeeded',
        finishedAt: 0,
        retryCount: 0,
        generation: 1,
        desiredHash: 'h1',
      },
    },
    kind: 'sync',
    reason: /new revision/,
  },
  {
    name: 'changed objects at the same commit (a rotated pass entry) are a new target',
    input: {
      latestRevision: REV1,
      desiredHash: 'h2',
      lastOperation: {
        revision: REV1,
        phase: 'Succeeded',
        finishedAt: 0,
        retryCount: 0,
        generation: 1,
        desiredHash: 'h1',
      },
    },
    kind: 'sync',
    reason: /new/,
  },
  { name: 'no revision fetched yet', input: { latestRevision: undefined }, kind: 'none', reason: /no revision/ },
  {
    name: 'a closed sync window holds an automated sync until it opens',
    input: { window: closedWindow(1_600_000) },
    kind: 'wait',
    reason: /^sync window closed: deny window w0 is open until .*; held: new revision/,
    extra: { delayMs: 600_000 },
  },
  {
    name: 'a closed sync window that does not open within the horizon holds without a requeue',
    input: { window: closedWindow(undefined) },
    kind: 'none',
    reason: /^sync window closed/,
  },
  {
    name: 'a closed sync window refuses a manual sync request',
    input: { automated: false, request: { token: 't1' }, window: closedWindow(1_600_000) },
    kind: 'refuse',
    reason: /sync window closed: deny window w0 is open; manual syncs are blocked/,
  },
  {
    name: 'a closed sync window with manualSync lets a manual sync request run',
    input: { automated: false, request: { token: 't1' }, window: { ...closedWindow(1_600_000), manualAllowed: true } },
    kind: 'sync',
    extra: { automated: false, trigger: 'request' },
  },
  {
    name: 'an operation in progress when the window closes continues',
    input: { lastOperation: { revision: REV1, phase: 'Running', retryCount: 0 }, window: closedWindow(1_600_000) },
    kind: 'continue',
  },
  {
    name: 'a retry due after the window opens waits for the retry',
    input: {
      latestRevision: REV1,
      lastOperation: { revision: REV1, phase: 'Failed', finishedAt: 1_000_000, retryCount: 0, generation: 1 },
      retry: { ...DEFAULT_RETRY, limit: 3 },
      window: closedWindow(1_000_001),
    },
    kind: 'wait',
    reason: /sync window closed.*held: retry 1 of 3 is due$/,
    extra: { delayMs: 5000 },
  },
  {
    name: 'an open sync window does not change the decision',
    input: { window: { allowed: true, manualAllowed: true, reason: 'no sync window applies', activeWindows: [] } },
    kind: 'sync',
    extra: { trigger: 'new-target' },
  },
];

function closedWindow(nextChange: number | undefined): NonNullable<SyncDecisionInput['window']> {
  return { allowed: false, manualAllowed: false, reason: 'deny window w0 is open', activeWindows: ['w0'], nextChange };
}

describe('decideSync', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = decideSync({ ...base, ...c.input });
      assert.equal(d.kind, c.kind, JSON.stringify(d));
      if (c.reason) assert.match(d.reason, c.reason);
      for (const [k, v] of Object.entries(c.extra ?? {})) assert.deepEqual((d as Record<string, unknown>)[k], v, k);
    });
  }
});
