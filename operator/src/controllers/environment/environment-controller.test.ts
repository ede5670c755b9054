import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { Logger } from '../../core/logger.ts';
import { FencedError } from '../../core/sharding.ts';
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

  it('queues its Environments on a new artifact, a refresh handled or a deletion, not on the rest', async () => {
    const seen: string[] = [];
    const reconciler = {
      reconcile: async (key: string) => (seen.push(key), { kind: 'done' }),
    } as unknown as EnvironmentReconciler;
    const controller = new EnvironmentController({ reconciler, log });
    controller.start();
    for (let i = 0; i < 3; i++) controller.onEnvironment(env(`e${i}`));
    await controller.idle();
    const at = (commit: string, extra: object = {}, handled?: string) =>
      ({
        metadata: { namespace: 'shop', name: 'deploy', generation: 1, ...extra },
        status: {
          artifact: { revision: `main@sha1:${commit}`, commit, fetchedAt: 'x' },
          lastHandledRefreshAt: handled,
        },
      }) as unknown as GitRepositoryResource;
    const asked = { annotations: { 'keelson.dev/refresh-requested-at': 't' } };
    const reconciled = async (repository: GitRepositoryResource, deleted = false) => {
      seen.length = 0;
      controller.onGitRepository(repository, deleted);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await controller.idle();
      return seen.length;
    };
    assert.equal(await reconciled(at('a')), 3);
    assert.equal(await reconciled(at('a', asked)), 0, 'a refresh asked for, not yet handled');
    assert.equal(await reconciled(at('a', asked, 't')), 3, 'the refresh handled: fetch, then compare now');
    assert.equal(await reconciled(at('a', asked, 't')), 0, 'the same again');
    assert.equal(await reconciled(at('b')), 3, 'a new artifact');
    assert.equal(await reconciled(at('b', { generation: 2 })), 3, 'a new spec');
    assert.equal(await reconciled(at('b', { generation: 2 }), true), 3, 'deleted');
    await controller.stop();
  });

  it('with shards, reconciles only those it holds, queues a shard it takes, and stops at a fence', async () => {
    const seen: string[] = [];
    const held = new Set([0]);
    let turnedAway = 0;
    let fences = 1;
    const reconciler = {
      reconcile: async (key: string) => {
        seen.push(key);
        if (key === 'shop/e2' && fences-- > 0) throw new FencedError(0, key);
        return { kind: 'done' };
      },
    } as unknown as EnvironmentReconciler;
    const shardOf = (key: string) => Number(key.slice(-1)) % 2;
    const controller = new EnvironmentController({
      reconciler,
      log,
      shards: { shardOf, accepts: (key) => held.has(shardOf(key)), turnedAway: () => turnedAway++ },
      fencedRetryMs: 20,
    });
    controller.start();
    for (let i = 0; i < 4; i++) controller.onEnvironment(env(`e${i}`));
    await controller.idle();
    assert.deepEqual(seen.sort(), ['shop/e0', 'shop/e2'], 'shard 0 only; the fenced one ends quietly');
    // A fence from a late renewal, the shard still held: the key comes back and reconciles.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await controller.idle();
    assert.deepEqual(seen.sort(), ['shop/e0', 'shop/e2', 'shop/e2']);
    assert.deepEqual(controller.keysOf(1).sort(), ['shop/e1', 'shop/e3']);
    seen.length = 0;
    held.add(1);
    controller.enqueueShard(1);
    await controller.idle();
    assert.deepEqual(seen.sort(), ['shop/e1', 'shop/e3']);
    await controller.drainShard(1);
    assert.equal(turnedAway, 0);
    await controller.stop();
  });
});
