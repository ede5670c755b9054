import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNC_OPTION_VALUES } from '../../api/v1alpha1/environment.ts';
import type { KubeObject } from '../manifest.ts';
import { InvalidAnnotationError } from './annotations.ts';
import {
  DEFAULT_SYNC_OPTIONS,
  effectiveSyncOptions,
  liveSyncOptions,
  parseSyncOptions,
  SyncOptionError,
} from './sync-options.ts';
import { retentionOf } from './ownership.ts';
import { planSync, SyncPlanError } from './plan-sync.ts';

function job(annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop', annotations } };
}

test('every option the CRD admits parses', () => {
  for (const value of SYNC_OPTION_VALUES) assert.doesNotThrow(() => parseSyncOptions([value]), value);
});

const cases: [string, readonly string[], Partial<typeof DEFAULT_SYNC_OPTIONS>][] = [
  ['replace', ['Replace=true'], { replace: true }],
  ['force, spaces around', [' Force=true '], { force: true }],
  ['no prune', ['Prune=false'], { prune: false }],
  ['validate off', ['Validate=false'], { validate: false }],
  ['propagation', ['PrunePropagationPolicy=orphan'], { prunePropagationPolicy: 'orphan' }],
  ['create namespace', ['CreateNamespace=true'], { createNamespace: true }],
  ['server-side apply is the default', ['ServerSideApply=true'], {}],
  ['the last of a repeated option wins', ['Replace=true', 'Replace=false'], { replace: false }],
  ['empty items are nothing', ['', ' '], {}],
];
for (const [name, values, expected] of cases) {
  test(`parseSyncOptions: ${name}`, () => assert.deepEqual(parseSyncOptions(values), expected));
}

const invalid: [string, string, RegExp][] = [
  ['an unknown option', 'Replce=true', /"Replce=true" is not valid \(expected one of Replace, Force/],
  ['a value that is not a boolean', 'Force=yes', /expected Force=true or Force=false/],
  ['no value', 'Replace', /expected Replace=true or Replace=false/],
  ['an unknown propagation policy', 'PrunePropagationPolicy=later', /foreground\|background\|orphan/],
  ['ServerSideApply=false, which Keelson never does', 'ServerSideApply=false', /Keelson always does it/],
];
for (const [name, value, message] of invalid) {
  test(`parseSyncOptions refuses ${name}`, () => {
    assert.throws(
      () => parseSyncOptions([value]),
      (err: unknown) => err instanceof SyncOptionError,
    );
    assert.throws(() => parseSyncOptions([value]), message);
  });
}

test("an object's options win over the Environment's, option by option; Keelson's annotation over Argo CD's", () => {
  const env = { replace: true, validate: false };
  assert.deepEqual(effectiveSyncOptions(job({ 'argocd.argoproj.io/sync-options': 'Replace=false' }), env), {
    ...DEFAULT_SYNC_OPTIONS,
    replace: false,
    validate: false,
  });
  const both = job({ 'keelson.dev/sync-options': 'Force=true', 'argocd.argoproj.io/sync-options': 'Prune=false' });
  assert.deepEqual(effectiveSyncOptions(both), { ...DEFAULT_SYNC_OPTIONS, force: true });
});

test('an object may not set what only an Environment can, and the error names the object and annotation', () => {
  const obj = job({ 'argocd.argoproj.io/sync-options': 'CreateNamespace=true' });
  assert.throws(
    () => effectiveSyncOptions(obj),
    (err: unknown) =>
      err instanceof InvalidAnnotationError &&
      /Job shop\/migrate: annotation argocd\.argoproj\.io\/sync-options: "CreateNamespace=true"/.test(err.message) &&
      /only in the Environment's spec\.sync\.options/.test(err.message),
  );
  // A live object's annotation can be anything: it counts as unset there.
  assert.deepEqual(liveSyncOptions(obj, { force: true }), { ...DEFAULT_SYNC_OPTIONS, force: true });
});

test('planSync refuses an invalid sync option with the other invalid annotations', () => {
  const bad = job({ 'keelson.dev/sync-options': 'Replace=maybe' });
  assert.throws(
    () => planSync({ desired: [bad] }),
    (err: unknown) => err instanceof SyncPlanError && /Replace=maybe/.test(err.message),
  );
});

test("Prune=false on the live object keeps it from prune and deletion, as keelson.dev/prune: 'false' does", () => {
  const owner = { namespace: 'keelson', name: 'dev' };
  const owned = { 'keelson.dev/owner': 'keelson/dev' };
  const kept = retentionOf(job({ ...owned, 'argocd.argoproj.io/sync-options': 'Prune=false' }), owner);
  assert.equal(kept?.reason, 'PruneDisabled');
  assert.match(kept?.message ?? '', /Job shop\/migrate has the sync option Prune=false/);
  assert.equal(retentionOf(job({ ...owned, 'keelson.dev/sync-options': 'Replace=true' }), owner), undefined);
});
