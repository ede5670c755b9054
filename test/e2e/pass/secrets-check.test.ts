// `keelson secrets check` as a user runs it, against a store made by gpg and pass: every
// reference listed with whether it resolves, the exit code, and no value in the output.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exampleObjects } from '../../harness/example-deploy-repo.ts';
import { ANNOTATION_PASS_REFS } from '../../../operator/src/core/keys.ts';
import { REPO_ROOT } from '../../harness/kube.ts';
import { makeTestStore, secretValuesOf, type TestStore } from '../../harness/pass-store.ts';

const KEELSON = join(REPO_ROOT, 'operator/src/cli/main.ts');

function passSecret(name: string, refs: Record<string, { path: string; field?: string }>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'shop', annotations: { [ANNOTATION_PASS_REFS]: JSON.stringify(refs) } },
    type: 'Opaque',
  };
}

describe('keelson secrets check', () => {
  let t: TestStore;
  let dir: string;
  const outputs: string[] = [];
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const check = (args: string[]) => {
    const res = spawnSync(process.execPath, [KEELSON, 'secrets', 'check', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, KEELSON_CACHE: join(dir, 'cache') },
    });
    outputs.push(res.stdout, res.stderr);
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  };

  before(async () => {
    t = makeTestStore();
    dir = mkdtempSync(join(tmpdir(), 'keelson-secrets-check-'));
    const prod = await exampleObjects('prod');
    file('prod.yaml', prod.map((o) => stringify(o)).join('---\n'));
    file(
      'broken.yaml',
      [
        passSecret('mixed', {
          ok: { path: 'prod/db', field: 'host' },
          gone: { path: 'prod/gone' },
          nofield: { path: 'prod/db', field: 'password' },
          foreign: { path: 'foreign/other-team' },
          corrupt: { path: 'prod/corrupt' },
        }),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'bad-annotation', namespace: 'shop', annotations: { [ANNOTATION_PASS_REFS]: '{not json' } },
        },
      ]
        .map((o) => stringify(o))
        .join('---\n'),
    );
    // An entry encrypted for the RSA key in a folder whose .gpg-id was later changed by hand.
    t.store.init([t.rsa], 'stale');
    t.store.insert('stale/token', 'stale-token-7781\n');
    writeFileSync(join(t.store.dir, 'stale', '.gpg-id'), `${t.foreign.fingerprint}\n`);
    file('stale.yaml', stringify(passSecret('stale', { token: { path: 'stale/token' }, db: { path: 'prod/db' } })));
    file(
      'shared.yaml',
      stringify(
        passSecret('registry', {
          password: { path: 'shared/registry' },
          user: { path: 'shared/registry', field: 'user' },
        }),
      ),
    );
    file('rsa.asc', t.rsa.privateKey);
    file('ecc.asc', t.ecc.privateKey);
    file('ecc.pass', `${t.ecc.passphrase}\n`);
    file('wrong.pass', 'wrong horse battery\n');
  });

  after(() => {
    // The leak check over everything every run printed.
    const all = outputs.join('\n');
    for (const value of [...secretValuesOf(t.entries), 'stale-token-7781', t.ecc.passphrase!, 'wrong horse'])
      assert.ok(!all.includes(value), `CLI output contains ${value}`);
    t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists every reference of the example's prod environment as ok and exits 0", () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'rsa.asc'),
      '--manifests',
      join(dir, 'prod.yaml'),
    ]);
    assert.equal(res.code, 0, res.stderr);
    const rows = res.stdout.trim().split('\n');
    assert.match(rows[0]!, /^SECRET\s+KEY\s+PASS PATH\s+FIELD\s+RESULT$/);
    assert.deepEqual(
      rows.slice(1, -1).map((r) => r.split(/\s{2,}/)),
      [
        ['Secret api-db', 'password', 'prod/db', '-', 'ok'],
        ['Secret api-db', 'username', 'prod/db', 'user', 'ok'],
        ['Secret api-migrate-db', 'password', 'prod/db-admin', '-', 'ok'],
        ['Secret api-migrate-db', 'username', 'prod/db-admin', 'user', 'ok'],
      ],
    );
    assert.equal(rows.at(-1), 'environment prod: 4 references, 4 resolve, 0 do not');
  });

  it('synthesizes <dir> in the sandbox as keelson synth does and checks the dev environment of the example repo', () => {
    const res = check([
      join(REPO_ROOT, 'cdk8s-app/example'),
      '--env',
      'dev',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'rsa.asc'),
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(
      res.stdout
        .trim()
        .split('\n')
        .slice(1, -1)
        .map((r) => r.split(/\s{2,}/).slice(2, 4)),
      [
        ['dev/db', '-'],
        ['dev/db', 'user'],
        ['dev/db-admin', '-'],
        ['dev/db-admin', 'user'],
      ],
    );
    assert.match(res.stdout, /environment dev: 4 references, 4 resolve, 0 do not/);
  });

  it('names each failing reference with its reason and pass path, and exits 1', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'rsa.asc'),
      '--manifests',
      join(dir, 'broken.yaml'),
    ]);
    assert.equal(res.code, 1);
    const result = (key: string) =>
      res.stdout
        .split('\n')
        .find((l) => l.startsWith('Secret shop/mixed') && l.split(/\s{2,}/)[1] === key)
        ?.split(/\s{2,}/)
        .slice(2);
    assert.deepEqual(result('ok'), ['prod/db', 'host', 'ok']);
    assert.match(result('gone')!.join(' '), /^prod\/gone - NoSuchEntry: /);
    assert.match(result('nofield')!.join(' '), /^prod\/db password NoSuchField: no field "password"/);
    assert.match(result('foreign')!.join(' '), /^foreign\/other-team - NotARecipient: /);
    assert.match(result('corrupt')!.join(' '), /^prod\/corrupt - CorruptEntry: /);
    assert.match(res.stdout, /Secret shop\/bad-annotation\s+-\s+-\s+-\s+InvalidReference: /);
    assert.match(res.stdout, /6 references, 1 resolve, 5 do not/);
  });

  it('warns about an entry that resolves but whose .gpg-id no longer names the key, and still exits 0', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'rsa.asc'),
      '--manifests',
      join(dir, 'stale.yaml'),
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /2 references, 2 resolve/);
    assert.equal(
      res.stderr.trim(),
      `warning: stale/token: its .gpg-id lists ${t.foreign.fingerprint}, not the key; the next pass edit there will re-encrypt it without the key`,
    );
  });

  it('-o json gives one record per reference with its reason, and the warnings, for scripts', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'rsa.asc'),
      '--manifests',
      join(dir, 'stale.yaml'),
      '-o',
      'json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const report = JSON.parse(res.stdout) as {
      ok: boolean;
      references: { dataKey: string; path: string; ok: boolean }[];
      warnings: string[];
    };
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.references.map((r) => [r.dataKey, r.path, r.ok]),
      [
        ['token', 'stale/token', true],
        ['db', 'prod/db', true],
      ],
    );
    assert.equal(report.warnings.length, 1);
    const failing = JSON.parse(
      check([
        '--env',
        'prod',
        '--store',
        t.store.dir,
        '--key',
        join(dir, 'rsa.asc'),
        '--manifests',
        join(dir, 'broken.yaml'),
        '-o',
        'json',
      ]).stdout,
    ) as { ok: boolean; references: { dataKey: string; reason?: string }[] };
    assert.equal(failing.ok, false);
    assert.deepEqual(
      failing.references.map((r) => r.reason ?? 'ok'),
      ['ok', 'NoSuchEntry', 'NoSuchField', 'NotARecipient', 'CorruptEntry', 'InvalidReference'],
    );
  });

  it('unlocks the ed25519 key with --passphrase-file and reads the entry it shares with the RSA key', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'ecc.asc'),
      '--passphrase-file',
      join(dir, 'ecc.pass'),
      '--manifests',
      join(dir, 'shared.yaml'),
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /2 references, 2 resolve/);
  });

  it('a wrong passphrase is reported as WrongPassphrase, exit 1, without the passphrase', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      t.store.dir,
      '--key',
      join(dir, 'ecc.asc'),
      '--passphrase-file',
      join(dir, 'wrong.pass'),
      '--manifests',
      join(dir, 'shared.yaml'),
    ]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /WrongPassphrase: the passphrase does not unlock the private key [0-9A-F]{40}/);
  });

  it('a directory that is not a store fails every reference as StoreUnavailable', () => {
    const res = check([
      '--env',
      'prod',
      '--store',
      dir,
      '--key',
      join(dir, 'rsa.asc'),
      '--manifests',
      join(dir, 'prod.yaml'),
    ]);
    assert.equal(res.code, 1);
    assert.equal(res.stdout.split('\n').filter((l) => l.includes('StoreUnavailable: no .gpg-id')).length, 4);
  });

  it('missing arguments print the usage and exit 2', () => {
    const res = check(['--env', 'prod']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /usage: keelson secrets check <dir> --env <name> --store <dir> --key <file>/);
  });
});
