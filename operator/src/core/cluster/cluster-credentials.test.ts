import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import {
  ClusterSecretError,
  clusterIdentity,
  clusterLabel,
  parseClusterSecret,
  type ClusterCredentials,
} from './cluster-credentials.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'other', cluster: { server: 'https://other:6443' } },
      {
        name: 'prod',
        cluster: { server: 'https://prod.example:6443', 'certificate-authority-data': b64('CA'), ...cluster },
      },
    ],
    users: [{ name: 'deployer', user }],
    contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'deployer' } }],
    'current-context': 'prod',
  });
}

describe('parseClusterSecret', () => {
  const cases: { name: string; data: Record<string, string>; want: ClusterCredentials }[] = [
    {
      name: 'a kubeconfig with a token takes the current context',
      data: { kubeconfig: kubeconfig({ token: 'tok' }) },
      want: { server: 'https://prod.example:6443', caData: 'CA', token: 'tok' },
    },
    {
      name: 'a kubeconfig with a client certificate decodes the data fields',
      data: { kubeconfig: kubeconfig({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }) },
      want: { server: 'https://prod.example:6443', caData: 'CA', clientCertData: 'CERT', clientKeyData: 'KEY' },
    },
    {
      name: 'a kubeconfig keeps tls-server-name and insecure-skip-tls-verify',
      data: {
        kubeconfig: kubeconfig({ token: 't' }, { 'tls-server-name': 'api', 'insecure-skip-tls-verify': true }),
      },
      want: {
        server: 'https://prod.example:6443',
        caData: 'CA',
        tlsServerName: 'api',
        insecureSkipTlsVerify: true,
        token: 't',
      },
    },
    {
      name: 'server, ca.crt and token as keys',
      data: { server: 'https://10.0.0.1:443', 'ca.crt': 'PEM', token: 'tok\n' },
      want: { server: 'https://10.0.0.1:443', caData: 'PEM', token: 'tok' },
    },
    {
      name: 'server, tls.crt and tls.key as keys',
      data: { server: 'https://10.0.0.1:443', 'tls.crt': 'C', 'tls.key': 'K' },
      want: { server: 'https://10.0.0.1:443', clientCertData: 'C', clientKeyData: 'K' },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseClusterSecret('ns/prod', c.data), c.want));

  const refused: { name: string; data: Record<string, string>; key: string; message: RegExp }[] = [
    {
      name: 'an exec plugin',
      data: { kubeconfig: kubeconfig({ exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }) },
      key: 'kubeconfig',
      message: /exec is refused: an exec credential plugin runs a program/,
    },
    {
      name: 'an auth provider',
      data: { kubeconfig: kubeconfig({ 'auth-provider': { name: 'gcp' } }) },
      key: 'kubeconfig',
      message: /auth-provider is refused/,
    },
    {
      name: 'a client certificate file path',
      data: { kubeconfig: kubeconfig({ 'client-certificate': '/home/me/cert.pem', 'client-key-data': b64('K') }) },
      key: 'kubeconfig',
      message: /client-certificate is refused: a file path/,
    },
    {
      name: 'a token file',
      data: { kubeconfig: kubeconfig({ tokenFile: '/var/run/token' }) },
      key: 'kubeconfig',
      message: /tokenFile is refused/,
    },
    {
      name: 'a CA file path',
      data: { kubeconfig: kubeconfig({ token: 't' }, { 'certificate-authority': '/etc/ca.pem' }) },
      key: 'kubeconfig',
      message: /certificate-authority is refused: a file path/,
    },
    {
      name: 'basic auth',
      data: { kubeconfig: kubeconfig({ username: 'admin', password: 'pw' }) },
      key: 'kubeconfig',
      message: /username is refused: basic auth/,
    },
    {
      name: 'a kubeconfig without credentials',
      data: { kubeconfig: kubeconfig({}) },
      key: 'kubeconfig',
      message: /no credentials/,
    },
    {
      name: 'a kubeconfig whose context is missing',
      data: { kubeconfig: stringify({ 'current-context': 'gone', contexts: [] }) },
      key: 'kubeconfig',
      message: /context "gone" is missing/,
    },
    { name: 'text that is not YAML', data: { kubeconfig: 'a: [' }, key: 'kubeconfig', message: /is not YAML/ },
    { name: 'neither kubeconfig nor server', data: { token: 't' }, key: 'server', message: /missing/ },
    {
      name: 'a plain http server',
      data: { server: 'http://10.0.0.1', token: 't' },
      key: 'server',
      message: /must be an https:\/\/ URL/,
    },
    {
      name: 'a certificate without its key',
      data: { server: 'https://10.0.0.1', 'tls.crt': 'C', token: 't' },
      key: 'server',
      message: /needs its key/,
    },
  ];
  for (const c of refused)
    it(`refuses ${c.name}, naming the Secret and the key`, () => {
      assert.throws(
        () => parseClusterSecret('team/prod-cluster', c.data),
        (err: unknown) =>
          err instanceof ClusterSecretError &&
          err.key === c.key &&
          err.message.startsWith(`cluster Secret team/prod-cluster, key "${c.key}": `) &&
          c.message.test(err.message),
      );
    });

  it('never puts a credential in its message', () => {
    const err = (() => {
      try {
        parseClusterSecret('ns/x', { server: 'http://h', token: 'sekret-token' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(err);
    assert.doesNotMatch(err.message, /sekret-token/);
  });
});

describe('clusterIdentity', () => {
  const base = { server: 'https://a:6443', caData: 'CA', token: 't1' };
  it('is the same for the same content, whatever the key order or the Secret form', () => {
    const fromKeys = parseClusterSecret('a/one', { server: 'https://a:6443', 'ca.crt': 'CA', token: 't1' });
    assert.equal(clusterIdentity(fromKeys), clusterIdentity({ token: 't1', caData: 'CA', server: 'https://a:6443' }));
  });
  it('changes with the server, the trust or the credentials', () => {
    const id = clusterIdentity(base);
    for (const changed of [
      { ...base, server: 'https://b:6443' },
      { ...base, caData: 'CA2' },
      { ...base, token: 't2' },
    ])
      assert.notEqual(clusterIdentity(changed), id);
  });
  it('is 16 hex characters and holds no credential', () => {
    assert.match(clusterIdentity(base), /^[0-9a-f]{16}$/);
  });
});

describe('clusterLabel', () => {
  it('is the scheme, host and port of the server, without a path or user info', () => {
    assert.equal(clusterLabel({ server: 'https://user:pw@api.example:6443/prefix' }), 'https://api.example:6443');
  });
});
