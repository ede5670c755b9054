import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resourceOfPath } from './rest-transport.ts';

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
  for (const [path, want] of cases)
    it(`${path} → ${want || '(discovery)'}`, () => assert.equal(resourceOfPath(path), want));
});
