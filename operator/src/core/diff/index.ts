// Diff: pair desired with live, normalize, compare (exactly against a server-side dry-run
// result when there is one), with Secret data compared by hash and never printed.
export { pairResources, type ResourcePair } from './pair.ts';
export {
  compareResource,
  formatChanges,
  type CompareOptions,
  type ComparisonStatus,
  type FieldChange,
  type ResourceComparison,
} from './compare.ts';
export { ComparisonCache, liveFingerprint } from './comparison-cache.ts';
export { ignoredPointers, InvalidIgnoreRuleError, type IgnoreDifference } from './ignore-rules.ts';
export { normalizeForDiff } from './normalize.ts';
export { renderDiff, type DiffLabels } from './render-diff.ts';
export { renderMarkdownDiff, summarizeChanges, type ChangeSummary } from './render-markdown.ts';
export { hashObject, stableStringify } from './object-hash.ts';
export { hashSecretData, isSecret } from './secret-data.ts';
