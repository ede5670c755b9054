import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { KubeApiError } from './api-error.ts';
import { RestTransport, TransportClosedError, resourceOfPath, retryDelayMs } from './rest-transport.ts';

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

/** A transport to a local HTTP server answering with `handler`; closed after `use`. */
async function withServer(
  handler: Parameters<typeof createServer>[1],
  use: (transport: RestTransport) => Promise<void>,
): Promise<void> {
  const server = createServer(handler);
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
  try {
    await use(transport);
  } finally {
    transport.close();
    server.closeAllConnections();
    server.close();
  }
}

describe('RestTransport.guarded', () => {
  it('sends reads, refuses a write its check throws for before it is sent, and closes alone', async () => {
    const seen: string[] = [];
    const answer = (req: { method?: string; url?: string }, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    };
    await withServer(answer, async (transport) => {
      let held = true;
      const view = transport.guarded(() => {
        if (!held) throw new Error('fenced');
      });
      await view.request({ method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/b', body: {} });
      held = false;
      await view.request({ method: 'GET', path: '/api/v1/namespaces/a/configmaps/b' });
      await assert.rejects(view.request({ method: 'DELETE', path: '/api/v1/namespaces/a/configmaps/b' }), /fenced/);
      assert.deepEqual(seen, ['PATCH /api/v1/namespaces/a/configmaps/b', 'GET /api/v1/namespaces/a/configmaps/b']);
      view.close();
      await assert.rejects(view.request({ method: 'GET', path: '/api' }), TransportClosedError);
      await transport.request({ method: 'GET', path: '/api' });
      assert.equal(seen.length, 3, 'closing the view left the connections of the transport open');
    });
  });
  it('checks a write again once it has its connection, and sends nothing when the check fails then', async () => {
    const seen: string[] = [];
    const answer = (req: { method?: string }, res: ServerResponse) => {
      seen.push(String(req.method));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    };
    await withServer(answer, async (transport) => {
      let checks = 0;
      // Allowed when the request is made, fenced by the time its (new) connection is open: a
      // replica paused while it connected.
      const view = transport.guarded(() => {
        if (++checks === 2) throw new Error('fenced while connecting');
      });
      await assert.rejects(
        view.request({ method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/b', body: {} }),
        /fenced while connecting/,
      );
      assert.deepEqual(seen, [], 'the write never reached the server');
      await view.request({ method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/b', body: {} });
      assert.deepEqual(seen, ['PATCH']);
      assert.equal(checks, 4, 'each write was checked twice');
    });
  });
});

describe('RestTransport and 429', () => {
  it('sends again after the Retry-After of a 429, and gives up after six attempts', async () => {
    let refusals = 0;
    let seen = 0;
    const answer = (_req: unknown, res: ServerResponse) => {
      seen++;
      if (refusals-- > 0) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        return res.end('{"kind":"Status","code":429,"reason":"TooManyRequests","message":"Too many requests"}');
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    };
    await withServer(answer, async (transport) => {
      refusals = 2;
      assert.deepEqual(await transport.request({ method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/b' }), {
        ok: true,
      });
      assert.equal(seen, 3, 'twice refused, then answered');
      refusals = 100;
      seen = 0;
      await assert.rejects(
        transport.request({ method: 'GET', path: '/api' }),
        (err: unknown) => err instanceof KubeApiError && err.status === 429,
      );
      assert.equal(seen, 6);
    });
  });

  it('waits what Retry-After says (at most 10 s), else half a second doubling, jittered', () => {
    assert.equal(
      retryDelayMs('2', 1, () => 0.5),
      2000,
    );
    assert.equal(
      retryDelayMs('120', 1, () => 0.5),
      10_000,
    );
    assert.equal(
      retryDelayMs(undefined, 1, () => 0.5),
      500,
    );
    assert.equal(
      retryDelayMs(undefined, 3, () => 0.5),
      2000,
    );
    assert.equal(
      retryDelayMs('soon', 2, () => 0),
      800,
    );
  });
});

describe('RestTransport.text', () => {
  it('answers a text body as it is (a container log), and a refusal as the KubeApiError request() throws', async () => {
    const answer = (req: { url?: string }, res: ServerResponse) => {
      if (req.url?.includes('container=main')) {
        res.setHeader('content-type', 'text/plain');
        return void res.end('line 1\n{"not":"parsed"}\n');
      }
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'Status', reason: 'BadRequest', message: 'container nope is not valid' }));
    };
    await withServer(answer, async (transport) => {
      const path = '/api/v1/namespaces/a/pods/b/log';
      assert.equal(await transport.text(path, { container: 'main' }), 'line 1\n{"not":"parsed"}\n');
      await assert.rejects(
        transport.text(path, { container: 'nope' }),
        (err) => err instanceof KubeApiError && err.status === 400 && err.message === 'container nope is not valid',
      );
    });
  });
});
