import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ImageReferenceError,
  parseImageAssignment,
  parseImageAssignments,
  parseImageReference,
  type ImageReferenceProblem,
} from './image-reference.ts';

const SHA = 'a'.repeat(64);

describe('parseImageReference', () => {
  const valid: [string, object][] = [
    ['ghcr.io/acme/shop-api:1.5.0', { registry: 'ghcr.io', repository: 'acme/shop-api', tag: '1.5.0' }],
    ['docker.io/hashicorp/http-echo:1.0', { registry: 'docker.io', repository: 'hashicorp/http-echo', tag: '1.0' }],
    ['localhost:5000/api:dev', { registry: 'localhost:5000', repository: 'api', tag: 'dev' }],
    ['localhost/api:dev', { registry: 'localhost', repository: 'api', tag: 'dev' }],
    ['127.0.0.1:5000/a/b/c:v1', { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 'v1' }],
    ['[::1]:5000/api:1', { registry: '[::1]:5000', repository: 'api', tag: '1' }],
    ['Registry.Example.com/api:1', { registry: 'Registry.Example.com', repository: 'api', tag: '1' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['acme/my_app__x.y-z:_tag', { repository: 'acme/my_app__x.y-z', tag: '_tag' }],
    ['ghcr.io/acme/api@sha256:' + SHA, { registry: 'ghcr.io', repository: 'acme/api', digest: `sha256:${SHA}` }],
    [
      'ghcr.io/acme/api:1.5.0@sha256:' + SHA,
      { registry: 'ghcr.io', repository: 'acme/api', tag: '1.5.0', digest: `sha256:${SHA}` },
    ],
    [
      `ghcr.io/acme/api@sha512:${'0'.repeat(128)}`,
      { registry: 'ghcr.io', repository: 'acme/api', digest: `sha512:${'0'.repeat(128)}` },
    ],
    [`ghcr.io/a:${'x'.repeat(128)}`, { registry: 'ghcr.io', repository: 'a', tag: 'x'.repeat(128) }],
  ];
  for (const [text, want] of valid) {
    it(`accepts ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`, () => {
      assert.deepEqual(parseImageReference(text), want);
    });
  }

  const invalid: [string, ImageReferenceProblem, RegExp][] = [
    ['', 'Empty', /empty/],
    ['ghcr.io/acme/api :1', 'Whitespace', /whitespace/],
    ['ghcr.io/acme/Shop-API:1.0', 'UppercasePathComponent', /"Shop-API" must be lowercase/],
    ['ghcr.io/acme/-api:1.0', 'InvalidPathComponent', /"-api"/],
    ['ghcr.io/acme//api:1.0', 'InvalidPathComponent', /an empty repository path component/],
    ['ghcr.io/acme/a...b:1', 'InvalidPathComponent', /"a\.\.\.b"/],
    ['ghcr.io/acme/api', 'NoTagOrDigest', /neither a tag nor a digest/],
    ['ghcr.io/acme/api:', 'InvalidTag', /tag "" is empty/],
    ['ghcr.io/acme/api:.hidden', 'InvalidTag', /has "\." where it may not/],
    ['ghcr.io/acme/api:1.0+build', 'InvalidTag', /has "\+"/],
    [`ghcr.io/acme/api:${'x'.repeat(129)}`, 'TagTooLong', /129 characters long; at most 128/],
    ['ghcr.io/acme/api@sha256:abc', 'InvalidDigest', /64 lowercase hex digits; "abc" is 3 characters/],
    [`ghcr.io/acme/api@sha256:${'A'.repeat(64)}`, 'InvalidDigest', /not all lowercase hex/],
    [`ghcr.io/acme/api@md5:${'a'.repeat(32)}`, 'InvalidDigest', /not sha256:<64 hex digits>/],
    ['ghcr.io/acme/api@latest', 'InvalidDigest', /not sha256/],
    ['bad_host.io/api:1', 'InvalidRegistry', /registry "bad_host\.io"/],
    ['ghcr.io:port/api:1', 'InvalidRegistry', /registry "ghcr\.io:port"/],
    [`ghcr.io/${'a'.repeat(250)}:1`, 'NameTooLong', /258 characters long; at most 255/],
  ];
  for (const [text, code, message] of invalid) {
    it(`refuses ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} (${code})`, () => {
      assert.throws(
        () => parseImageReference(text),
        (err: unknown) => err instanceof ImageReferenceError && err.code === code && message.test(err.message),
      );
    });
  }
});

describe('parseImageAssignment', () => {
  it('splits at the first "="', () => {
    assert.deepEqual(parseImageAssignment('api=ghcr.io/acme/api:1'), { name: 'api', reference: 'ghcr.io/acme/api:1' });
  });

  it('refuses an argument without a name', () => {
    for (const arg of ['ghcr.io/acme/api:1', '=ghcr.io/acme/api:1']) {
      assert.throws(
        () => parseImageAssignment(arg),
        (err: unknown) => err instanceof ImageReferenceError && err.code === 'InvalidAssignment',
      );
    }
  });

  it('checks the reference', () => {
    assert.throws(
      () => parseImageAssignment('api=ghcr.io/acme/API:1'),
      (err: unknown) => err instanceof ImageReferenceError && err.code === 'UppercasePathComponent',
    );
  });

  it('refuses a name given twice', () => {
    assert.throws(
      () => parseImageAssignments(['api=a/b:1', 'web=a/c:1', 'api=a/b:2']),
      (err: unknown) => err instanceof ImageReferenceError && /"api" is given more than once/.test(err.message),
    );
  });
});
