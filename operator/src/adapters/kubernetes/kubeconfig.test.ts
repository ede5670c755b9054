import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { connectionOf, KubeConfigError, OwnKubeConfig } from './kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'dev',
      clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [
        { name: 'dev', context: { cluster: 'c', user: 'u' } },
        { name: 'lost', context: { cluster: 'c', user: 'nobody' } },
      ],
    }),
  );
  return path;
}

async function applied(kc: { applyToHTTPSOptions(o: RequestOptions): Promise<void> }): Promise<RequestOptions> {
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return options;
}

test('a kubeconfig with data fields gives what client-node gives: server, CA, client certificate, token', async () => {
  const path = kubeconfig(
    { token: 'tok', 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) },
    { 'certificate-authority-data': b64(CA), 'tls-server-name': 'api.internal' },
  );
  const ours = OwnKubeConfig.fromFile(path);
  const theirs = new k8s.KubeConfig();
  theirs.loadFromFile(path);
  assert.equal(ours.getCurrentCluster().server, theirs.getCurrentCluster()!.server);
  assert.equal(ours.getCurrentContext(), 'dev');
  const a = await applied(ours);
  const b = await applied(theirs);
  assert.equal(String(a.ca), String(b.ca));
  assert.equal(String(a.cert), String(b.cert));
  assert.equal(String(a.key), String(b.key));
  assert.equal(a.servername, 'api.internal');
  assert.equal((a.headers as Record<string, string>).Authorization, 'Bearer tok');
  assert.equal((b.headers as Record<string, string>).Authorization, 'Bearer tok');
});

test('file paths in a kubeconfig are read relative to its folder', async () => {
  const path = kubeconfig(
    { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    { 'certificate-authority': 'ca.crt' },
  );
  const dir = join(path, '..');
  writeFileSync(join(dir, 'ca.crt'), CA);
  writeFileSync(join(dir, 'client.crt'), CERT);
  writeFileSync(join(dir, 'client.key'), KEY);
  const o = await applied(OwnKubeConfig.fromFile(path));
  assert.deepEqual([o.ca, o.cert, o.key], [CA, CERT, KEY]);
});

test('a tokenFile is read again at each use (a projected token rotates)', async () => {
  const path = kubeconfig({ tokenFile: 'token' });
  writeFileSync(join(path, '..', 'token'), 'first\n');
  const kc = OwnKubeConfig.fromFile(path);
  assert.equal(((await applied(kc)).headers as Record<string, string>).Authorization, 'Bearer first');
  writeFileSync(join(path, '..', 'token'), 'second\n');
  assert.equal(((await applied(kc)).headers as Record<string, string>).Authorization, 'Bearer second');
});

test('an exec plugin is run once until its credential expires, with KUBERNETES_EXEC_INFO and its env', async () => {
  const path = kubeconfig({});
  const dir = join(path, '..');
  const plugin = join(dir, 'plugin.sh');
  const expires = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  writeFileSync(
    plugin,
    [
      '#!/bin/sh',
      `echo run >> ${dir}/runs`,
      `echo "$KUBERNETES_EXEC_INFO" > ${dir}/info`,
      `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",' `,
      `runs=$(wc -l < ${dir}/runs)`,
      `printf '"status":{"token":"%s","expirationTimestamp":"%s"}}' "$TOKEN_PREFIX-$runs" "$(cat ${dir}/expiry)"`,
    ].join('\n'),
  );
  chmodSync(plugin, 0o755);
  writeFileSync(join(dir, 'expiry'), expires(3600));
  writeFileSync(
    path,
    readFileSync(path, 'utf8').replace(
      'user: {}',
      `user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: ./plugin.sh\n` +
        `        env: [{ name: TOKEN_PREFIX, value: t }]`,
    ),
  );
  const kc = OwnKubeConfig.fromFile(path);
  const header = async () => ((await applied(kc)).headers as Record<string, string>).Authorization;
  assert.equal(await header(), 'Bearer t-1');
  assert.equal(await header(), 'Bearer t-1', 'a credential that has not expired is reused');
  assert.equal(JSON.parse(readFileSync(join(dir, 'info'), 'utf8')).kind, 'ExecCredential');
  writeFileSync(join(dir, 'expiry'), expires(-60));
  const kc2 = OwnKubeConfig.fromFile(path);
  assert.equal(
    await (async () => ((await applied(kc2)).headers as Record<string, string>).Authorization)(),
    'Bearer t-2',
  );
  assert.equal(
    ((await applied(kc2)).headers as Record<string, string>).Authorization,
    'Bearer t-3',
    'expired: run again',
  );
});

test('an exec plugin that fails is an error naming the user and the command', async () => {
  const path = kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/false' } });
  await assert.rejects(applied(OwnKubeConfig.fromFile(path)), (err: Error) => {
    assert.ok(err instanceof KubeConfigError);
    assert.match(err.message, /user "u": the exec plugin \/bin\/false failed/);
    return true;
  });
});

test('a kubeconfig that cannot be used is refused naming the file and what is wrong', () => {
  const path = kubeconfig({ token: 't' });
  assert.throws(() => OwnKubeConfig.fromFile(path, 'lost'), /config: context "lost": no user "nobody"/);
  assert.throws(() => OwnKubeConfig.fromFile(path, 'prod'), /config: no context "prod"/);
  assert.throws(() => OwnKubeConfig.fromFile(join(path, '..', 'missing')), /cannot read .*missing: ENOENT/);
  assert.throws(
    () => OwnKubeConfig.fromFile(kubeconfig({ 'auth-provider': { name: 'gcp' } })),
    /user "u": auth-provider is not supported; use an exec credential plugin/,
  );
  assert.throws(
    () => OwnKubeConfig.fromFile(kubeconfig({ token: 't' }, { 'proxy-url': 'http://proxy:3128' })),
    /cluster "c": proxy-url is not supported/,
  );
  const bad = join(path, '..', 'bad');
  writeFileSync(bad, 'clusters: [');
  assert.throws(() => OwnKubeConfig.fromFile(bad), /bad: not YAML/);
});

test('in a cluster: the service environment, its CA and token file; outside one, a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  writeFileSync(join(dir, 'ca.crt'), CA);
  writeFileSync(join(dir, 'token'), 'sa-token');
  const kc = OwnKubeConfig.fromCluster({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
  assert.equal(kc.getCurrentCluster().server, 'https://[fd00::1]:443');
  const o = await applied(kc);
  assert.equal(o.ca, CA);
  assert.equal((o.headers as Record<string, string>).Authorization, 'Bearer sa-token');
  assert.throws(() => OwnKubeConfig.fromCluster({}, dir), /not in a cluster .* no --kubeconfig given/);
});

test('a remote cluster from data: TLS settings, the token, and impersonation kept from the caller', async () => {
  const kc = connectionOf(
    { server: 'https://remote:6443', ca: CA, skipTLSVerify: true },
    { token: 'remote-token', cert: CERT, key: KEY },
  );
  const o: RequestOptions = { headers: { 'Impersonate-User': 'someone' } };
  await kc.applyToHTTPSOptions(o);
  assert.equal(o.rejectUnauthorized, false);
  assert.deepEqual(o.headers, { 'Impersonate-User': 'someone', Authorization: 'Bearer remote-token' });
  assert.deepEqual([o.ca, o.cert, o.key], [CA, CERT, KEY]);
});
