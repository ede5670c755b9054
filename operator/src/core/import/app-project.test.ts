// AppProject destinations: Argo CD's globs, `!` denials, and the in-cluster aliases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProject, globMatch, isDestinationPermitted, type Destination } from './app-project.ts';
import { parseArgoDocuments } from './argocd-application.ts';
import { ImportNotes } from './import-notes.ts';

const file = 'appproject.yaml';
const [shop] = parseArgoDocuments({ file, text: readFileSync(join(import.meta.dirname, 'testdata', file), 'utf8') });
const IN_CLUSTER = 'https://kubernetes.default.svc';
const PROD = 'https://prod.example.com';
const STAGING = 'https://staging.example.com';

describe('globMatch', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['guest*', 'guestbook', true],
    ['guest*', 'shop', false],
    ['team-?', 'team-a', true],
    ['a.b', 'axb', false],
    ['https://*.example.com', 'https://prod.example.com', true],
  ];
  for (const [pattern, text, matches] of cases) {
    const what = matches ? 'matches' : 'does not match';
    it(`${pattern} ${what} "${text}"`, () => assert.equal(globMatch(pattern, text), matches));
  }
});

describe('isDestinationPermitted (fixture appproject.yaml)', () => {
  const cases: [string, Destination, boolean][] = [
    ['the listed namespace by server', { server: IN_CLUSTER, namespace: 'podinfo' }, true],
    ['the listed namespace by the in-cluster name', { name: 'in-cluster', namespace: 'podinfo' }, true],
    ['a namespace matching a glob of a rule by name, by server', { server: IN_CLUSTER, namespace: 'guestbook' }, true],
    ['any namespace of a cluster listed with *', { server: PROD, namespace: 'shop' }, true],
    ['a namespace a ! rule denies, though a * rule lists it', { server: PROD, namespace: 'kube-system' }, false],
    ['a namespace no rule lists (a ! rule alone permits nothing)', { server: STAGING, namespace: 'shop' }, false],
  ];
  for (const [what, destination, permitted] of cases) {
    it(`${permitted ? 'permits' : 'refuses'} ${what}`, () => {
      assert.equal(isDestinationPermitted(shop!, destination), permitted);
    });
  }
});

describe('checkProject', () => {
  it('lists a refused destination and the restrictions Keelson has no place for', () => {
    const notes = new ImportNotes();
    checkProject('shop', shop, { server: IN_CLUSTER, namespace: 'kube-system' }, notes);
    assert.deepEqual(
      notes.notCarried.map((n) => n.field),
      ['spec.destination', 'spec.project'],
    );
    assert.match(notes.notCarried[0]!.reason, /does not permit \S+ namespace kube-system: Argo CD refuses/);
    assert.match(notes.notCarried[1]!.reason, /sourceRepos, clusterResourceWhitelist, roles: Keelson has no projects/);
  });

  it('lists a project that is not among the inputs, but not the default project', () => {
    const notes = new ImportNotes();
    checkProject('team-a', undefined, { server: IN_CLUSTER, namespace: 'a' }, notes);
    checkProject('default', undefined, { server: IN_CLUSTER, namespace: 'a' }, notes);
    assert.deepEqual(
      notes.notCarried.map((n) => n.field),
      ['spec.project'],
    );
    assert.match(notes.notCarried[0]!.reason, /AppProject "team-a" is not among the inputs/);
  });
});
