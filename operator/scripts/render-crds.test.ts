import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './render-crds.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

for (const dir of ['crds', 'charts/keelson/crds']) {
  describe(`${dir}/`, () => {
    for (const { fileName, yaml } of renderCrds()) {
      it(`${fileName} is what the schemas generate (run \`make generate\` after changing operator/src/api)`, () => {
        assert.equal(readFileSync(join(root, dir, fileName), 'utf8'), yaml);
      });
    }
  });
}
