// The image starts the operator with the V8 flags the tests run it with (ADR 0024).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OPERATOR_V8_FLAGS } from '../operator/src/operator-v8-flags.ts';

for (const file of ['image/Containerfile', 'Dockerfile'])
  test(`${file}'s ENTRYPOINT runs Node with the operator's V8 flags`, () => {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    const line = /^ENTRYPOINT (\[.*\])$/m.exec(text);
    assert.ok(line, `${file} has an ENTRYPOINT in exec form`);
    assert.deepEqual(JSON.parse(line[1]!), [
      '/usr/local/bin/node',
      ...OPERATOR_V8_FLAGS,
      '/app/operator/bin/keelson.js',
    ]);
  });
