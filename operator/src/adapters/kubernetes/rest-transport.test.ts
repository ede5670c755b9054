import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTransient, KubeApiError, resourceOfPath } from './rest-transport.ts';

describe('isTransient', () => {
  const connectionReset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const cases: { name: string; err: unknown; want: boolean }[] = [
    { name: 'throttling (429) is tried again', err: new KubeApiError(429, 'TooManyRequests', 'slow down'), want: true },
    { name: 'a server error is tried again', err: new KubeApiError(503, 'ServiceUnavailable', 'etcd leader changed'), want: true },
    { name: 'a dropped connection is tried again', err: connectionReset, want: true },
    { name: 'a timeout is tried again', err: new Error('PATCH /api/v1/x timed out after 30000 ms'), want: true },
    { name: 'a wrapped transient cause is tried again', err: new Error('Job shop/x: etcd', { cause: new KubeApiError(500, 'InternalError', 'etcd') }), want: true },
    { name: 'an invalid object fails', err: new KubeApiError(422, 'Invalid', 'spec.replicas: Invalid value: -1'), want: false },
    { name: 'a forbidden request fails', err: new KubeApiError(403, 'Forbidden', 'cannot patch deployments'), want: false },
    { name: 'an apply conflict with another field manager fails', err: new KubeApiError(409, 'Conflict', 'Apply failed with 1 conflict'), want: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(isTransient(c.err), c.want));
  }
});

describe('resourceOfPath', () => {
  const cases: [string, string][] = [
    ['/apis/apps/v1/namespaces/shop/deployments/web', 'deployments'],
    ['/apis/keelson.dev/v1alpha1/namespaces/team/environments/dev/status', 'environments/status'],
    ['/api/v1/namespaces/shop/events', 'events'],
    ['/api/v1/namespaces/shop', 'namespaces'],
    ['/api/v1/namespaces/shop/status', 'namespaces/status'],
    ['/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com', 'customresourcedefinitions'],
    ['/apis/apps/v1', ''],
    ['/api/v1', ''],
  ];
  for (const [path, want] of cases) it(`${path} → ${want || '(discovery)'}`, () => assert.equal(resourceOfPath(path), want));
});
