import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiff } from './render-diff.ts';

describe('renderDiff', () => {
  it('prints one hunk per changed field, live with - and desired with +', () => {
    const text = renderDiff([
      {
        key: 'apps/Deployment/shop/api',
        status: 'OutOfSync',
        reason: 'Drift',
        changes: [
          { path: '/spec/replicas', live: 5, desired: 2 },
          { path: '/spec/template/metadata/labels', live: { app: 'api' }, desired: { app: 'api', tier: 'backend' } },
        ],
      },
      { key: '/ConfigMap/shop/settings', status: 'Synced', changes: [] },
    ]);
    assert.equal(
      text,
      [
        '--- live Deployment shop/api',
        '+++ desired Deployment shop/api',
        '@@ /spec/replicas @@',
        '- 5',
        '+ 2',
        '@@ /spec/template/metadata/labels @@',
        '- app: api',
        '+ app: api',
        '+ tier: backend',
        '',
      ].join('\n'),
    );
  });

  it('never prints a Secret value, and says what a sync creates or prunes', () => {
    const text = renderDiff([
      {
        key: '/Secret/shop/db',
        status: 'OutOfSync',
        reason: 'Drift',
        changes: [{ path: '/data/password', redacted: true }],
      },
      { key: '/Service/shop/web', status: 'OutOfSync', reason: 'Missing', changes: [] },
      { key: '/Service/shop/old', status: 'OutOfSync', reason: 'Extra', changes: [] },
    ]);
    assert.match(text, /@@ \/data\/password @@\n- <secret>\n\+ <secret, changed>/);
    assert.match(text, /Service shop\/web\n@@ the object does not exist; the sync creates it @@/);
    assert.match(text, /Service shop\/old\n@@ no longer desired; the sync prunes it @@/);
  });

  it('is empty when everything is in sync', () =>
    assert.equal(renderDiff([{ key: '/ConfigMap/a/b', status: 'Synced', changes: [] }]), ''));
});
