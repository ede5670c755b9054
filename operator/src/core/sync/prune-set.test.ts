import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf } from '../manifest.ts';
import { inventoryEntry, nextInventory, parseInventoryEntry, planPrune, PruneRefusedError } from './prune-set.ts';
import { withOwnership } from './ownership.ts';

const owner = { name: 'prod', namespace: 'keelson' };
const cm = (name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) },
});
const live = (...objects: KubeObject[]) => new Map(objects.map((o) => [formatKey(keyOf(o)), o]));

describe('planPrune', () => {
  const a = withOwnership(cm('a'), owner);
  const b = withOwnership(cm('b'), owner);
  const inventory = [inventoryEntry(a), inventoryEntry(b)];

  it('prunes what the inventory has and the desired state dropped', () => {
    const set = planPrune({ inventory, desired: [cm('a')], live: live(a, b), owner });
    assert.deepEqual(
      set.prune.map((o) => o.metadata.name),
      ['b'],
    );
  });
  it('never prunes what is not in the inventory', () => {
    const stranger = withOwnership(cm('c'), owner);
    const set = planPrune({ inventory, desired: [cm('a'), cm('b')], live: live(a, b, stranger), owner });
    assert.deepEqual(set.prune, []);
  });
  it('keeps an object marked keelson.dev/prune: "false"', () => {
    const keep = withOwnership(cm('b', { 'keelson.dev/prune': 'false' }), owner);
    const set = planPrune({ inventory, desired: [cm('a')], live: live(a, keep), owner });
    assert.deepEqual(set.prune, []);
    assert.match(set.kept[0]!.reason, /prune: "false"/);
  });
  it('keeps an object another Environment took over', () => {
    const other = withOwnership(cm('b'), { name: 'dev', namespace: 'keelson' });
    assert.deepEqual(planPrune({ inventory, desired: [cm('a')], live: live(a, other), owner }).prune, []);
  });
  it('skips inventory entries that are already gone', () => {
    assert.deepEqual(planPrune({ inventory, desired: [cm('a')], live: live(a), owner }).prune, []);
  });
  it('refuses to prune everything when the desired state is empty', () => {
    assert.throws(() => planPrune({ inventory, desired: [], live: live(a, b), owner }), PruneRefusedError);
  });
  it('prunes everything for an empty desired state when the Environment allows it', () => {
    assert.equal(planPrune({ inventory, desired: [], live: live(a, b), owner, allowEmpty: true }).prune.length, 2);
  });
});

describe('inventory entries', () => {
  it('round-trips group/version/kind/namespace/name', () => {
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } };
    assert.equal(inventoryEntry(d), 'apps/v1/Deployment/shop/web');
    assert.deepEqual(parseInventoryEntry('apps/v1/Deployment/shop/web'), {
      apiVersion: 'apps/v1',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' },
    });
    assert.equal(parseInventoryEntry('/v1/Namespace//shop').apiVersion, 'v1');
  });
  it('keeps entries that were not pruned and adds what was applied', () => {
    const next = nextInventory(
      ['/v1/ConfigMap/shop/a', '/v1/ConfigMap/shop/b', '/v1/ConfigMap/shop/c'],
      [cm('d')],
      new Set(['/ConfigMap/shop/a']),
      new Set(['/ConfigMap/shop/c']),
    );
    assert.deepEqual(next, ['/v1/ConfigMap/shop/b', '/v1/ConfigMap/shop/d']);
  });
});
