import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiObject, Testing, type Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Hook, type HookOptions } from './hook.ts';
import { SyncWave } from './sync-wave.ts';

function annotationsOf(chart: Chart): Record<string, string>[] {
  return chart
    .toJson()
    .map((o: { metadata: { annotations?: Record<string, string> } }) => o.metadata.annotations ?? {});
}

describe('Hook.mark', () => {
  const cases: { name: string; options: HookOptions; want: Record<string, string> }[] = [
    {
      name: 'a PreSync hook is deleted before the next one is created by default',
      options: { phase: 'PreSync' },
      want: { 'keelson.dev/hook': 'PreSync', 'keelson.dev/hook-delete-policy': 'BeforeHookCreation' },
    },
    {
      name: 'several phases and policies are comma-separated',
      options: { phase: ['PostSync', 'SyncFail'], deletePolicy: ['HookSucceeded', 'HookFailed'] },
      want: { 'keelson.dev/hook': 'PostSync,SyncFail', 'keelson.dev/hook-delete-policy': 'HookSucceeded,HookFailed' },
    },
    {
      name: 'a wave is written as the sync-wave annotation',
      options: { phase: 'Sync', wave: -2 },
      want: {
        'keelson.dev/hook': 'Sync',
        'keelson.dev/hook-delete-policy': 'BeforeHookCreation',
        'keelson.dev/sync-wave': '-2',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const chart = Testing.chart();
      Hook.mark(new kplus.Job(chart, 'job', { containers: [{ image: 'busybox' }] }), c.options);
      assert.deepEqual(annotationsOf(chart), [c.want]);
    });
  }

  it('marks every object under a construct, and only those', () => {
    const chart = Testing.chart();
    const other = new kplus.ConfigMap(chart, 'plain', { data: { a: 'b' } });
    const raw = new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'Pod' });
    Hook.mark(raw, { phase: 'SyncFail' });
    assert.equal(ApiObject.of(other).toJson().metadata.annotations?.['keelson.dev/hook'], undefined);
    assert.equal(raw.toJson().metadata.annotations['keelson.dev/hook'], 'SyncFail');
  });

  const invalid: { name: string; options: HookOptions; error: RegExp }[] = [
    { name: 'an unknown phase', options: { phase: 'PreApply' as 'PreSync' }, error: /unknown hook phase "PreApply"/ },
    {
      name: 'an unknown delete policy',
      options: { phase: 'PreSync', deletePolicy: 'Never' as 'HookFailed' },
      error: /unknown hook delete policy "Never"/,
    },
    { name: 'no phase at all', options: { phase: [] }, error: /at least one/ },
    { name: 'a fractional wave', options: { phase: 'PreSync', wave: 1.5 }, error: /integer/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      const chart = Testing.chart();
      assert.throws(
        () => Hook.mark(new kplus.Job(chart, 'job', { containers: [{ image: 'busybox' }] }), c.options),
        c.error,
      );
    });
  }

  it('refuses a construct with no Kubernetes object under it', () => {
    assert.throws(() => Hook.mark(Testing.chart(), { phase: 'PreSync' }), /no Kubernetes object/);
  });
});

describe('SyncWave.set', () => {
  it('puts every object of a chart in the wave', () => {
    const chart = Testing.chart();
    new kplus.ConfigMap(chart, 'a');
    new kplus.ConfigMap(chart, 'b');
    SyncWave.set(chart, 3);
    assert.deepEqual(annotationsOf(chart), [{ 'keelson.dev/sync-wave': '3' }, { 'keelson.dev/sync-wave': '3' }]);
  });
});
