import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiErrorOf, isTransient, isUnservedPath, KubeApiError, parseSuccess } from './api-error.ts';

describe('apiErrorOf', () => {
  it('keeps what a Status is about (details.kind and name): a missing namespace is told by them', () => {
    const text = JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "shop" not found',
      details: { name: 'shop', kind: 'namespaces' },
    });
    const err = apiErrorOf({ status: 404, contentType: 'application/json', text }, 'PATCH', '/api/v1/x');
    assert.deepEqual(err.subject, { kind: 'namespaces', name: 'shop' });
    const bare = apiErrorOf({ status: 404, contentType: 'text/plain', text: '404 page not found' }, 'GET', '/x');
    assert.equal(bare.subject, undefined);
  });

  it('names the immutable fields of a 422 (a Job template, a Service clusterIP), and no others', () => {
    const text = JSON.stringify({
      kind: 'Status',
      code: 422,
      reason: 'Invalid',
      message: 'Job.batch "migrate" is invalid: spec.template: Invalid value: ...: field is immutable',
      details: {
        causes: [
          { reason: 'FieldValueInvalid', field: 'spec.template', message: 'Invalid value: {...}: field is immutable' },
          { reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' },
        ],
      },
    });
    const err = apiErrorOf({ status: 422, contentType: 'application/json', text }, 'PATCH', '/apis/batch/v1/x');
    assert.deepEqual(err.immutableFields, ['spec.template']);
    assert.deepEqual(err.causes, ['FieldValueInvalid', 'FieldValueRequired']);
    const plain = apiErrorOf({ status: 422, contentType: 'application/json', text: '{"kind":"Status"}' }, 'PUT', '/x');
    assert.deepEqual(plain.immutableFields, []);
  });

  it('tells a field the schema does not declare (a 500 of server-side apply) from a transient 500', () => {
    const status = (message: string) => JSON.stringify({ kind: 'Status', code: 500, reason: 'InternalError', message });
    const undeclared = apiErrorOf(
      {
        status: 500,
        contentType: 'application/json',
        text: status(
          'failed to create typed patch object (shop/typo; /v1, Kind=ConfigMap): .extra: field not declared in schema',
        ),
      },
      'PATCH',
      '/api/v1/namespaces/shop/configmaps/typo',
    );
    assert.equal(undeclared.undeclaredField, true);
    assert.equal(isTransient(undeclared), false);
    const etcd = apiErrorOf(
      { status: 500, contentType: 'application/json', text: status('etcdserver: request timed out') },
      'PATCH',
      '/x',
    );
    assert.equal(etcd.undeclaredField, false);
    assert.equal(isTransient(etcd), true);
  });

  const path = '/apis/example.com/v1/namespaces/shop/widgets/w';
  const status = (code: number, reason: string, message: string) =>
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
  const cases: {
    name: string;
    status: number;
    contentType: string;
    text: string;
    reason: string;
    message: RegExp;
    unserved: boolean;
  }[] = [
    {
      name: 'a JSON Status keeps its reason and message',
      status: 404,
      contentType: 'application/json',
      text: status(404, 'NotFound', 'widgets.example.com "w" not found'),
      reason: 'NotFound',
      message: /^widgets\.example\.com "w" not found$/,
      unserved: false,
    },
    {
      name: 'a Status without a content type is still read',
      status: 422,
      contentType: '',
      text: status(422, 'Invalid', 'spec.selector: field is immutable'),
      reason: 'Invalid',
      message: /field is immutable/,
      unserved: false,
    },
    {
      name: "the mux's text/plain 404 is an unserved path",
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      text: '404 page not found\n',
      reason: 'NotFound',
      message: /^PATCH \/apis\/example\.com\/v1\/namespaces\/shop\/widgets\/w: HTTP 404: 404 page not found$/,
      unserved: true,
    },
    {
      name: 'an HTML page from a proxy gives its title',
      status: 502,
      contentType: 'text/html',
      text: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>',
      reason: 'InternalError',
      message: /HTTP 502: 502 Bad Gateway$/,
      unserved: false,
    },
    {
      name: 'an HTML page without a title gives its text',
      status: 403,
      contentType: 'text/html',
      text: '<body><p>Access   denied</p><script>x()</script></body>',
      reason: 'Forbidden',
      message: /HTTP 403: Access denied$/,
      unserved: false,
    },
    {
      name: 'an empty body names the code',
      status: 503,
      contentType: '',
      text: '',
      reason: 'ServiceUnavailable',
      message: /HTTP 503 \(ServiceUnavailable\)$/,
      unserved: false,
    },
    {
      name: 'JSON that is not a Status is shown as text',
      status: 500,
      contentType: 'application/json',
      text: '[1,2',
      reason: 'InternalError',
      message: /HTTP 500: \[1,2$/,
      unserved: false,
    },
    {
      name: 'an unknown code gets a reason from its number',
      status: 418,
      contentType: 'text/plain',
      text: 'teapot',
      reason: 'HTTP418',
      message: /teapot/,
      unserved: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = apiErrorOf({ status: c.status, contentType: c.contentType, text: c.text }, 'PATCH', path);
      assert.ok(err instanceof KubeApiError);
      assert.equal(err.status, c.status);
      assert.equal(err.reason, c.reason);
      assert.match(err.message, c.message);
      assert.equal(isUnservedPath(err), c.unserved);
    });
  }

  it('keeps the causes of a Status, so an apply conflict is told from a newer resourceVersion', () => {
    const text = JSON.stringify({
      kind: 'Status',
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', field: '.spec.replicas' }] },
    });
    const err = apiErrorOf({ status: 409, contentType: 'application/json', text }, 'PATCH', path);
    assert.deepEqual(err.causes, ['FieldManagerConflict']);
    assert.equal(isTransient(err), false);
    assert.equal(
      isTransient(
        apiErrorOf(
          {
            status: 409,
            contentType: 'application/json',
            text: status(409, 'Conflict', 'the object has been modified'),
          },
          'PUT',
          path,
        ),
      ),
      true,
    );
  });

  it('clips a long body to one short line', () => {
    const err = apiErrorOf({ status: 500, contentType: 'text/plain', text: 'x'.repeat(5000) }, 'GET', '/api/v1');
    assert.ok(err.message.length < 600, `${err.message.length} characters`);
  });
});

describe('parseSuccess', () => {
  it('parses JSON and gives undefined for an empty body', () => {
    assert.deepEqual(parseSuccess({ status: 200, contentType: 'application/json', text: '{"a":1}' }, 'GET', '/x'), {
      a: 1,
    });
    assert.equal(parseSuccess({ status: 200, contentType: '', text: '' }, 'DELETE', '/x'), undefined);
  });
  it('names the request when a 2xx body is not JSON', () => {
    assert.throws(
      () => parseSuccess({ status: 200, contentType: 'text/html', text: '<html>login</html>' }, 'GET', '/apis/apps/v1'),
      /GET \/apis\/apps\/v1: HTTP 200 with a body that is not JSON \(text\/html\)/,
    );
  });
});

describe('isTransient', () => {
  const connectionReset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const cases: { name: string; err: unknown; want: boolean }[] = [
    { name: 'throttling (429) is tried again', err: new KubeApiError(429, 'TooManyRequests', 'slow down'), want: true },
    {
      name: 'a server error is tried again',
      err: new KubeApiError(503, 'ServiceUnavailable', 'etcd leader changed'),
      want: true,
    },
    { name: 'a dropped connection is tried again', err: connectionReset, want: true },
    {
      name: 'a timeout is tried again (by its code, as the transport raises it)',
      err: Object.assign(new Error('PATCH /api/v1/x timed out after 30000 ms'), { code: 'ETIMEDOUT' }),
      want: true,
    },
    { name: 'words alone decide nothing', err: new Error('the operation timed out'), want: false },
    {
      name: 'a wrapped transient cause is tried again',
      err: new Error('Job shop/x: etcd', { cause: new KubeApiError(500, 'InternalError', 'etcd') }),
      want: true,
    },
    {
      name: 'an invalid object fails',
      err: new KubeApiError(422, 'Invalid', 'spec.replicas: Invalid value: -1'),
      want: false,
    },
    {
      name: 'a forbidden request fails',
      err: new KubeApiError(403, 'Forbidden', 'cannot patch deployments'),
      want: false,
    },
    {
      name: "another writer's newer resourceVersion (Conflict) is tried again",
      err: new KubeApiError(
        409,
        'Conflict',
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified',
      ),
      want: true,
    },
    {
      name: 'an apply conflict with another field manager fails',
      err: new KubeApiError(409, 'Conflict', 'Apply failed with 1 conflict', { causes: ['FieldManagerConflict'] }),
      want: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(isTransient(c.err), c.want));
  }
});
