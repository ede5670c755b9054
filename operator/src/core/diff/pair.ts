// Pair first, then act: desired and live objects matched by key. No live means create, no
// desired means prune (if the inventory allows), both means compare.
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf } from '../manifest.ts';

export interface ResourcePair {
  readonly key: string;
  readonly desired?: KubeObject;
  readonly live?: KubeObject;
}

/** Pairs by formatKey, sorted by key; a live object without a desired one is kept (prune candidate). */
export function pairResources(desired: readonly KubeObject[], live: readonly KubeObject[]): ResourcePair[] {
  const pairs = new Map<string, { key: string; desired?: KubeObject; live?: KubeObject }>();
  for (const obj of desired) {
    const key = formatKey(keyOf(obj));
    pairs.set(key, { key, desired: obj });
  }
  for (const obj of live) {
    const key = formatKey(keyOf(obj));
    const pair = pairs.get(key);
    if (pair) pair.live = obj;
    else pairs.set(key, { key, live: obj });
  }
  return [...pairs.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
