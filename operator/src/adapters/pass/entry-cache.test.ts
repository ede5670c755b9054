import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EntryCache, gitBlobId } from './entry-cache.ts';

describe('EntryCache', () => {
  it('keys are Git blob ids: the id git hash-object prints', () => {
    // printf 'hello\n' | git hash-object --stdin
    assert.equal(gitBlobId(new TextEncoder().encode('hello\n')), 'ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('returns what was stored until its time to live has passed', () => {
    let clock = 0;
    const cache = new EntryCache({ ttlMs: 100, now: () => clock });
    cache.set('a', 'one');
    clock = 99;
    assert.equal(cache.get('a'), 'one');
    clock = 100;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });

  it('drops the least recently used entry beyond maxEntries', () => {
    const cache = new EntryCache({ maxEntries: 2 });
    cache.set('a', '1');
    cache.set('b', '2');
    cache.get('a');
    cache.set('c', '3');
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => cache.get(k)),
      ['1', undefined, '3'],
    );
  });

  it('keeps the total size of plaintexts under maxBytes, and never stores one larger than it', () => {
    const cache = new EntryCache({ maxBytes: 20 });
    cache.set('a', '12345');
    cache.set('b', '12345');
    cache.set('c', '12345');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), undefined);
    cache.set('big', 'x'.repeat(11));
    assert.equal(cache.get('big'), undefined);
  });

  it('expired entries are swept on the next store, not left waiting in memory', () => {
    let clock = 0;
    const cache = new EntryCache({ ttlMs: 100, now: () => clock });
    cache.set('a', '1');
    cache.set('b', '2');
    clock = 150;
    cache.set('c', '3');
    assert.equal(cache.size, 1);
  });
});
