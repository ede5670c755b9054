import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { clusterIdentity, clusterLabel, type ClusterCredentials } from '../../core/cluster/cluster-credentials.ts';
import { silentLogger } from '../../core/logger.ts';
import { isReconcileError, WaitingError } from '../reconcile-errors.ts';
import { ClusterRegistry, type ClusterConnection } from './cluster-registry.ts';
import type { ResolvedCluster } from './cluster-secret.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' });

function env(name: string, secret?: string): EnvironmentResource {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'Environment',
    metadata: { namespace: 'team', name },
    spec: {
      sourceRef: { name: 'deploy' },
      environment: name,
      destination: secret ? { secretRef: { name: secret } } : undefined,
    },
  } as EnvironmentResource;
}

/** A registry over fake connections: `secrets` by Secret name, `down` the servers that refuse. */
function fixture() {
  const secrets = new Map<string, ClusterCredentials>();
  const down = new Set<string>();
  const opened: { cluster: ResolvedCluster; closed: boolean }[] = [];
  const metrics: string[] = [];
  const woken: string[] = [];
  const connection = (server: string, record?: { closed: boolean }): ClusterConnection<string> => ({
    executors: server,
    track: async () => undefined,
    forget: () => undefined,
    probe: async () => {
      if (down.has(server)) throw refused();
    },
    close: async () => {
      if (record) record.closed = true;
    },
  });
  const registry = new ClusterRegistry<string>({
    local: connection('local'),
    resolve: async (e) => {
      const credentials = secrets.get(e.spec.destination!.secretRef.name)!;
      const secret = `team/${e.spec.destination!.secretRef.name}`;
      return { credentials, identity: clusterIdentity(credentials), label: clusterLabel(credentials), secret };
    },
    connect: (cluster) => {
      const record = { cluster, closed: false };
      opened.push(record);
      return connection(cluster.credentials.server, record);
    },
    metrics: {
      connection: (c, up) => metrics.push(`${c} ${up ? 'up' : 'down'}`),
      environments: (c, n) => metrics.push(`${c} environments ${n}`),
      forget: (c) => metrics.push(`${c} forgotten`),
    },
    onReachable: (ns, name) => woken.push(`${ns}/${name}`),
    log: silentLogger,
    probeIntervalMs: 5,
    downProbeIntervalMs: 5,
  });
  return { registry, secrets, down, opened, metrics, woken };
}

describe('ClusterRegistry', () => {
  it('gives an Environment without spec.destination the local connection, reading no Secret', async () => {
    const { registry, opened } = fixture();
    const { connection, identity } = await registry.connectionOf(env('dev'));
    assert.equal(connection.executors, 'local');
    assert.equal(identity, undefined);
    assert.equal(opened.length, 0);
    await registry.close();
  });

  it('shares one connection between Environments whose Secrets hold the same cluster', async () => {
    const { registry, secrets, opened } = fixture();
    secrets.set('one', { server: 'https://a:6443', token: 't' });
    secrets.set('copy', { token: 't', server: 'https://a:6443' });
    const first = await registry.connectionOf(env('prod', 'one'));
    const second = await registry.connectionOf(env('staging', 'copy'));
    assert.equal(opened.length, 1);
    assert.equal(first.connection, second.connection);
    await registry.close();
  });

  it('connects anew when the Secret changes, and closes the old connection once nobody uses it', async () => {
    const { registry, secrets, opened, metrics } = fixture();
    secrets.set('prod', { server: 'https://a:6443', token: 'old' });
    await registry.connectionOf(env('prod', 'prod'));
    secrets.set('prod', { server: 'https://a:6443', token: 'rotated' });
    await registry.connectionOf(env('prod', 'prod'));
    assert.equal(opened.length, 2);
    assert.deepEqual(
      opened.map((o) => o.closed),
      [true, false],
    );
    registry.release('team/prod');
    await sleep(1);
    assert.equal(opened[1]!.closed, true);
    assert.ok(metrics.includes('https://a:6443 forgotten'));
  });

  it('marks a refusing cluster down (ClusterUnreachable) and wakes its Environments when it answers', async () => {
    const { registry, secrets, down, metrics, woken } = fixture();
    secrets.set('prod', { server: 'https://a:6443', token: 't' });
    down.add('https://a:6443');
    await registry.connectionOf(env('prod', 'prod'));
    await sleep(20);
    await assert.rejects(
      registry.connectionOf(env('prod', 'prod')),
      (err: unknown) =>
        err instanceof WaitingError &&
        err.reason === 'ClusterUnreachable' &&
        err.condition === 'ClusterReachable' &&
        /https:\/\/a:6443.*ECONNREFUSED.*team\/prod/.test(err.message),
    );
    assert.ok(metrics.includes('https://a:6443 down'));
    down.delete('https://a:6443');
    await sleep(20);
    assert.deepEqual(woken, ['team/prod']);
    assert.ok(metrics.includes('https://a:6443 up'));
    await registry.connectionOf(env('prod', 'prod'));
    await registry.close();
  });

  it('turns a connection error of a request into ClusterUnreachable, and leaves an HTTP answer as it is', async () => {
    const { registry, secrets } = fixture();
    secrets.set('prod', { server: 'https://a:6443', token: 't' });
    const { identity } = await registry.connectionOf(env('prod', 'prod'));
    const forbidden = Object.assign(new Error('forbidden'), { status: 403 });
    assert.equal(registry.failed(identity!, forbidden), forbidden);
    const mapped = registry.failed(identity!, refused());
    assert.ok(isReconcileError(mapped) && mapped.reason === 'ClusterUnreachable');
    await registry.close();
  });

  it('does not slow one cluster down for another: a down cluster fails its Environments at once', async () => {
    const { registry, secrets, down } = fixture();
    secrets.set('prod', { server: 'https://a:6443', token: 't' });
    secrets.set('dev', { server: 'https://b:6443', token: 't' });
    down.add('https://a:6443');
    await registry.connectionOf(env('prod', 'prod'));
    await sleep(20);
    const started = performance.now();
    await assert.rejects(registry.connectionOf(env('prod', 'prod')), WaitingError);
    assert.equal((await registry.connectionOf(env('dev', 'dev'))).connection.executors, 'https://b:6443');
    assert.ok(performance.now() - started < 1000, 'no request timeout was waited for');
    await registry.close();
  });
});
