import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allowsNamespace, secretLocations } from './destination.ts';

describe('secretLocations', () => {
  it("looks in the Environment's namespace first, then in the registration namespace", () => {
    assert.deepEqual(secretLocations('team', 'prod', 'keelson-clusters'), [
      { namespace: 'team', name: 'prod', registered: false },
      { namespace: 'keelson-clusters', name: 'prod', registered: true },
    ]);
  });
  it("looks only in the Environment's namespace without a registration namespace, or when it is that one", () => {
    assert.deepEqual(secretLocations('team', 'prod'), [{ namespace: 'team', name: 'prod', registered: false }]);
    assert.deepEqual(secretLocations('team', 'prod', 'team'), [{ namespace: 'team', name: 'prod', registered: false }]);
  });
});

describe('allowsNamespace', () => {
  const cases: [string | undefined, string, boolean][] = [
    [undefined, 'team', true],
    ['*', 'team', true],
    ['team, other', 'team', true],
    ['other', 'team', false],
    ['', 'team', false],
    ['team-a', 'team', false],
  ];
  for (const [annotation, ns, want] of cases)
    it(`${JSON.stringify(annotation)} ${want ? 'serves' : 'does not serve'} ${ns}`, () =>
      assert.equal(allowsNamespace(annotation, ns), want));
});
