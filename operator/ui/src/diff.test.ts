import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffStat, parseDiff, sideBySide } from './diff.ts';

const DIFF = `diff --git a/apps/v1/Deployment/shop/api b/apps/v1/Deployment/shop/api
--- a/apps/v1/Deployment/shop/api
+++ b/apps/v1/Deployment/shop/api
@@ -1,4 +1,4 @@
 spec:
-  replicas: 2
+  replicas: 3
+  paused: false
   template:
--- keep me
--- live Service shop/web
+++ desired Service shop/web
@@ the object does not exist; the sync creates it @@
`;

test('lines are classified: headers, hunks, added, removed, context', () => {
  const lines = parseDiff(DIFF);
  assert.deepEqual(
    lines.map((l) => l.kind),
    ['file', 'file', 'file', 'hunk', 'ctx', 'del', 'add', 'add', 'ctx', 'del', 'file', 'file', 'hunk'],
  );
  assert.deepEqual(diffStat(lines), { added: 2, removed: 2 });
});

test('side by side pairs a removed run with the added run after it', () => {
  const rows = sideBySide(parseDiff(DIFF));
  const shape = rows.map((r) => (r.header ? `#${r.header.kind}` : `${r.left?.kind ?? '.'}|${r.right?.kind ?? '.'}`));
  assert.deepEqual(shape, [
    '#file',
    '#file',
    '#file',
    '#hunk',
    'ctx|ctx',
    'del|add',
    '.|add',
    'ctx|ctx',
    'del|.',
    '#file',
    '#file',
    '#hunk',
  ]);
});

test('an empty diff has no lines', () => {
  assert.deepEqual(parseDiff(''), []);
  assert.deepEqual(sideBySide([]), []);
});
