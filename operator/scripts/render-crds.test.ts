import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './render-crds.ts';

const crds = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crds');

describe('crds/', () => {
  for (const { fileName, yaml } of renderCrds()) {
    it(`${fileName} is what the schemas generate (run \`make generate\` after changing operator/src/api)`, () => {
      assert.equal(readFileSync(join(crds, fileName), 'utf8'), yaml);
    });
  }
});
