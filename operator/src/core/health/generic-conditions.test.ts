// The generic rule, case by case: one row per decision of assessByConditions (a short name,
// the object, the expected status and a pattern its message must match), run both directly
// and through assessHealth, which uses the rule for every kind without its own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { assessByConditions, FAILURE_REASON_WORDS, isFailureReason } from './generic-conditions.ts';
import { assessHealth, type HealthStatus } from './index.ts';

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** A condition: `cond('Ready', 'False', 'Failed', 'why')`. */
function cond(type: string, status: string, reason?: string, message?: string): Cond {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** A custom resource of no known kind, at generation 2, with the given status. */
function widget(status?: { observedGeneration?: number; conditions?: Cond[] }): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'shop', generation: 2 },
    spec: { size: 1 },
    ...(status ? { status } : {}),
  };
}

/** A widget whose status holds only these conditions. */
function withConditions(...conditions: Cond[]): KubeObject {
  return widget({ conditions });
}

interface Case {
  name: string;
  obj: KubeObject;
  status: HealthStatus;
  message?: RegExp;
}

const cases: Case[] = [
  // Nothing reported: nothing to wait for.
  { name: 'no status at all is Healthy', obj: widget(), status: 'Healthy' },
  { name: 'no conditions and no observedGeneration is Healthy', obj: widget({}), status: 'Healthy' },
  {
    name: 'an observed generation and no conditions is Healthy',
    obj: widget({ observedGeneration: 2 }),
    status: 'Healthy',
  },
  {
    name: 'conditions none of which the rule reads are Healthy',
    obj: withConditions(cond('Synced', 'True')),
    status: 'Healthy',
  },
  // 1. The status describes an older spec.
  {
    name: 'observedGeneration behind metadata.generation is Progressing, with both numbers',
    obj: widget({ observedGeneration: 1, conditions: [cond('Ready', 'True')] }),
    status: 'Progressing',
    message: /generation 2, observed 1/,
  },
  {
    name: 'a pending generation outranks Stalled: the stall was about the old spec',
    obj: widget({ observedGeneration: 1, conditions: [cond('Stalled', 'True', 'InvalidSpec')] }),
    status: 'Progressing',
    message: /observed 1/,
  },
  {
    name: 'an observedGeneration equal to the generation is not pending',
    obj: widget({ observedGeneration: 2, conditions: [cond('Ready', 'True')] }),
    status: 'Healthy',
  },
  // 2. Stalled.
  {
    name: 'Stalled=True is Degraded, with its reason and message',
    obj: withConditions(cond('Stalled', 'True', 'InvalidRef', 'fix spec.ref')),
    status: 'Degraded',
    message: /^InvalidRef: fix spec\.ref$/,
  },
  {
    name: 'Stalled=True outranks Ready=True',
    obj: withConditions(cond('Ready', 'True'), cond('Stalled', 'True', 'Stuck')),
    status: 'Degraded',
    message: /Stuck/,
  },
  {
    name: 'Stalled=True outranks Reconciling=True',
    obj: withConditions(cond('Reconciling', 'True'), cond('Stalled', 'True', 'Stuck')),
    status: 'Degraded',
    message: /Stuck/,
  },
  {
    name: 'Stalled=False is no stall',
    obj: withConditions(cond('Stalled', 'False'), cond('Ready', 'True')),
    status: 'Healthy',
  },
  {
    name: 'a Stalled=True written for an older generation is Progressing',
    obj: withConditions({ ...cond('Stalled', 'True', 'InvalidRef'), observedGeneration: 1 }),
    status: 'Progressing',
    message: /Stalled condition \(of generation 1\).*generation 2/,
  },
  // 3. Reconciling.
  {
    name: 'Reconciling=True is Progressing, even with Ready=True',
    obj: withConditions(cond('Ready', 'True'), cond('Reconciling', 'True', 'Scaling')),
    status: 'Progressing',
    message: /Scaling/,
  },
  {
    name: 'Reconciling=True with Ready=False for a failure reason is still Progressing: the controller retries',
    obj: withConditions(
      cond('Ready', 'False', 'FetchFailed'),
      cond('Reconciling', 'True', 'ProgressingWithRetry', 'retrying in 30s'),
    ),
    status: 'Progressing',
    message: /ProgressingWithRetry: retrying in 30s/,
  },
  {
    name: 'Reconciling=False and Ready=True is Healthy',
    obj: withConditions(cond('Reconciling', 'False'), cond('Ready', 'True')),
    status: 'Healthy',
  },
  // 4. Ready.
  {
    name: 'Ready=True is Healthy',
    obj: widget({ observedGeneration: 2, conditions: [cond('Ready', 'True')] }),
    status: 'Healthy',
  },
  {
    name: 'Ready=Unknown is Progressing',
    obj: withConditions(cond('Ready', 'Unknown', 'Issuing')),
    status: 'Progressing',
    message: /Issuing/,
  },
  {
    name: 'Ready=False without a reason is Progressing: not ready yet',
    obj: withConditions(cond('Ready', 'False')),
    status: 'Progressing',
    message: /^Ready is False$/,
  },
  {
    name: 'Ready=False for a reason on the way (DependencyNotReady) is Progressing',
    obj: withConditions(cond('Ready', 'False', 'DependencyNotReady', 'waiting for db')),
    status: 'Progressing',
    message: /DependencyNotReady: waiting for db/,
  },
  {
    name: 'Ready=False for Progressing is Progressing',
    obj: withConditions(cond('Ready', 'False', 'Progressing')),
    status: 'Progressing',
  },
  {
    name: 'Ready=False for a reason naming a failure (ReconciliationFailed) is Degraded',
    obj: withConditions(cond('Ready', 'False', 'ReconciliationFailed', 'kustomize build')),
    status: 'Degraded',
    message: /ReconciliationFailed: kustomize build/,
  },
  {
    name: 'Ready=False for Failed is Degraded',
    obj: withConditions(cond('Ready', 'False', 'Failed')),
    status: 'Degraded',
    message: /Failed/,
  },
  {
    name: 'Ready=False for an error (ReconcileError) is Degraded',
    obj: withConditions(cond('Ready', 'False', 'ReconcileError')),
    status: 'Degraded',
  },
  {
    name: 'Ready=False for an invalid spec is Degraded',
    obj: withConditions(cond('Ready', 'False', 'InvalidSpec')),
    status: 'Degraded',
  },
  {
    name: 'Ready=False for a deadline exceeded is Degraded',
    obj: withConditions(cond('Ready', 'False', 'ProgressDeadlineExceeded')),
    status: 'Degraded',
  },
  {
    name: 'a failure reason in lower case still counts',
    obj: withConditions(cond('Ready', 'False', 'install-failed')),
    status: 'Degraded',
  },
  {
    name: 'a message saying failed does not make Degraded: only the reason counts',
    obj: withConditions(cond('Ready', 'False', 'Pending', 'last attempt failed')),
    status: 'Progressing',
  },
  {
    name: 'a Ready=True written for an older generation is Progressing',
    obj: withConditions({ ...cond('Ready', 'True'), observedGeneration: 1 }),
    status: 'Progressing',
    message: /Ready condition \(of generation 1\)/,
  },
  {
    name: 'a Ready condition of the current generation is trusted',
    obj: withConditions({ ...cond('Ready', 'True'), observedGeneration: 2 }),
    status: 'Healthy',
  },
  // Available, for the kinds that report it instead of Ready.
  { name: 'Available=True is Healthy', obj: withConditions(cond('Available', 'True')), status: 'Healthy' },
  {
    name: 'Available=False for MinimumReplicasUnavailable is Progressing',
    obj: withConditions(cond('Available', 'False', 'MinimumReplicasUnavailable')),
    status: 'Progressing',
    message: /MinimumReplicasUnavailable/,
  },
  {
    name: 'Available=False for a failure is Degraded',
    obj: withConditions(cond('Available', 'False', 'FailedCreate')),
    status: 'Degraded',
  },
  {
    name: 'Ready decides over Available',
    obj: withConditions(cond('Available', 'False', 'Failed'), cond('Ready', 'True')),
    status: 'Healthy',
  },
  // Malformed conditions are read loosely, never thrown on.
  {
    name: 'a condition without a type is ignored',
    obj: withConditions({ status: 'False', reason: 'Failed' } as unknown as Cond),
    status: 'Healthy',
  },
  {
    name: 'a condition without a status counts as Unknown',
    obj: withConditions({ type: 'Ready' } as unknown as Cond),
    status: 'Progressing',
  },
];

describe('assessByConditions: the generic rule', () => {
  for (const c of cases) {
    it(c.name, () => {
      for (const health of [assessByConditions(c.obj), assessHealth(c.obj)]) {
        assert.equal(health.status, c.status, `message: ${health.message}`);
        if (c.status !== 'Healthy') assert.ok(health.message, 'anything but Healthy says why');
        if (c.message) assert.match(health.message ?? '', c.message);
      }
    });
  }
});

describe('the failure reasons', () => {
  it('every listed word is itself a failure reason', () => {
    for (const word of FAILURE_REASON_WORDS) assert.ok(isFailureReason(word), word);
  });
  it('common reasons of an object on its way are not', () => {
    for (const reason of [
      'Progressing',
      'Pending',
      'Creating',
      'DependencyNotReady',
      'DoesNotExist',
      'Issuing',
      'ProgressingWithRetry',
      'FailoverInProgress',
      'MinimumReplicasUnavailable',
      undefined,
    ]) {
      assert.equal(isFailureReason(reason), false, String(reason));
    }
  });
  it('common reasons of a failed object are', () => {
    for (const reason of [
      'InstallFailed',
      'UpgradeFailed',
      'HealthCheckFailed',
      'ReconcileError',
      'InvalidSpec',
      'ProgressDeadlineExceeded',
      'QuotaExceeded',
      'ImagePullBackOff',
      'AccessDenied',
      'Forbidden',
      'ReplicaFailure',
    ]) {
      assert.ok(isFailureReason(reason), reason);
    }
  });
});
