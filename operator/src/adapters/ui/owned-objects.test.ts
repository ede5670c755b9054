import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { EnvironmentResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import type { OverviewIndex } from './overview.ts';
import { ownedObjectsSubResource, type ObjectLister } from './owned-objects.ts';

const env = {
  metadata: { namespace: 'shop', name: 'prod' },
  spec: { sourceRef: { name: 'deploy' }, environment: 'prod' },
  status: {
    resources: [
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop-prod', name: 'api' },
      { group: '', version: 'v1', kind: 'Service', namespace: 'shop-prod', name: 'api' },
    ],
  },
} as unknown as EnvironmentResource;

interface TreeAnswer {
  items: { key: string; children: { name: string }[] }[];
  unread: string[];
}

async function answer(
  lister: ObjectLister,
  allowed = true,
): Promise<{ status: number; body: TreeAnswer; listed: string[] }> {
  const listed: string[] = [];
  const route = ownedObjectsSubResource({
    auth: {
      authorize: async () => {
        if (!allowed) throw new Error('forbidden');
        return undefined as never;
      },
    },
    resources: {} as KeelsonResources,
    index: { environment: () => env } as unknown as OverviewIndex,
    listerFor: async () => ({ list: (path, q) => (listed.push(path), lister.list(path, q)) }),
  });
  let status = 0;
  let body = '';
  const res = {
    req: { headers: {} },
    writeHead: (s: number) => void (status = s),
    end: (data: Buffer) => void (body = data.toString()),
  } as unknown as ServerResponse;
  await route.handle({} as never, res, { namespace: 'shop', name: 'prod' }, { username: 'alice' } as never);
  return { status, body: JSON.parse(body) as TreeAnswer, listed };
}

describe('GET …/environments/<name>/tree', () => {
  it("lists what a Deployment may own in its namespace, and answers each object's tree", async () => {
    const { status, body, listed } = await answer({
      list: async <T>(path: string) =>
        (path.endsWith('/replicasets')
          ? [
              {
                metadata: {
                  namespace: 'shop-prod',
                  name: 'api-1',
                  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', controller: true }],
                },
              },
            ]
          : []) as T[],
    });
    assert.equal(status, 200);
    assert.deepEqual(listed.sort(), [
      '/api/v1/namespaces/shop-prod/pods',
      '/apis/apps/v1/namespaces/shop-prod/replicasets',
    ]);
    assert.equal(body.items[0]!.key, 'apps/Deployment/shop-prod/api');
    assert.equal(body.items[0]!.children[0]!.name, 'api-1');
    assert.deepEqual(body.unread, []);
  });

  it('a list it may not read leaves that part out and says so', async () => {
    const { body } = await answer({
      list: async <T>(path: string) => {
        if (path.endsWith('/pods')) throw new Error('pods is forbidden');
        return [] as T[];
      },
    });
    assert.deepEqual(body.unread, ['Pods in shop-prod: pods is forbidden']);
  });

  it('refuses a caller who may not get the Environment, before listing anything', async () => {
    await assert.rejects(answer({ list: async () => assert.fail('listed') }, false), /forbidden/);
  });
});
