import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { InvalidAnnotationError, parseSyncAnnotations, type SyncAnnotations } from './annotations.ts';

function job(annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop', annotations } };
}

describe('parseSyncAnnotations', () => {
  const cases: { name: string; annotations: Record<string, string>; want: Partial<SyncAnnotations> }[] = [
    {
      name: 'an object without annotations is a wave 0 resource',
      annotations: {},
      want: { hooks: [], wave: 0, deletePolicies: ['BeforeHookCreation'], skip: false },
    },
    {
      name: 'keelson.dev/hook makes a hook',
      annotations: { 'keelson.dev/hook': 'PreSync' },
      want: { hooks: ['PreSync'] },
    },
    {
      name: 'several comma-separated phases are kept once each',
      annotations: { 'keelson.dev/hook': 'PreSync, PostSync,PreSync' },
      want: { hooks: ['PreSync', 'PostSync'] },
    },
    {
      name: "Argo CD's hook annotation is honoured unchanged",
      annotations: { 'argocd.argoproj.io/hook': 'SyncFail' },
      want: { hooks: ['SyncFail'] },
    },
    {
      name: "Argo CD's Skip hook skips the object",
      annotations: { 'argocd.argoproj.io/hook': 'Skip' },
      want: { hooks: [], skip: true },
    },
    {
      name: "Keelson's annotation wins over Argo CD's",
      annotations: { 'keelson.dev/hook': 'PostSync', 'argocd.argoproj.io/hook': 'PreSync' },
      want: { hooks: ['PostSync'] },
    },
    {
      name: 'the default delete policy is BeforeHookCreation',
      annotations: { 'keelson.dev/hook': 'Sync' },
      want: { deletePolicies: ['BeforeHookCreation'] },
    },
    {
      name: 'delete policies are read from either annotation',
      annotations: { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' },
      want: { deletePolicies: ['HookSucceeded', 'HookFailed'] },
    },
    { name: 'a negative wave is allowed', annotations: { 'keelson.dev/sync-wave': '-2' }, want: { wave: -2 } },
    {
      name: "Argo CD's sync-wave is honoured",
      annotations: { 'argocd.argoproj.io/sync-wave': '5' },
      want: { wave: 5 },
    },
    {
      name: 'a wave with a plus sign and spaces is read',
      annotations: { 'keelson.dev/sync-wave': ' +3 ' },
      want: { wave: 3 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = parseSyncAnnotations(job(c.annotations));
      for (const [field, value] of Object.entries(c.want))
        assert.deepEqual(got[field as keyof SyncAnnotations], value, field);
    });
  }

  const invalid: { name: string; annotations: Record<string, string>; mentions: string }[] = [
    { name: 'an unknown hook phase', annotations: { 'keelson.dev/hook': 'PreSnyc' }, mentions: 'keelson.dev/hook' },
    {
      name: 'Skip on the Keelson annotation',
      annotations: { 'keelson.dev/hook': 'Skip' },
      mentions: 'keelson.dev/hook',
    },
    {
      name: 'an empty hook list',
      annotations: { 'argocd.argoproj.io/hook': ' , ' },
      mentions: 'argocd.argoproj.io/hook',
    },
    {
      name: 'an unknown delete policy',
      annotations: { 'keelson.dev/hook-delete-policy': 'Always' },
      mentions: 'hook-delete-policy',
    },
    { name: 'a fractional wave', annotations: { 'keelson.dev/sync-wave': '1.5' }, mentions: 'sync-wave' },
    {
      name: 'a wave that is not a number',
      annotations: { 'argocd.argoproj.io/sync-wave': 'first' },
      mentions: 'argocd.argoproj.io/sync-wave',
    },
    { name: 'a wave beyond 32 bits', annotations: { 'keelson.dev/sync-wave': '9999999999' }, mentions: 'sync-wave' },
  ];
  for (const c of invalid) {
    it(`${c.name} is an error that names the object`, () => {
      assert.throws(
        () => parseSyncAnnotations(job(c.annotations)),
        (err: unknown) => {
          assert.ok(err instanceof InvalidAnnotationError);
          assert.match(err.message, /Job shop\/migrate/);
          assert.ok(err.message.includes(c.mentions), err.message);
          return true;
        },
      );
    });
  }
});
