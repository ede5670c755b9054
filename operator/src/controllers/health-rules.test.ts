// --health-rules names a ConfigMap as <namespace>/<name>, or <name> in the operator's namespace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigMapRef } from './health-rules.ts';

describe('parseConfigMapRef', () => {
  it('reads <namespace>/<name> and <name>', () => {
    assert.deepEqual(parseConfigMapRef('keelson-system/keelson-health', 'x'), {
      namespace: 'keelson-system',
      name: 'keelson-health',
    });
    assert.deepEqual(parseConfigMapRef('keelson-health', 'ops'), { namespace: 'ops', name: 'keelson-health' });
  });
  for (const bad of ['', '/x', 'x/', 'a/b/c']) {
    it(`refuses ${JSON.stringify(bad)}, naming the flag`, () => {
      assert.throws(() => parseConfigMapRef(bad, 'ops'), /--health-rules: .* is not <namespace>\/<name> or <name>/);
    });
  }
});
