import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import {
  ComparisonCache,
  compareResource,
  liveFingerprint,
  formatChanges,
  normalizeForDiff,
  pairResources,
} from './index.ts';
import { withOwnManagedFields } from './comparison-cache.ts';
import { FIELD_MANAGER } from '../keys.ts';

const desired: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    template: { spec: { containers: [{ name: 'main', image: 'web:1', resources: { limits: { cpu: 1 } } }] } },
  },
};
/** What the API server returns for it: defaults, server metadata, status. */
const live: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web' },
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'keelson' }],
    annotations: { 'deployment.kubernetes.io/revision': '3' },
  },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 600,
    strategy: { type: 'RollingUpdate' },
    template: {
      spec: {
        containers: [
          { name: 'main', image: 'web:1', imagePullPolicy: 'IfNotPresent', resources: { limits: { cpu: '1' } } },
        ],
        restartPolicy: 'Always',
      },
    },
  },
  status: { replicas: 2, availableReplicas: 2 },
};
const ignoring = { 'keelson.dev/ignore-differences': '/spec/replicas' };
const withSpec = (obj: KubeObject, spec: Record<string, unknown>): KubeObject => ({
  ...obj,
  spec: { ...(obj.spec as object), ...spec },
});

describe('compareResource', () => {
  const cases: {
    name: string;
    desired?: KubeObject;
    live?: KubeObject;
    predicted?: KubeObject;
    ignore?: string;
    want: string;
    paths?: string[];
  }[] = [
    { name: 'defaults, server metadata and status are not drift', desired, live, want: 'Synced' },
    {
      name: 'a changed field the desired object sets is drift',
      desired: withSpec(desired, { replicas: 3 }),
      live,
      want: 'OutOfSync',
      paths: ['/spec/replicas'],
    },
    {
      name: 'a container list of another length is drift at the list',
      desired: withSpec(desired, { template: { spec: { containers: [] } } }),
      live,
      want: 'OutOfSync',
      paths: ['/spec/template/spec/containers'],
    },
    {
      name: 'a field ignored by annotation is not drift',
      desired: { ...withSpec(desired, { replicas: 5 }), metadata: { ...desired.metadata, annotations: ignoring } },
      live: { ...live, metadata: { ...live.metadata, annotations: ignoring } },
      want: 'Synced',
    },
    { name: 'an object missing from the cluster is OutOfSync (Missing)', desired, want: 'OutOfSync' },
    { name: 'a live object no longer desired is OutOfSync (Extra)', live, want: 'OutOfSync' },
    {
      name: 'a live object being deleted is OutOfSync even when it matches',
      desired,
      live: { ...live, metadata: { ...live.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } },
      predicted: live,
      want: 'OutOfSync',
      paths: [],
    },
    {
      name: 'with a dry-run result, equal to live is Synced',
      desired,
      live,
      predicted: { ...live, metadata: { ...live.metadata, managedFields: [{ manager: 'keelson', time: 'later' }] } },
      want: 'Synced',
    },
    {
      name: 'with a dry-run result, a field set by another manager and reset by desired is drift',
      desired,
      live,
      predicted: withSpec(live, { paused: true }),
      want: 'OutOfSync',
      paths: ['/spec/paused'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = compareResource({ desired: c.desired, live: c.live, predicted: c.predicted });
      assert.equal(got.status, c.want, JSON.stringify(got.changes));
      if (c.paths)
        assert.deepEqual(
          got.changes.map((ch) => ch.path),
          c.paths,
        );
    });
  }

  it('ignores fields named by an Environment rule for that kind', () => {
    const got = compareResource({
      desired: withSpec(desired, { replicas: 9 }),
      live,
      ignoreRules: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
    });
    assert.equal(got.status, 'Synced');
  });
  it('an Environment rule for another name does not apply', () => {
    const got = compareResource({
      desired: withSpec(desired, { replicas: 9 }),
      live,
      ignoreRules: [{ group: 'apps', kind: 'Deployment', name: 'api', jsonPointers: ['/spec/replicas'] }],
    });
    assert.equal(got.status, 'OutOfSync');
  });
  it('an invalid ignore annotation is an error naming the object', () => {
    const bad = {
      ...desired,
      metadata: { ...desired.metadata, annotations: { 'keelson.dev/ignore-differences': 'spec.replicas' } },
    };
    assert.throws(() => compareResource({ desired: bad, live }), /Deployment shop\/web/);
  });
});

describe('Secret data', () => {
  const secret = (data: Record<string, string>, stringData?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    type: 'Opaque',
    data,
    ...(stringData ? { stringData } : {}),
  });
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('equal values compare equal, whether given as data or stringData', () => {
    assert.equal(
      compareResource({ desired: secret({}, { password: 'hunter2' }), live: secret({ password: b64('hunter2') }) })
        .status,
      'Synced',
    );
  });
  it('a changed value is drift whose output carries neither value nor hash', () => {
    const got = compareResource({
      desired: secret({ password: b64('s3cr3t-new') }),
      live: secret({ password: b64('s3cr3t-old') }),
    });
    assert.equal(got.status, 'OutOfSync');
    assert.deepEqual(got.changes, [{ path: '/data/password', redacted: true }]);
    const printed = `${formatChanges(got)} ${JSON.stringify(got)}`;
    for (const leak of ['s3cr3t', b64('s3cr3t-new'), b64('s3cr3t-old'), 'sha256'])
      assert.ok(!printed.includes(leak), `diff output contains ${leak}`);
  });
  it('normalization hashes the values', () => {
    const normalized = normalizeForDiff(secret({ token: b64('abc') }));
    assert.match(String((normalized.data as Record<string, string>).token), /^sha256:[0-9a-f]{64}$/);
  });
});

describe('formatChanges', () => {
  it('shows live → desired for ordinary fields', () => {
    assert.equal(
      formatChanges(compareResource({ desired: withSpec(desired, { replicas: 3 }), live })),
      '/spec/replicas: 2 → 3',
    );
  });
});

describe('pairResources', () => {
  it('pairs by key and keeps unpaired objects on either side', () => {
    const cm = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'shop' },
    });
    const pairs = pairResources([cm('a'), cm('b')], [cm('b'), cm('c')]);
    assert.deepEqual(
      pairs.map((p) => [p.key, !!p.desired, !!p.live]),
      [
        ['/ConfigMap/shop/a', true, false],
        ['/ConfigMap/shop/b', true, true],
        ['/ConfigMap/shop/c', false, true],
      ],
    );
  });
  it('pairs objects of different API versions of the same kind', () => {
    const pairs = pairResources(
      [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'n' } }],
      [{ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'n' } }],
    );
    assert.equal(pairs.length, 1);
  });
});

describe('ComparisonCache', () => {
  const result = { key: 'k', status: 'Synced' as const, changes: [] };
  it('returns the result while neither the desired hash nor the live fingerprint changed', () => {
    const cache = new ComparisonCache();
    cache.set('k', 'h1', 'f1', result, 0);
    assert.equal(cache.get('k', 'h1', 'f1'), result);
    assert.equal(cache.get('k', 'h2', 'f1'), undefined, 'desired changed');
    assert.equal(cache.get('k', 'h1', 'f2'), undefined, 'live changed');
    assert.deepEqual(cache.stats, { hits: 1, misses: 2, size: 1 });
  });
  it('retain forgets keys no longer compared', () => {
    const cache = new ComparisonCache();
    cache.set('k', 'h1', 'f1', result, 0);
    cache.retain(new Set());
    assert.equal(cache.get('k', 'h1', 'f1'), undefined);
  });
  it('vouches for a desired object only for the same hash and since the given time', () => {
    const cache = new ComparisonCache();
    cache.set('k', 'h1', 'f1', result, 1000);
    assert.equal(cache.verifiedSince('k', 'h1', 1000), true);
    assert.equal(cache.verifiedSince('k', 'h1', 1001), false, 'too long ago');
    assert.equal(cache.verifiedSince('k', 'h2', 0), false, 'another desired object');
    assert.equal(cache.verifiedSince('other', 'h1', 0), false);
  });
});

describe('liveFingerprint', () => {
  const deployment = (
    over: { replicas?: number; status?: unknown; rv?: string; managedFields?: unknown[]; revision?: string } = {},
  ): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      resourceVersion: over.rv ?? '1',
      annotations: { 'deployment.kubernetes.io/revision': over.revision ?? '1' },
      managedFields: over.managedFields ?? [
        { manager: 'keelson', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      ],
    },
    spec: { replicas: over.replicas ?? 1 },
    ...(over.status ? { status: over.status } : {}),
  });
  it('stays the same when only status, resourceVersion, server annotations or status writers change', () => {
    const rolledOut = deployment({
      rv: '9',
      revision: '2',
      status: { availableReplicas: 1 },
      managedFields: [
        { manager: 'keelson', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          subresource: 'status',
          time: '2026-01-01T00:00:00Z',
          fieldsV1: { 'f:status': {} },
        },
      ],
    });
    assert.equal(liveFingerprint(rolledOut), liveFingerprint(deployment()));
  });
  it('changes with the content and with the fields Keelson owns', () => {
    assert.notEqual(liveFingerprint(deployment({ replicas: 3 })), liveFingerprint(deployment()));
    const fewerOwned = deployment({
      managedFields: [{ manager: 'keelson', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
    });
    assert.notEqual(liveFingerprint(fewerOwned), liveFingerprint(deployment()));
  });
});

describe('what the watches keep of a live object', () => {
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'api',
      managedFields: [
        { manager: FIELD_MANAGER, operation: 'Apply', fieldsV1: { 'f:spec': {} } },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          subresource: 'status',
          fieldsV1: { 'f:status': {} },
        },
      ],
    },
    spec: { replicas: 2 },
  };

  it("keeps Keelson's own managedFields and everything else; the fingerprint is the same", () => {
    const kept = withOwnManagedFields(live);
    assert.deepEqual(
      kept.metadata.managedFields.map((m) => m.manager),
      [FIELD_MANAGER],
    );
    assert.deepEqual(kept.spec, live.spec);
    assert.equal(liveFingerprint(kept as never), liveFingerprint(live as never));
  });

  it('returns an object with nothing to drop as it is', () => {
    const own = { ...live, metadata: { name: 'api', managedFields: [live.metadata.managedFields[0]!] } };
    assert.equal(withOwnManagedFields(own), own);
  });
});
