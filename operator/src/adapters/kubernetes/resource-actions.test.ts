import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseActionRequest } from '../../core/actions/request.ts';
import { KubeApiError } from './api-error.ts';
import type { EnvironmentResource } from './keelson-resources.ts';
import type { RestRequest } from './rest-transport.ts';
import { ActionFailedError, ResourceActions } from './resource-actions.ts';

const env: EnvironmentResource = {
  apiVersion: 'keelson.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'prod', namespace: 'shop' },
  spec: {} as EnvironmentResource['spec'],
  status: {
    inventory: ['apps/v1/Deployment/shop/web'],
    operation: {
      id: 'op1',
      phase: 'Failed',
      revision: `main@sha1:${'b'.repeat(40)}`,
      startedAt: '2024-05-01T12:00:00Z',
      tasks: [
        { key: 'batch/Job/shop/migrate', phase: 'PreSync', wave: 0, status: 'Failed', hookName: 'migrate-op1-presync' },
      ],
    },
  },
};

function harness(fail?: Error) {
  const sent: RestRequest[] = [];
  const events: string[] = [];
  const patches: unknown[] = [];
  const actions = new ResourceActions({
    connection: async () => ({
      transport: {
        request: async <T>(req: RestRequest): Promise<T> => {
          sent.push(req);
          if (fail) throw fail;
          return {} as T;
        },
      },
      resourceMap: { request: (_address, send) => send('/apis/apps/v1/namespaces/shop/deployments/web') },
    }),
    patchEnvironment: async (_ns, _name, patch) => void patches.push(patch),
    record: async (_env, type, reason, message) => void events.push(`${type} ${reason} ${message}`),
    clock: () => new Date('2024-05-01T12:30:00.500Z'),
  });
  return { actions, sent, events, patches };
}

describe('ResourceActions', () => {
  it('patches as keelson-action and records ActionRun', async () => {
    const { actions, sent, events } = harness();
    const out = await actions.run(
      env,
      parseActionRequest({ action: 'scale', kind: 'Deployment', name: 'web', replicas: 3 }),
      'alice',
    );
    assert.deepEqual(sent, [
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/web',
        body: { spec: { replicas: 3 } },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: 'keelson-action' },
      },
    ]);
    assert.equal(out.message, 'scale of Deployment shop/web to 3 replicas by alice');
    assert.deepEqual(events, ['Normal ActionRun scale of Deployment shop/web to 3 replicas by alice']);
  });

  it('a refused patch records ActionFailed and keeps the status code', async () => {
    const { actions, events } = harness(new KubeApiError(403, 'Forbidden', 'deployments.apps "web" is forbidden'));
    await assert.rejects(
      actions.run(env, parseActionRequest({ action: 'restart', kind: 'Deployment', name: 'web' }), 'alice'),
      (err: unknown) => err instanceof ActionFailedError && err.status === 403,
    );
    assert.match(events[0]!, /^Warning ActionFailed restart of Deployment shop\/web by alice failed: /);
  });

  it('a retry asks for a sync of the failed commit without prune', async () => {
    const { actions, sent, patches, events } = harness();
    const out = await actions.run(env, parseActionRequest({ action: 'retry', kind: 'Job', name: 'migrate' }), 'alice');
    assert.equal(sent.length, 0);
    assert.deepEqual(patches, [
      {
        metadata: {
          annotations: {
            'keelson.dev/sync-requested-at': `2024-05-01T12:30:00.500Z@${'b'.repeat(40)};no-prune`,
            'keelson.dev/sync-requested-by': 'alice',
          },
        },
      },
    ]);
    assert.deepEqual(out.sync, { token: '2024-05-01T12:30:00.500Z', commit: 'b'.repeat(40), prune: false });
    assert.match(events[0]!, /^Normal ActionRun retry of Job shop\/migrate-op1-presync \(operation op1\)/);
  });
});
