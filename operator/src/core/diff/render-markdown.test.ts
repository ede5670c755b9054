import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareResource } from './compare.ts';
import { renderMarkdownDiff, summarizeChanges } from './render-markdown.ts';
import type { ResourceComparison } from './compare.ts';

const LABELS = { old: 'main', new: 'feature', added: 'added in feature', removed: 'removed in feature' };
const PASSWORD = 'hunter2-md';

const secret = (password: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  data: { password: Buffer.from(password).toString('base64') },
});

describe('renderMarkdownDiff', () => {
  const comparisons: ResourceComparison[] = [
    {
      key: '/ConfigMap/shop/settings',
      status: 'OutOfSync',
      reason: 'Drift',
      changes: [{ path: '/data/a', live: 'b', desired: 'c' }],
    },
    { key: '/Service/shop/web', status: 'OutOfSync', reason: 'Missing', changes: [] },
    { key: '/Service/shop/old', status: 'OutOfSync', reason: 'Extra', changes: [] },
    { key: '/ConfigMap/shop/same', status: 'Synced', changes: [] },
    // Desired against desired, as `keelson diff --from --to` compares: the Secret's value changed.
    compareResource({ desired: secret(PASSWORD), live: secret('old-md'), predicted: secret(PASSWORD) }),
  ];

  it('says how many objects are added, removed and changed, then one collapsible section each', () => {
    const md = renderMarkdownDiff(comparisons, { title: 'dev: main → feature', labels: LABELS });
    assert.match(md, /^### dev: main → feature\n\n\*\*1 added, 1 removed, 2 changed\*\*\n/);
    assert.equal(md.match(/<details>/g)?.length, 4);
    assert.equal(md.match(/<\/details>/g)?.length, 4);
    assert.match(
      md,
      /<summary>changed: <code>ConfigMap shop\/settings<\/code> \(1 field\)<\/summary>\n\n```diff\n--- main ConfigMap shop\/settings\n\+\+\+ feature ConfigMap shop\/settings\n@@ \/data\/a @@\n- "b"\n\+ "c"\n```/,
    );
    assert.match(md, /<summary>added: <code>Service shop\/web<\/code><\/summary>[^]*@@ added in feature @@/);
    assert.match(md, /<summary>removed: <code>Service shop\/old<\/code><\/summary>[^]*@@ removed in feature @@/);
    assert.doesNotMatch(md, /shop\/same/);
  });

  it('never prints a Secret value, its base64 or its hash', () => {
    const md = renderMarkdownDiff(comparisons, { title: 'dev', labels: LABELS });
    assert.match(md, /<summary>changed: <code>Secret shop\/db<\/code> \(1 field\)<\/summary>/);
    assert.match(md, /@@ \/data\/password @@\n- <secret>\n\+ <secret, changed>/);
    for (const leak of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), 'old-md', 'sha256:'])
      assert.ok(!md.includes(leak), `the comment holds ${leak}`);
  });

  it('escapes HTML in names and fences a body that holds backticks', () => {
    const md = renderMarkdownDiff(
      [
        {
          key: '/ConfigMap/shop/x',
          status: 'OutOfSync',
          reason: 'Drift',
          changes: [{ path: '/data/s', live: '```', desired: '</details><b>' }],
        },
      ],
      { title: '<b>dev</b>', labels: LABELS },
    );
    assert.match(md, /^### &lt;b&gt;dev&lt;\/b&gt;/);
    assert.match(md, /````diff\n[^]*\n````\n/);
    assert.equal(md.match(/<\/details>/g)?.length, 2, 'the value sits inside the code block, the section closes once');
  });

  it('says "No changes." when nothing differs', () => {
    const md = renderMarkdownDiff([{ key: '/ConfigMap/a/b', status: 'Synced', changes: [] }], {
      title: 'dev',
      labels: LABELS,
    });
    assert.equal(md, '### dev\n\nNo changes.\n');
    assert.deepEqual(summarizeChanges([]), { added: 0, removed: 0, changed: 0 });
  });
});
