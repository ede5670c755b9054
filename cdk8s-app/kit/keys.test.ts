import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as kit from './keys.ts';
import * as operator from '../../operator/src/core/keys.ts';

describe('kit keys', () => {
  for (const [name, value] of Object.entries(kit)) {
    it(`${name} is the operator's ${name}`, () => {
      assert.equal(value, (operator as Record<string, unknown>)[name]);
    });
  }
});
