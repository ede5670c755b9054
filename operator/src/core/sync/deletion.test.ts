import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { deletionHooks } from './deletion.ts';
import { planSync } from './plan-sync.ts';
import { InvalidAnnotationError } from './annotations.ts';

const obj = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'shop', annotations },
});

test('PreDelete and PostDelete hooks become the deletion operation’s PreSync and PostSync hooks', () => {
  const hooks = deletionHooks([
    obj('backup', { 'argocd.argoproj.io/hook': 'PreDelete' }),
    obj('goodbye', { 'keelson.dev/hook': 'PostDelete', 'keelson.dev/hook-delete-policy': 'HookFailed' }),
    obj('both', { 'keelson.dev/hook': 'PreDelete,PostDelete,PreSync' }),
    obj('migrate', { 'keelson.dev/hook': 'PreSync' }),
    obj('plain'),
  ]);
  assert.deepEqual(
    hooks.map((h) => [h.metadata.name, h.metadata.annotations]),
    [
      [
        'backup',
        { 'keelson.dev/hook': 'PreSync', 'keelson.dev/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' },
      ],
      ['goodbye', { 'keelson.dev/hook': 'PostSync', 'keelson.dev/hook-delete-policy': 'HookFailed' }],
      [
        'both',
        {
          'keelson.dev/hook': 'PreSync,PostSync',
          'keelson.dev/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
        },
      ],
    ],
  );
});

test('a sync never runs delete hooks, and a delete-only hook is not applied as a resource', () => {
  const plan = planSync({
    desired: [
      obj('backup', { 'argocd.argoproj.io/hook': 'PreDelete' }),
      obj('migrate', { 'keelson.dev/hook': 'PreSync,PostDelete' }),
    ],
  });
  assert.deepEqual(
    plan.tasks.map((t) => [t.key.name, t.phase]),
    [['migrate', 'PreSync']],
  );
});

test('an invalid hook annotation is named, as in a sync', () => {
  assert.throws(() => deletionHooks([obj('x', { 'keelson.dev/hook': 'PreDelet' })]), InvalidAnnotationError);
});

test('the deletion operation’s order: PreDelete hooks, the inventory in reverse wave and kind order, PostDelete hooks', () => {
  const live = (apiVersion: string, kind: string, name: string, wave: number, namespace = 'shop'): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace, annotations: { 'keelson.dev/sync-wave': String(wave) } },
  });
  const hooks = deletionHooks([
    obj('goodbye', { 'argocd.argoproj.io/hook': 'PostDelete' }),
    obj('backup', { 'argocd.argoproj.io/hook': 'PreDelete' }),
  ]);
  const prune = [
    live('v1', 'ConfigMap', 'settings', 0),
    live('apps/v1', 'Deployment', 'web', 1),
    live('v1', 'Namespace', 'shop', -1, ''),
    live('v1', 'Service', 'web', 1),
  ];
  const plan = planSync({ desired: hooks, prune });
  assert.deepEqual(
    plan.tasks.map((t) => `${t.phase} ${t.wave} ${t.key.kind}/${t.key.name}`),
    [
      'PreSync 0 Job/backup',
      'Prune 1 Deployment/web',
      'Prune 1 Service/web',
      'Prune 0 ConfigMap/settings',
      'Prune -1 Namespace/shop',
      'PostSync 0 Job/goodbye',
    ],
  );
});
