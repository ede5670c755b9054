import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyInstallError } from './dependency-error.ts';
import { credentialKeyOf, NPM_PUBLIC_REGISTRY, parseNpmrc, registriesOf, registryFor } from './npmrc.ts';

describe('parseNpmrc', () => {
  it('honours registry= and @scope:registry= lines, nothing else, and lists what it ignored by key', () => {
    const text = [
      '# the company mirror',
      'registry = https://npm.acme.example/repository/npm ',
      '@acme-private:registry="https://npm.acme.example/private/"',
      '//npm.acme.example/:_authToken=${NPM_TOKEN}',
      '//npm.acme.example/private/:_authToken=npm_s3cretvalue',
      '; ini comment',
      'ignore-scripts=false',
      'strict-ssl=false',
      '',
    ].join('\n');
    const { mapping, ignored } = parseNpmrc(text, 'deploy/.npmrc');
    assert.deepEqual(mapping, {
      registry: 'https://npm.acme.example/repository/npm/',
      scopes: { '@acme-private': 'https://npm.acme.example/private/' },
    });
    assert.deepEqual(ignored, [
      '//npm.acme.example/:_authToken',
      '//npm.acme.example/private/:_authToken',
      'ignore-scripts',
      'strict-ssl',
    ]);
    assert.ok(!JSON.stringify({ mapping, ignored }).includes('s3cret'));
  });

  it('defaults to the public registry, or to the one given, without an .npmrc', () => {
    assert.deepEqual(parseNpmrc(undefined, '.npmrc').mapping, { registry: NPM_PUBLIC_REGISTRY, scopes: {} });
    assert.equal(parseNpmrc('', '.npmrc', 'http://127.0.0.1:4873').mapping.registry, 'http://127.0.0.1:4873/');
  });

  it('sorts scopes, so that the same registries give the same mapping', () => {
    const a = parseNpmrc('@b:registry=https://b.example/\n@a:registry=https://a.example/\n', '.npmrc').mapping;
    assert.deepEqual(Object.keys(a.scopes), ['@a', '@b']);
  });

  it('refuses a registry from an environment variable, not a URL, not http(s), or with credentials', () => {
    const refused = (text: string, message: RegExp) =>
      assert.throws(
        () => parseNpmrc(text, 'deploy/.npmrc'),
        (err: unknown) => {
          assert.ok(err instanceof DependencyInstallError);
          assert.equal(err.reason, 'Invalid');
          assert.match(err.message, message);
          return true;
        },
      );
    refused('registry=${REGISTRY}\n', /"registry" in deploy\/\.npmrc:1 uses an environment variable/);
    refused('\n@a:registry=nope\n', /"@a:registry" in deploy\/\.npmrc:2 is not a URL/);
    refused('registry=file:///srv/npm\n', /is not an http\(s\) URL/);
    refused('registry=https://bob:hunter2@npm.example/\n', /has credentials in its URL/);
    assert.throws(
      () => parseNpmrc('registry=https://bob:hunter2@npm.example/\n', '.npmrc'),
      (err: Error) => !err.message.includes('hunter2'),
    );
  });
});

describe('registryFor, registriesOf, credentialKeyOf', () => {
  const { mapping } = parseNpmrc('registry=https://npm.example/\n@acme:registry=https://acme.example/npm/\n', '.npmrc');

  it('picks a scoped package’s registry, the default for the rest', () => {
    assert.equal(registryFor(mapping, '@acme/platform'), 'https://acme.example/npm/');
    assert.equal(registryFor(mapping, '@other/x'), 'https://npm.example/');
    assert.equal(registryFor(mapping, 'cdk8s'), 'https://npm.example/');
  });

  it('lists each registry once, the default first', () => {
    assert.deepEqual(registriesOf(mapping), ['https://npm.example/', 'https://acme.example/npm/']);
    const same = parseNpmrc('registry=https://npm.example/\n@a:registry=https://npm.example/\n', '.npmrc').mapping;
    assert.deepEqual(registriesOf(same), ['https://npm.example/']);
  });

  it('keys credentials as npm does: //host[:port]/path/', () => {
    assert.equal(credentialKeyOf('https://acme.example/npm/'), '//acme.example/npm/');
    assert.equal(credentialKeyOf('http://127.0.0.1:4873/'), '//127.0.0.1:4873/');
  });
});
