import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImagesFileError, scanImagesFile, setImages, type ImagesFileProblem } from './images-file.ts';

const PRETTY = `{
  "dev": {
    "api": "ghcr.io/acme/shop-api:1.5.0-rc.2",
    "web": "ghcr.io/acme/shop-web:2.1.0-rc.1"
  },
  "prod": {
    "api": "ghcr.io/acme/shop-api:1.4.3",
    "web": "ghcr.io/acme/shop-web:2.0.7"
  }
}
`;
/** The aligned one-line-per-environment style of docs/deploy-repo.md. */
const ALIGNED = `{
  "dev":  { "api": "ghcr.io/acme/shop-api:1.5.0-rc.2", "web": "ghcr.io/acme/shop-web:2.1.0-rc.1" },
  "prod": { "api": "ghcr.io/acme/shop-api:1.4.3",      "web": "ghcr.io/acme/shop-web:2.0.7" }
}`;

const api = (tag: string) => ({ name: 'api', reference: `ghcr.io/acme/shop-api:${tag}` });

describe('setImages', () => {
  it('changes one environment with --env, keeping every other byte', () => {
    const edit = setImages(PRETTY, [api('1.5.0')], 'prod');
    assert.equal(edit.text, PRETTY.replace('shop-api:1.4.3', 'shop-api:1.5.0'));
    assert.deepEqual(edit.changes, [
      { environment: 'prod', name: 'api', from: 'ghcr.io/acme/shop-api:1.4.3', to: 'ghcr.io/acme/shop-api:1.5.0' },
    ]);
    assert.deepEqual(edit.unchanged, []);
  });

  it('changes every environment that declares the name without --env', () => {
    const edit = setImages(PRETTY, [api('1.6.0')]);
    assert.equal(
      edit.text,
      PRETTY.replace('shop-api:1.5.0-rc.2', 'shop-api:1.6.0').replace('shop-api:1.4.3', 'shop-api:1.6.0'),
    );
    assert.deepEqual(
      edit.changes.map((c) => c.environment),
      ['dev', 'prod'],
    );
  });

  it('only touches environments that declare the name', () => {
    const text = `{\n  "dev": { "api": "a/api:1", "worker": "a/worker:1" },\n  "prod": { "api": "a/api:1" }\n}\n`;
    const edit = setImages(text, [{ name: 'worker', reference: 'a/worker:2' }]);
    assert.equal(edit.text, text.replace('a/worker:1', 'a/worker:2'));
  });

  it('keeps an aligned, compact style and a missing final newline', () => {
    const edit = setImages(ALIGNED, [api('1.4.4'), { name: 'web', reference: 'ghcr.io/acme/shop-web:2.0.8' }], 'prod');
    assert.equal(edit.text, ALIGNED.replace('1.4.3', '1.4.4').replace('2.0.7', '2.0.8'));
    assert.equal(edit.changes.length, 2);
  });

  it('is a no-op when the reference is already set', () => {
    const edit = setImages(PRETTY, [api('1.4.3')], 'prod');
    assert.equal(edit.text, PRETTY);
    assert.deepEqual(edit.changes, []);
    assert.deepEqual(edit.unchanged, [{ environment: 'prod', name: 'api', to: 'ghcr.io/acme/shop-api:1.4.3' }]);
  });

  it('changes what differs and reports what was already set', () => {
    const edit = setImages(PRETTY, [api('1.4.3')]);
    assert.deepEqual(
      edit.changes.map((c) => c.environment),
      ['dev'],
    );
    assert.deepEqual(
      edit.unchanged.map((c) => c.environment),
      ['prod'],
    );
  });

  it('edits the last of a duplicated key, the one JSON.parse reads', () => {
    const text = '{ "dev": { "api": "a/api:1", "api": "a/api:2" } }\n';
    const edit = setImages(text, [{ name: 'api', reference: 'a/api:3' }]);
    assert.equal(edit.text, '{ "dev": { "api": "a/api:1", "api": "a/api:3" } }\n');
    assert.equal((JSON.parse(edit.text) as { dev: { api: string } }).dev.api, 'a/api:3');
  });

  it('reads escaped keys and values', () => {
    const text = '{ "d\\u0065v": { "api": "a/api:1", "x\\"y": "a/b:1" } }';
    const edit = setImages(text, [{ name: 'x"y', reference: 'a/b:2' }], 'dev');
    assert.deepEqual(JSON.parse(edit.text), { dev: { api: 'a/api:1', 'x"y': 'a/b:2' } });
  });

  const refusals: [string, string, string | undefined, ImagesFileProblem, RegExp][] = [
    ['not JSON', '{ "dev": ', undefined, 'InvalidJson', /^images\.json is not valid JSON/],
    ['an array', '[]', undefined, 'InvalidShape', /expected an object/],
    ['an environment that is not an object', '{ "dev": "x" }', undefined, 'InvalidShape', /"dev" must be an object/],
    [
      'a reference that is not a string',
      '{ "dev": { "api": 1 } }',
      undefined,
      'InvalidShape',
      /dev\.api must be a string/,
    ],
    [
      'an unknown environment',
      PRETTY,
      'staging',
      'UnknownEnvironment',
      /no environment "staging" \(it has: dev, prod\)/,
    ],
    [
      'an unknown image in an environment',
      `{ "dev": { "web": "a/w:1" }, "prod": { "api": "a/a:1" } }`,
      'dev',
      'UnknownImage',
      /no image "api" for environment "dev" \(it has: web\)/,
    ],
    [
      'an image no environment declares',
      PRETTY,
      undefined,
      'UnknownImage',
      /no image "api" in any environment \(it has: web\)/,
    ],
  ];
  for (const [what, text, env, code, message] of refusals) {
    it(`refuses ${what}`, () => {
      const input = what === 'an image no environment declares' ? text.replaceAll('"api"', '"web"') : text;
      assert.throws(
        () => setImages(input, [api('9')], env),
        (err: unknown) => err instanceof ImagesFileError && err.code === code && message.test(err.message),
      );
    });
  }

  it('names the file it was given', () => {
    assert.throws(
      () => setImages('{}', [api('1')], undefined, 'deploy/images.json'),
      /deploy\/images\.json has no image/,
    );
  });
});

describe('scanImagesFile', () => {
  it('finds every entry with the span of its literal', () => {
    const entries = scanImagesFile(ALIGNED);
    assert.deepEqual(
      entries.map((e) => [e.environment, e.name, ALIGNED.slice(e.start, e.end)]),
      [
        ['dev', 'api', '"ghcr.io/acme/shop-api:1.5.0-rc.2"'],
        ['dev', 'web', '"ghcr.io/acme/shop-web:2.1.0-rc.1"'],
        ['prod', 'api', '"ghcr.io/acme/shop-api:1.4.3"'],
        ['prod', 'web', '"ghcr.io/acme/shop-web:2.0.7"'],
      ],
    );
  });

  it('accepts empty objects', () => {
    assert.deepEqual(scanImagesFile('{ "dev": {}, "prod": { } }'), []);
  });
});
