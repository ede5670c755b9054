import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resourceVersionAtLeast, WrittenVersions } from './resource-version.ts';

describe('resourceVersionAtLeast', () => {
  it('compares etcd revisions as numbers, not strings', () => {
    assert.equal(resourceVersionAtLeast('10', '9'), true);
    assert.equal(resourceVersionAtLeast('9', '10'), false);
    assert.equal(resourceVersionAtLeast('42', '42'), true);
    assert.equal(resourceVersionAtLeast('123456789012345678901', '123456789012345678900'), true);
  });
  it('trusts nothing that does not look like a revision', () => {
    assert.equal(resourceVersionAtLeast(undefined, '1'), false);
    assert.equal(resourceVersionAtLeast('abc', '1'), false);
    assert.equal(resourceVersionAtLeast('5', ''), false, 'after a delete nothing cached is fresh');
  });
});

describe('WrittenVersions', () => {
  it('keeps a cached object stale until it is at least the version written, then forgets the write', () => {
    const w = new WrittenVersions();
    assert.equal(w.fresh('k', '1'), true, 'never written: whatever the cache has');
    w.wrote('k', '20');
    assert.equal(w.fresh('k', '19'), false);
    assert.equal(w.fresh('k', '21'), true);
    assert.equal(w.fresh('k', '3'), true, 'caught up once; later reads follow the cache');
  });
  it('after a delete, asks until written again', () => {
    const w = new WrittenVersions();
    w.wrote('k', '');
    assert.equal(w.fresh('k', '100'), false);
    w.wrote('k', '101');
    assert.equal(w.fresh('k', '101'), true);
  });
});
