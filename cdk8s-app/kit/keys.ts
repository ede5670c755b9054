// The label and annotation keys the kit writes. They are the same strings as
// operator/src/core/keys.ts (keys.test.ts asserts it): the kit is a package of its own that
// deploy repositories import, so it does not reach into the operator's source.

/** Label on synthesized objects: the app (cdk8s Chart) of the deploy repo they come from. */
export const LABEL_APP = 'keelson.dev/app';
/** Hook phase of an object: PreSync | Sync | PostSync | SyncFail (comma-separated allowed). */
export const ANNOTATION_HOOK = 'keelson.dev/hook';
/** When to delete a hook object: BeforeHookCreation (default) | HookSucceeded | HookFailed. */
export const ANNOTATION_HOOK_DELETE_POLICY = 'keelson.dev/hook-delete-policy';
/** Sync wave (an integer, default 0): lower waves are applied and healthy first. */
export const ANNOTATION_SYNC_WAVE = 'keelson.dev/sync-wave';
/** On a synthesized Secret: JSON map of data key → pass reference ({ path, field? }); values are filled at apply. */
export const ANNOTATION_PASS_REFS = 'keelson.dev/pass-refs';
