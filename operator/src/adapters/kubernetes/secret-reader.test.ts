import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from './api-error.ts';
import { secretReader, secretValue } from './secret-reader.ts';
import type { RestRequest } from './rest-transport.ts';

function transport(answer: (req: RestRequest) => unknown) {
  const seen: RestRequest[] = [];
  return {
    seen,
    async request<T>(req: RestRequest): Promise<T> {
      seen.push(req);
      return answer(req) as T;
    },
  };
}

test('reads a Secret by its path, the names escaped', async () => {
  const t = transport(() => ({ metadata: { name: 'a b' }, data: { token: Buffer.from('s3cret').toString('base64') } }));
  const secret = await secretReader(t).read('team-a', 'a b');
  assert.deepEqual(t.seen, [{ method: 'GET', path: '/api/v1/namespaces/team-a/secrets/a%20b' }]);
  assert.equal(secretValue(secret!, 'token'), 's3cret');
  assert.equal(secretValue(secret!, 'missing'), '');
});

test("a Secret the API server says does not exist is undefined; the mux's 404 and other failures throw", async () => {
  const missing = transport(() => {
    throw new KubeApiError(404, 'NotFound', 'secrets "x" not found');
  });
  assert.equal(await secretReader(missing).read('ns', 'x'), undefined);
  const unserved = transport(() => {
    throw new KubeApiError(404, 'NotFound', '404 page not found', { fromStatus: false });
  });
  await assert.rejects(secretReader(unserved).read('ns', 'x'), /404 page not found/);
  const forbidden = transport(() => {
    throw new KubeApiError(403, 'Forbidden', 'secrets "x" is forbidden');
  });
  await assert.rejects(secretReader(forbidden).read('ns', 'x'), (err: unknown) => (err as KubeApiError).status === 403);
});
