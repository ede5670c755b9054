import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { syncWindowSources, type SharedSyncWindow } from './sync-window-sources.ts';

const shared = (name: string, namespace: string, matchLabels?: Record<string, string>): SharedSyncWindow => ({
  metadata: { name, namespace },
  spec: { kind: 'deny', schedule: '0 17 * * fri', duration: '2h', selector: matchLabels && { matchLabels } },
});

describe('the sync windows of an Environment', () => {
  const cases: { name: string; labels?: Record<string, string>; expect: string[] }[] = [
    {
      name: 'a SyncWindow without a selector applies to every Environment of its namespace',
      expect: ['SyncWindow/all'],
    },
    {
      name: 'a selector applies where every label matches',
      labels: { tier: 'prod', team: 'shop' },
      expect: ['SyncWindow/all', 'SyncWindow/prod'],
    },
    { name: 'a selector does not apply when a label differs', labels: { tier: 'dev' }, expect: ['SyncWindow/all'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sources = syncWindowSources({ namespace: 'shop', labels: c.labels }, [
        shared('prod', 'shop', { tier: 'prod' }),
        shared('all', 'shop'),
        shared('other', 'elsewhere'),
      ]);
      assert.deepEqual(
        sources.map((s) => s.name),
        c.expect,
      );
    });
  }

  it('names its own windows by name or index and their fields by path', () => {
    const sources = syncWindowSources(
      {
        namespace: 'shop',
        windows: [
          { kind: 'allow', schedule: '0 8 * * *', duration: '10h' },
          { name: 'friday', kind: 'deny', schedule: '0 17 * * fri', duration: '2h' },
        ],
      },
      [shared('all', 'shop')],
    );
    assert.deepEqual(
      sources.map((s) => [s.name, s.field]),
      [
        ['spec.sync.windows[0]', 'spec.sync.windows[0]'],
        ['friday', 'spec.sync.windows[1]'],
        ['SyncWindow/all', 'SyncWindow shop/all spec'],
      ],
    );
  });
});
