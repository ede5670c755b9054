import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionErrorCode, describeConnectionError } from './connection-error.ts';

test('finds the code on the error or on its cause, as fetch reports it', () => {
  const fetchFailed = new TypeError('fetch failed', {
    cause: Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    }),
  });
  assert.equal(connectionErrorCode(fetchFailed), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(connectionErrorCode(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
  assert.match(
    describeConnectionError(fetchFailed, 'the API server', 'https://10.0.0.1:6443')!,
    /^cannot reach the API server \(https:\/\/10\.0\.0\.1:6443\): UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*certificate-authority/,
  );
});

test('leaves other errors to the caller', () => {
  assert.equal(describeConnectionError(new Error('boom'), 'x', undefined), undefined);
  assert.equal(
    describeConnectionError(Object.assign(new Error('no file'), { code: 'ENOENT' }), 'x', undefined),
    undefined,
  );
  assert.equal(describeConnectionError(Object.assign(new Error('http'), { code: 403 }), 'x', undefined), undefined);
});
