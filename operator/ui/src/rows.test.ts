import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attentionRank, deleteRow, upsertRow, withRepositoryRow } from './rows.ts';
import type { GitRepositoryRow, OverviewPage, Row } from './types.ts';

function row(name: string, extra: Partial<Row> = {}): Row {
  return {
    namespace: 'team',
    name,
    sync: 'Synced',
    health: 'Healthy',
    policy: 'automated',
    ready: { status: 'True' },
    attention: false,
    ...extra,
  };
}

function page(items: Row[], total = items.length, offset = 0): OverviewPage {
  return { total, offset, items, namespaces: ['team'] };
}

const names = (p: OverviewPage) => p.items.map((r) => r.name);

test('attention rank: running first, then failed, degraded, out of sync, progressing, the rest', () => {
  const running = row('a', { operation: { phase: 'Running', revision: 'r', startedAt: '' } });
  const failed = row('b', { operation: { phase: 'Failed', revision: 'r', startedAt: '' } });
  assert.deepEqual(
    [
      running,
      failed,
      row('c', { health: 'Degraded' }),
      row('d', { sync: 'OutOfSync' }),
      row('e', { health: 'Progressing' }),
      row('f'),
    ].map(attentionRank),
    [0, 1, 2, 3, 4, 5],
  );
});

test('an upsert replaces the row in place and keeps the attention order', () => {
  const merged = upsertRow(page([row('a'), row('b'), row('c')]), row('c', { health: 'Degraded' }), 50);
  assert.deepEqual(names(merged.page), ['c', 'a', 'b']);
  assert.equal(merged.page.items[0]!.health, 'Degraded');
  assert.equal(merged.page.total, 3);
  assert.equal(merged.refetch, false);
});

test('a new row on a single complete page is inserted and counted', () => {
  const merged = upsertRow(page([row('a'), row('c')]), row('b'), 50);
  assert.deepEqual(names(merged.page), ['a', 'b', 'c']);
  assert.equal(merged.page.total, 3);
  assert.equal(merged.refetch, false);
});

test('a row not on screen while other pages exist asks for a refetch and changes nothing', () => {
  const before = page([row('a'), row('b')], 10);
  const merged = upsertRow(before, row('z'), 2);
  assert.equal(merged.page, before);
  assert.equal(merged.refetch, true);
});

test('a row that now sorts past a full page leaves it and the server fills the gap', () => {
  const before = page([row('a', { sync: 'OutOfSync' }), row('b', { sync: 'OutOfSync' })], 5);
  const merged = upsertRow(before, row('a'), 2);
  assert.deepEqual(names(merged.page), ['b']);
  assert.equal(merged.refetch, true);
});

test('a new row on a full single page pushes the last one off', () => {
  const merged = upsertRow(page([row('a'), row('c')]), row('b', { health: 'Degraded' }), 2);
  assert.deepEqual(names(merged.page), ['b', 'a']);
  assert.equal(merged.page.total, 3);
  assert.equal(merged.refetch, false);
});

test('a delete removes the row and lowers the total', () => {
  const merged = deleteRow(page([row('a'), row('b')]), { namespace: 'team', name: 'a' });
  assert.deepEqual(names(merged.page), ['b']);
  assert.equal(merged.page.total, 1);
  assert.equal(merged.refetch, false);
});

test('a delete on a page with more after it refetches to pull the next row up', () => {
  const merged = deleteRow(page([row('a'), row('b')], 3), { namespace: 'team', name: 'a' });
  assert.equal(merged.page.total, 2);
  assert.equal(merged.refetch, true);
});

test('a delete of a row not on screen: nothing when the whole set is shown, else refetch', () => {
  assert.equal(deleteRow(page([row('a')]), { namespace: 'team', name: 'x' }).refetch, false);
  assert.equal(deleteRow(page([row('a')], 4), { namespace: 'team', name: 'x' }).refetch, true);
  assert.equal(deleteRow(page([row('a')]), { namespace: 'other', name: 'a' }).page.items.length, 1);
});

test('a streamed GitRepository row replaces its old one, or takes its place in namespace/name order', () => {
  const row = (namespace: string, name: string, url = 'u') => ({ namespace, name, url }) as unknown as GitRepositoryRow;
  const rows = [row('a', 'deploy'), row('b', 'deploy')];
  assert.deepEqual(
    withRepositoryRow(rows, row('a', 'pass')).map((r) => `${r.namespace}/${r.name}`),
    ['a/deploy', 'a/pass', 'b/deploy'],
  );
  const changed = withRepositoryRow(rows, row('b', 'deploy', 'v'));
  assert.equal(changed.length, 2);
  assert.equal((changed[1] as unknown as { url: string }).url, 'v');
});
