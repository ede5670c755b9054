// The overview's rows, filters, sorts, pages and change feed, and the cache of which
// namespaces a user may list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource, GitRepositoryResource } from '../kubernetes/keelson-resources.ts';
import { AuthError, type AccessRequest, type Caller } from '../http/kubernetes-auth.ts';
import { NamespaceAccess } from './namespace-access.ts';
import {
  compareRows,
  matches,
  OverviewIndex,
  pageOf,
  parseQuery,
  QueryError,
  toRow,
  type OverviewChange,
  type Row,
} from './overview.ts';

function env(
  namespace: string,
  name: string,
  status: EnvironmentResource['status'] = {},
  extra: { spec?: Partial<EnvironmentResource['spec']>; annotations?: Record<string, string> } = {},
): EnvironmentResource {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Environment',
    metadata: { namespace, name, annotations: extra.annotations },
    spec: { sourceRef: { name: 'deploy' }, environment: name, ...extra.spec },
    status,
  };
}

const COMMIT = 'a'.repeat(40);

describe('toRow', () => {
  it('takes sync, health, revision, operation and Ready from status', () => {
    const row = toRow(
      env('shop', 'prod', {
        sync: { status: 'OutOfSync', revision: `main@sha1:${COMMIT}` },
        health: { status: 'Degraded', message: 'web: 0/2 ready' },
        operation: { id: 'x', phase: 'Failed', revision: COMMIT, startedAt: '2026-01-01T00:00:00Z', message: 'boom' },
        conditions: [
          { type: 'Ready', status: 'False', reason: 'SyncFailed', message: 'boom', lastTransitionTime: 'x' },
        ],
      }),
      `main@sha1:${'b'.repeat(40)}`,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(row)), {
      namespace: 'shop',
      name: 'prod',
      sync: 'OutOfSync',
      health: 'Degraded',
      healthMessage: 'web: 0/2 ready',
      revision: `main@sha1:${COMMIT}`,
      latestRevision: `main@sha1:${'b'.repeat(40)}`,
      policy: 'manual',
      operation: { phase: 'Failed', revision: COMMIT, startedAt: '2026-01-01T00:00:00Z', message: 'boom' },
      ready: { status: 'False', reason: 'SyncFailed', message: 'boom' },
      attention: true,
    });
  });

  it('says Unknown without a status, and no attention', () => {
    const row = JSON.parse(JSON.stringify(toRow(env('a', 'b', undefined)))) as Row;
    assert.deepEqual(row, {
      namespace: 'a',
      name: 'b',
      sync: 'Unknown',
      health: 'Unknown',
      policy: 'manual',
      ready: { status: 'Unknown' },
      attention: false,
    });
  });

  it('names the policy: suspended, paused, automated, manual', () => {
    const automated = { sync: { automated: {} } };
    assert.equal(toRow(env('a', 'b', {}, { spec: { ...automated, suspend: true } })).policy, 'suspended');
    const paused = { spec: automated, annotations: { 'keelson.dev/auto-sync-paused': 'rollback' } };
    assert.equal(toRow(env('a', 'b', {}, paused)).policy, 'paused');
    assert.equal(toRow(env('a', 'b', {}, { spec: automated })).policy, 'automated');
    assert.equal(toRow(env('a', 'b')).policy, 'manual');
  });
});

const rows: Row[] = [
  toRow(env('b', 'healthy', { sync: { status: 'Synced', revision: 'main@sha1:1234' }, health: { status: 'Healthy' } })),
  toRow(env('a', 'drifted', { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } })),
  toRow(env('a', 'broken', { sync: { status: 'Synced' }, health: { status: 'Degraded' } })),
  toRow(env('c', 'busy', { operation: { id: '1', phase: 'Running', revision: 'r', startedAt: 't' } })),
  toRow(env('c', 'failed', { operation: { id: '1', phase: 'Failed', revision: 'r', startedAt: 't' } })),
  toRow(env('b', 'rolling', { sync: { status: 'Synced' }, health: { status: 'Progressing' } })),
];
const names = (list: readonly Row[]) => list.map((r) => r.name);

describe('sorting, filtering and paging', () => {
  it('sorts by attention by default: running, failed, Degraded, OutOfSync, Progressing, the rest', () => {
    const sorted = [...rows].sort(compareRows(parseQuery(new URLSearchParams()).sort));
    assert.deepEqual(names(sorted), ['busy', 'failed', 'broken', 'drifted', 'rolling', 'healthy']);
  });

  it('sorts by name, namespace and sync status, ties by namespace/name', () => {
    assert.deepEqual(names([...rows].sort(compareRows('name'))), [
      'broken',
      'busy',
      'drifted',
      'failed',
      'healthy',
      'rolling',
    ]);
    assert.deepEqual(names([...rows].sort(compareRows('namespace'))), [
      'broken',
      'drifted',
      'healthy',
      'rolling',
      'busy',
      'failed',
    ]);
    assert.equal([...rows].sort(compareRows('synced'))[0]!.name, 'drifted');
  });

  it('filters by namespace, sync, health and text in namespace/name/revision', () => {
    const q = (s: string) => rows.filter((r) => matches(r, parseQuery(new URLSearchParams(s))));
    assert.deepEqual(names(q('namespace=a')), ['drifted', 'broken']);
    assert.deepEqual(names(q('sync=OutOfSync')), ['drifted']);
    assert.deepEqual(names(q('health=Degraded')), ['broken']);
    assert.deepEqual(names(q('q=1234')), ['healthy']);
    assert.deepEqual(names(q('q=C/B')), ['busy']);
  });

  it('pages only what the caller may see, naming its namespaces', () => {
    const page = pageOf(rows, parseQuery(new URLSearchParams('sort=name&offset=1&limit=2')), (ns) => ns !== 'c');
    assert.equal(page.total, 4);
    assert.equal(page.offset, 1);
    assert.deepEqual(names(page.items), ['drifted', 'healthy']);
    assert.deepEqual(page.namespaces, ['a', 'b']);
  });

  it('refuses bad parameters, and caps the limit at 500', () => {
    assert.throws(() => parseQuery(new URLSearchParams('sync=Green')), QueryError);
    assert.throws(() => parseQuery(new URLSearchParams('sort=size')), /sort must be one of/);
    assert.throws(() => parseQuery(new URLSearchParams('offset=-1')), /offset must be a whole number/);
    assert.equal(parseQuery(new URLSearchParams('limit=9999')).limit, 500);
    assert.equal(parseQuery(new URLSearchParams()).limit, 50);
  });
});

describe('OverviewIndex', () => {
  it('keeps rows from watch events and reports each change with before and after', () => {
    const index = new OverviewIndex();
    const changes: OverviewChange[] = [];
    index.subscribe((c) => changes.push(c));
    index.onEnvironment(env('shop', 'prod', { sync: { status: 'Synced' } }), false);
    index.onEnvironment(env('shop', 'prod', { sync: { status: 'OutOfSync' } }), false);
    assert.equal(changes.length, 2);
    assert.equal(changes[1]!.before?.sync, 'Synced');
    assert.equal(changes[1]!.after?.sync, 'OutOfSync');
    assert.equal(index.environment('shop', 'prod')?.status?.sync?.status, 'OutOfSync');
    index.onEnvironment(env('shop', 'prod'), true);
    assert.equal(changes[2]!.after, undefined);
    assert.equal(index.size, 0);
    index.onEnvironment(env('shop', 'prod'), true);
    assert.equal(changes.length, 3, 'deleting what is not there is no change');
  });

  it("fills latestRevision from the GitRepository's artifact, and updates rows when it moves", () => {
    const index = new OverviewIndex();
    index.onEnvironment(env('shop', 'prod'), false);
    index.onEnvironment(env('other', 'prod'), false);
    const repo = (revision: string): GitRepositoryResource => ({
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'GitRepository',
      metadata: { namespace: 'shop', name: 'deploy' },
      spec: { url: 'https://example.com/x.git' },
      status: { artifact: { revision, commit: COMMIT, fetchedAt: 't' } },
    });
    const changes: OverviewChange[] = [];
    const stop = index.subscribe((c) => changes.push(c));
    index.onGitRepository(repo(`main@sha1:${COMMIT}`), false);
    assert.deepEqual(
      changes.map((c) => `${c.namespace}/${c.name} ${c.after?.latestRevision}`),
      [`shop/prod main@sha1:${COMMIT}`],
    );
    index.onGitRepository(repo(`main@sha1:${COMMIT}`), false);
    assert.equal(changes.length, 1, 'the same revision again changes nothing');
    stop();
    index.onGitRepository(repo(`main@sha1:${COMMIT}`), true);
    assert.equal(changes.length, 1, 'unsubscribed');
    assert.equal([...index.rows()].find((r) => r.namespace === 'shop')?.latestRevision, undefined);
  });
});

describe('NamespaceAccess', () => {
  const alice: Caller = { username: 'alice', groups: ['devs'] };

  it('asks once per user and namespace within 30 s', async () => {
    let now = 0;
    const asked: string[] = [];
    const access = new NamespaceAccess({
      clock: () => now,
      authorize: async (caller, request) => {
        asked.push(`${caller.username}:${request.verb}:${request.namespace}`);
        if (request.namespace !== 'a') throw new AuthError(403, 'no');
      },
    });
    assert.deepEqual([...(await access.allowed(alice, ['a', 'b', 'a']))], ['a']);
    assert.deepEqual([...(await access.allowed(alice, ['a', 'b']))], ['a']);
    assert.deepEqual(asked, ['alice:list:a', 'alice:list:b']);
    assert.equal(await access.may({ username: 'bob', groups: [] }, 'a'), true);
    now = 30_001;
    await access.may(alice, 'a');
    assert.equal(asked.length, 4);
  });

  it('passes on an error that is not a refusal, and asks again next time', async () => {
    let calls = 0;
    const access = new NamespaceAccess({
      authorize: async () => {
        calls++;
        throw new Error('API server down');
      },
    });
    await assert.rejects(access.may(alice, 'a'), /API server down/);
    await assert.rejects(access.may(alice, 'a'), /API server down/);
    assert.equal(calls, 2);
  });

  it('asks about the resource it is given (GitRepositories), Environments by default', async () => {
    const asked: (string | undefined)[] = [];
    const authorize = async (_caller: Caller, request: AccessRequest) => void asked.push(request.resource);
    await new NamespaceAccess({ authorize }).may(alice, 'a');
    await new NamespaceAccess({ authorize, resource: 'gitrepositories' }).may(alice, 'a');
    assert.deepEqual(asked, [undefined, 'gitrepositories']);
  });
});
