import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOperatorConfig } from './operator-config.ts';

const defaults = { namespace: 'keelson-system', identity: 'host-1', cacheDir: '/tmp/keelson' };

describe('operator configuration', () => {
  it('has defaults that run a single replica watching every namespace', () => {
    const c = parseOperatorConfig({ argv: [], env: {}, defaults });
    assert.equal(c.listen, ':8080');
    assert.equal(c.metricsListen, ':8081');
    assert.equal(c.concurrency, 4);
    assert.equal(c.leaderElect, false);
    assert.deepEqual(c.namespaces, []);
    assert.equal(c.synthTimeoutMs, 60_000);
    assert.equal(c.leaseNamespace, 'keelson-system');
    assert.equal(c.kubeconfig, undefined);
  });

  it('reads flags in both forms, and a flag wins over its environment variable', () => {
    const c = parseOperatorConfig({
      argv: ['--concurrency', '8', '--leader-elect', '--namespaces=team-a, team-b', '--synth-timeout=2m'],
      env: {
        KEELSON_CONCURRENCY: '2',
        KEELSON_LOG_LEVEL: 'debug',
        POD_NAMESPACE: 'ops',
        POD_NAME: 'keelson-0',
        KUBECONFIG: '/k',
      },
      defaults,
    });
    assert.equal(c.concurrency, 8);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.leaderElect, true);
    assert.deepEqual(c.namespaces, ['team-a', 'team-b']);
    assert.equal(c.synthTimeoutMs, 120_000);
    assert.equal(c.leaseNamespace, 'ops');
    assert.equal(c.identity, 'keelson-0');
    assert.equal(c.kubeconfig, '/k');
  });

  it('reports every problem at once, naming the flag', () => {
    assert.throws(
      () =>
        parseOperatorConfig({
          argv: ['--concurrency=0', '--log-level=loud', '--sync-timeout=1m', '--resync-interval'],
          env: {},
          defaults,
        }),
      (err: Error) => {
        assert.match(err.message, /--concurrency: "0" is not a whole number ≥ 1/);
        assert.match(err.message, /--log-level: "loud" is not one of debug, info, warn, error/);
        assert.match(err.message, /unknown argument "--sync-timeout=1m"/);
        assert.match(err.message, /--resync-interval needs a value/);
        return true;
      },
    );
  });

  it('takes --shards and --lease-duration, and refuses them with --leader-elect or too short', () => {
    const c = parseOperatorConfig({ argv: ['--shards=16', '--lease-duration=10s'], env: {}, defaults });
    assert.equal(c.shards, 16);
    assert.equal(c.leaseDurationMs, 10_000);
    assert.equal(parseOperatorConfig({ argv: [], env: {}, defaults }).shards, 0, 'off by default');
    assert.throws(
      () => parseOperatorConfig({ argv: ['--shards=4', '--leader-elect', '--lease-duration=1s'], env: {}, defaults }),
      (err: Error) => {
        assert.match(err.message, /--shards and --leader-elect exclude each other/);
        assert.match(err.message, /--lease-duration: below 3s/);
        return true;
      },
    );
  });

  it('takes single sign-on: an https issuer with a client id, scopes openid email profile groups by default', () => {
    const argv = ['--oidc-issuer-url=https://dex.example.com/dex', '--oidc-client-id=keelson', '--oidc-ca-file=/c'];
    const c = parseOperatorConfig({ argv, env: {}, defaults });
    assert.equal(c.oidcIssuerUrl, 'https://dex.example.com/dex');
    assert.equal(c.oidcClientId, 'keelson');
    assert.equal(c.oidcCaFile, '/c');
    assert.deepEqual(c.oidcScopes, ['openid', 'email', 'profile', 'groups']);
    const off = parseOperatorConfig({ argv: [], env: {}, defaults });
    assert.equal(off.oidcIssuerUrl, undefined, 'off by default');
    const scopes = parseOperatorConfig({ argv: [...argv, '--oidc-scopes=openid,email'], env: {}, defaults });
    assert.deepEqual(scopes.oidcScopes, ['openid', 'email']);
  });

  it('refuses single sign-on without a client id, over http, without the UI or without the openid scope', () => {
    const refused = (argv: string[], problem: RegExp) =>
      assert.throws(
        () => parseOperatorConfig({ argv, env: {}, defaults }),
        (err: Error) => problem.test(err.message),
      );
    refused(['--oidc-issuer-url=https://dex.example.com'], /--oidc-issuer-url and --oidc-client-id go together/);
    refused(['--oidc-client-id=keelson'], /--oidc-issuer-url and --oidc-client-id go together/);
    const sso = ['--oidc-client-id=keelson'];
    refused([...sso, '--oidc-issuer-url=http://dex.example.com'], /"http:\/\/dex.example.com" is not an https URL/);
    refused([...sso, '--oidc-issuer-url=https://dex.example.com?x=1'], /is not an https URL/);
    refused([...sso, '--oidc-issuer-url=https://dex.example.com', '--ui=false'], /--ui is false/);
    refused([...sso, '--oidc-issuer-url=https://dex.example.com', '--oidc-scopes=email'], /must include openid/);
  });
});
