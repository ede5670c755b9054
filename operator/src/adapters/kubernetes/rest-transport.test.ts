import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { RestTransport, TransportClosedError, resourceOfPath } from './rest-transport.ts';

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

describe('RestTransport.guarded', () => {
  it('sends reads, refuses a write its check throws for before it is sent, and closes alone', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
      ],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const transport = await RestTransport.fromKubeConfig(kc);
    let held = true;
    const view = transport.guarded(() => {
      if (!held) throw new Error('fenced');
    });
    try {
      await view.request({ method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/b', body: {} });
      held = false;
      await view.request({ method: 'GET', path: '/api/v1/namespaces/a/configmaps/b' });
      await assert.rejects(view.request({ method: 'DELETE', path: '/api/v1/namespaces/a/configmaps/b' }), /fenced/);
      assert.deepEqual(seen, ['PATCH /api/v1/namespaces/a/configmaps/b', 'GET /api/v1/namespaces/a/configmaps/b']);
      view.close();
      await assert.rejects(view.request({ method: 'GET', path: '/api' }), TransportClosedError);
      await transport.request({ method: 'GET', path: '/api' });
      assert.equal(seen.length, 3, 'closing the view left the connections of the transport open');
    } finally {
      transport.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
