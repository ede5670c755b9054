import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { AuthError, type AccessRequest } from '../http/kubernetes-auth.ts';
import { RequestError } from '../http/api-routes.ts';
import type { EnvironmentResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { KubeApiError } from '../kubernetes/api-error.ts';
import type { OverviewIndex } from './overview.ts';
import { hookLogsSubResource, type ClusterReader } from './hook-logs.ts';

const JOB = 'migrate-0a1b2c3d';

const env = {
  metadata: { namespace: 'shop', name: 'prod' },
  spec: { sourceRef: { name: 'deploy' }, environment: 'prod' },
  status: {
    operation: {
      id: 'op-1',
      phase: 'Failed',
      revision: 'main@sha1:abc',
      startedAt: '2026-01-01T00:00:00Z',
      tasks: [
        { key: 'batch/Job/shop-prod/migrate', phase: 'PreSync', wave: 0, status: 'Failed', hookName: JOB },
        { key: 'batch/Job/shop-prod/seed', phase: 'Sync', wave: 0, status: 'Pending' },
      ],
    },
  },
} as unknown as EnvironmentResource;

const failedPod = {
  metadata: {
    namespace: 'shop-prod',
    name: `${JOB}-x1`,
    creationTimestamp: '2026-01-01T00:00:01Z',
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: JOB, controller: true }],
  },
  spec: { containers: [{ name: 'main' }, { name: 'sidecar' }] },
  status: { phase: 'Failed' },
};

interface Asked {
  readonly access: AccessRequest[];
  readonly lists: string[];
  readonly texts: string[];
}

/** GET …/hooklogs?<query> with fakes of RBAC (`denied` verbs/resources) and the cluster. */
async function call(
  query: string,
  cluster: Partial<ClusterReader> = {},
  denied: (r: AccessRequest) => boolean = () => false,
): Promise<{ status: number; body: Record<string, unknown>; asked: Asked }> {
  const asked: Asked = { access: [], lists: [], texts: [] };
  const route = hookLogsSubResource({
    auth: {
      authorize: async (_caller, request) => {
        asked.access.push(request);
        if (denied(request)) throw new AuthError(403, `alice may not ${request.verb} ${request.resource}`);
      },
    },
    resources: {} as KeelsonResources,
    index: { environment: () => env } as unknown as OverviewIndex,
    readerFor: async () => ({
      list: async <T>(path: string, q?: Readonly<Record<string, string | undefined>>) => {
        asked.lists.push(`${path}?${q?.labelSelector}`);
        return ((await cluster.list?.(path, q)) ?? [failedPod]) as T[];
      },
      text: async (path, q) => {
        asked.texts.push(`${path}?${new URLSearchParams(q as Record<string, string>).toString()}`);
        return cluster.text ? cluster.text(path, q) : `one\ntwo from ${q?.container}\n`;
      },
    }),
    redact: (text) => text.replaceAll('hunter2', '***'),
  });
  let status = 0;
  let text = '';
  const res = {
    req: { headers: {} },
    writeHead: (s: number) => void (status = s),
    end: (data: Buffer) => void (text = data.toString()),
  } as unknown as ServerResponse;
  try {
    await route.handle({ url: `/x?${query}` } as never, res, { namespace: 'shop', name: 'prod' }, {
      username: 'alice',
    } as never);
  } catch (err) {
    // What mountApi answers for the errors a sub-resource throws.
    if (err instanceof RequestError || err instanceof AuthError)
      return { status: err.status, body: { error: err.message }, asked };
    throw err;
  }
  return { status, body: JSON.parse(text) as Record<string, unknown>, asked };
}

describe('GET …/environments/<name>/hooklogs', () => {
  it('masks the secret values the redactor knows in the lines', async () => {
    const { status, body } = await call(`job=${JOB}`, { text: async () => 'connecting with password hunter2\n' });
    assert.equal(status, 200);
    const containers = body.containers as { lines: string[] }[];
    assert.deepEqual(containers[0]!.lines, ['connecting with password ***']);
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
  });

  it("answers the tail of each container's log of the hook Job's failed pod, after both access checks", async () => {
    const { status, body, asked } = await call(`job=${JOB}&tailLines=1`);
    assert.equal(status, 200);
    assert.deepEqual(body, {
      job: JOB,
      namespace: 'shop-prod',
      pod: `${JOB}-x1`,
      podPhase: 'Failed',
      tailLines: 1,
      containers: [
        { container: 'main', lines: ['two from main'], truncated: true },
        { container: 'sidecar', lines: ['two from sidecar'], truncated: true },
      ],
    });
    assert.deepEqual(asked.access, [
      { verb: 'get', namespace: 'shop', name: 'prod' },
      { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'shop-prod' },
    ]);
    assert.deepEqual(asked.lists, [`/api/v1/namespaces/shop-prod/pods?job-name=${JOB}`]);
    assert.deepEqual(asked.texts, [
      `/api/v1/namespaces/shop-prod/pods/${JOB}-x1/log?container=main&tailLines=2&limitBytes=262144`,
      `/api/v1/namespaces/shop-prod/pods/${JOB}-x1/log?container=sidecar&tailLines=2&limitBytes=262144`,
    ]);
  });

  it('refuses a caller without get on pods/log in the hook namespace, reading nothing from the cluster', async () => {
    const { status, body, asked } = await call(`job=${JOB}`, {}, (r) => r.subresource === 'log');
    assert.equal(status, 403);
    assert.match(String(body.error), /may not get pods/);
    assert.deepEqual([...asked.lists, ...asked.texts], []);
  });

  it('answers 404 for a Job that is not a hook of the operation, before any pod access is asked', async () => {
    const { status, body, asked } = await call('job=seed');
    assert.equal(status, 404);
    assert.match(String(body.error), /^Job seed is not a hook of shop\/prod: its operation op-1 has the hook Jobs/);
    assert.equal(asked.access.length, 1);
    assert.deepEqual(asked.lists, []);
  });

  it('answers 404 when the Job has no pod, and 400 for a bad job or tailLines', async () => {
    assert.equal((await call(`job=${JOB}`, { list: async () => [] })).status, 404);
    assert.equal((await call('job=Not_A_Name')).status, 400);
    assert.equal((await call(`job=${JOB}&tailLines=0`)).status, 400);
  });

  it("answers 502 in the API server's words when no log can be read, else each container's error", async () => {
    const refused = new KubeApiError(
      500,
      'InternalError',
      'Get "https://127.0.0.1:1/containerLogs/…": connection refused',
    );
    const none = await call(`job=${JOB}`, {
      text: async () => {
        throw refused;
      },
    });
    assert.equal(none.status, 502);
    assert.match(
      String(none.body.error),
      /^the logs of pod shop-prod\/migrate-0a1b2c3d-x1 could not be read: Get .*refused$/,
    );
    const some = await call(`job=${JOB}`, {
      text: async (_path, q) => {
        if (q?.container === 'sidecar') throw refused;
        return 'ok\n';
      },
    });
    assert.equal(some.status, 200);
    assert.deepEqual((some.body.containers as unknown[])[1], {
      container: 'sidecar',
      lines: [],
      truncated: false,
      error: refused.message,
    });
  });
});
