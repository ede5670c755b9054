// The condition types and reasons are API: each one the code can set is on docs/conditions.md,
// and each is PascalCase, as kstatus wants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionType, EventReason, Reason } from './conditions.ts';
import { readFileSync } from 'node:fs';

const conditionsPage = readFileSync(new URL('../../../../docs/conditions.md', import.meta.url), 'utf8');

describe('condition types and reasons', () => {
  for (const [family, names] of Object.entries({ ConditionType, Reason, EventReason })) {
    it(`every ${family} is PascalCase, named as it reads, and on docs/conditions.md`, () => {
      for (const [key, value] of Object.entries(names)) {
        assert.equal(key, value);
        assert.match(value, /^[A-Z][A-Za-z]*$/);
        assert.ok(conditionsPage.includes(`| \`${value}\` |`), `docs/conditions.md has no row for ${value}`);
      }
    });
  }
});
