// JSON answers of the REST API and the UI's API: gzipped when large and accepted, as they are
// otherwise, and always with the right length and Vary, against a real HTTP server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { sendJson } from './http-server.ts';

const large = { items: Array.from({ length: 200 }, (_, i) => ({ name: `environment-${i}`, sync: 'Synced' })) };

function get(port: number, path: string, encoding?: string) {
  return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ port, path, headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sendJson', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => sendJson(res, 200, req.url === '/large' ? large : { ok: true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gzips a large answer the client accepts gzip for, with its compressed length', async () => {
    const { headers, body } = await get(port, '/large', 'gzip, deflate, br');
    assert.equal(headers['content-encoding'], 'gzip');
    assert.equal(headers.vary, 'accept-encoding');
    assert.equal(Number(headers['content-length']), body.length);
    assert.deepEqual(JSON.parse(gunzipSync(body).toString()), large);
    assert.ok(body.length < JSON.stringify(large).length / 4, `${body.length} bytes`);
  });

  it('sends a large answer as it is to a client that does not accept gzip, or refuses it', async () => {
    for (const encoding of [undefined, 'gzip;q=0', 'br']) {
      const { headers, body } = await get(port, '/large', encoding);
      assert.equal(headers['content-encoding'], undefined, String(encoding));
      assert.equal(headers.vary, 'accept-encoding');
      assert.deepEqual(JSON.parse(body.toString()), large);
    }
  });

  it('sends a small answer as it is', async () => {
    const { headers, body } = await get(port, '/small', 'gzip');
    assert.equal(headers['content-encoding'], undefined);
    assert.equal(headers.vary, undefined);
    assert.deepEqual(JSON.parse(body.toString()), { ok: true });
  });
});
