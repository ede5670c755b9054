import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { Logger } from '../../core/logger.ts';
import type { EnvironmentReconciler } from './environment-reconciler.ts';
import { EnvironmentController } from './environment-controller.ts';

const log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log } as unknown as Logger;
const env = (name: string) =>
  ({
    metadata: { namespace: 'shop', name, generation: 1 },
    spec: { sourceRef: { name: 'deploy' }, environment: name },
  }) as unknown as EnvironmentResource;
const repo = { metadata: { namespace: 'shop', name: 'deploy' } } as unknown as GitRepositoryResource;

describe('the Environment controller', () => {
  it('a new artifact queues the Environments it touches before the others', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reconciler = {
      reconcile: async (key: string) => {
        order.push(key);
        await gate;
        return { kind: 'done' };
      },
    } as unknown as EnvironmentReconciler;
    const controller = new EnvironmentController({
      reconciler,
      log,
      concurrency: 1,
      touches: async (key) => key === 'shop/e7',
    });
    controller.start();
    for (let i = 0; i < 10; i++) controller.onEnvironment(env(`e${i}`));
    release();
    await controller.idle();
    order.length = 0;
    controller.onGitRepository(repo);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await controller.idle();
    assert.equal(order[0], 'shop/e7');
    assert.equal(order.length, 10, 'every one reconciles');
    await controller.stop();
  });
});
