// syncPolicy and ignoreDifferences as spec.sync and spec.retry: each option converted to its
// equivalent or listed with what Keelson does instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldReader, type Fields } from './field-reader.ts';
import { ImportError } from './import-error.ts';
import { ImportNotes } from './import-notes.ts';
import { planSync, pointerOfJqPath } from './sync-policy.ts';

function plan(spec: Fields, namespace = 'web') {
  const notes = new ImportNotes();
  const reader = new FieldReader(spec, 'spec', { file: 'app.yaml', document: 1 });
  return { ...planSync(reader, namespace, notes), notes, unread: reader.unread() };
}

describe('planSync: automated', () => {
  it('carries prune and selfHeal, and allowEmpty', () => {
    const p = plan({ syncPolicy: { automated: { prune: true, selfHeal: true, allowEmpty: true } } });
    assert.deepEqual(p.sync, { automated: { prune: true, selfHeal: true }, allowEmpty: true });
    assert.deepEqual(p.unread, []);
  });

  it('leaves out automated when there is no syncPolicy, or automated.enabled is false', () => {
    assert.equal(plan({}).sync, undefined);
    assert.equal(plan({ syncPolicy: { automated: { enabled: false, prune: true } } }).sync, undefined);
  });

  it('turns prune off for Prune=false and says how to keep objects on a pruning sync', () => {
    const p = plan({ syncPolicy: { automated: { prune: true }, syncOptions: ['Prune=false'] } });
    assert.deepEqual(p.sync, { automated: { prune: false } });
    assert.match(p.notes.notCarried[0]!.reason, /keelson\.dev\/prune: "false"/);
  });
});

describe('planSync: syncOptions', () => {
  const cases: [string, boolean][] = [
    ['CreateNamespace=true', true],
    ['ServerSideApply=true', true],
    ['PruneLast=true', true],
    ['PrunePropagationPolicy=background', true],
    ['ServerSideApply=false', false],
    ['Validate=false', true],
    ['ApplyOutOfSyncOnly=true', false],
    ['RespectIgnoreDifferences=true', false],
    ['Replace=true', true],
    ['Force=true', true],
    ['FailOnSharedResource=true', true],
    ['SkipDryRunOnMissingResource=true', true],
    ['PrunePropagationPolicy=orphan', true],
    ['SomethingNew=true', false],
  ];
  for (const [option, converted] of cases) {
    it(`${converted ? 'converts' : 'lists'} ${option}`, () => {
      const { notes } = plan({ syncPolicy: { syncOptions: [option] } });
      const fields = (converted ? notes.converted : notes.notCarried).map((n) => n.field);
      const others = (converted ? notes.notCarried : notes.converted).map((n) => n.field);
      assert.ok(fields.includes('spec.syncPolicy.syncOptions[0]'), JSON.stringify(notes));
      assert.ok(!others.includes('spec.syncPolicy.syncOptions[0]'), 'in one list only');
    });
  }

  it('carries the options Keelson has as they are into spec.sync.options', () => {
    const p = plan({
      syncPolicy: { syncOptions: ['Replace=true', ' PrunePropagationPolicy=orphan', 'PruneLast=true'] },
    });
    assert.deepEqual(p.sync?.options, ['Replace=true', 'PrunePropagationPolicy=orphan']);
  });

  it('declares the Namespace for CreateNamespace=true, with managedNamespaceMetadata, never pruned', () => {
    const labels = { team: 'web' };
    const p = plan({ syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels } } });
    assert.deepEqual(p.namespace, { name: 'web', labels, annotations: { 'keelson.dev/prune': 'false' } });
  });

  it('lists managedNamespaceMetadata without CreateNamespace=true', () => {
    const p = plan({ syncPolicy: { managedNamespaceMetadata: { labels: { team: 'web' } } } });
    assert.equal(p.namespace, undefined);
    assert.deepEqual(
      p.notes.notCarried.map((n) => n.field),
      ['spec.syncPolicy.managedNamespaceMetadata'],
    );
  });
});

describe('planSync: retry', () => {
  it('carries limit and backoff, reading a bare number as seconds', () => {
    const p = plan({ syncPolicy: { retry: { limit: 3, backoff: { duration: '10', factor: 2, maxDuration: '5m' } } } });
    assert.deepEqual(p.retry, { limit: 3, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } });
  });

  it('caps what Keelson does not take, and lists it', () => {
    const p = plan({ syncPolicy: { retry: { limit: -1, backoff: { factor: 20 } } } });
    assert.deepEqual(p.retry, { limit: 100, backoff: { factor: 10 } });
    const fields = p.notes.notCarried.map((n) => n.field);
    assert.deepEqual(fields, ['spec.syncPolicy.retry.limit', 'spec.syncPolicy.retry.backoff.factor']);
  });

  it('refuses a backoff that is not a duration, naming the field', () => {
    assert.throws(
      () => plan({ syncPolicy: { retry: { backoff: { duration: 'soon' } } } }),
      (err: unknown) =>
        err instanceof ImportError &&
        /spec\.syncPolicy\.retry\.backoff\.duration: "soon" is not a duration/.test(err.message),
    );
  });
});

describe('planSync: ignoreDifferences', () => {
  it('carries group, kind, name, namespace and JSON pointers, and simple jq paths as pointers', () => {
    const p = plan({
      ignoreDifferences: [
        {
          group: 'apps',
          kind: 'Deployment',
          name: 'web',
          namespace: 'web',
          jsonPointers: ['/spec/replicas'],
          jqPathExpressions: ['.spec.template.spec.containers[0].image', '.metadata.annotations."example.com/x"'],
        },
      ],
    });
    assert.deepEqual(p.sync?.ignoreDifferences, [
      {
        group: 'apps',
        kind: 'Deployment',
        name: 'web',
        namespace: 'web',
        jsonPointers: [
          '/spec/replicas',
          '/spec/template/spec/containers/0/image',
          '/metadata/annotations/example.com~1x',
        ],
      },
    ]);
  });

  it('lists jq filters, field managers, wildcards and bad pointers', () => {
    const p = plan({
      ignoreDifferences: [
        {
          kind: 'ConfigMap',
          jqPathExpressions: ['.data[] | select(. == "x")'],
          managedFieldsManagers: ['kube-controller-manager'],
        },
        { group: '*', kind: 'Service', jsonPointers: ['/spec/clusterIP'] },
        { kind: 'Secret', jsonPointers: ['data'] },
      ],
    });
    assert.equal(p.sync, undefined, 'no rule could be carried');
    assert.deepEqual(
      p.notes.notCarried.map((n) => n.field),
      [
        'spec.ignoreDifferences[0].jqPathExpressions',
        'spec.ignoreDifferences[0].managedFieldsManagers',
        'spec.ignoreDifferences[1]',
        'spec.ignoreDifferences[2].jsonPointers',
      ],
    );
  });

  it('turns only simple jq paths into pointers', () => {
    assert.equal(pointerOfJqPath('.spec.replicas'), '/spec/replicas');
    assert.equal(pointerOfJqPath('.spec.containers[] | .image'), undefined);
  });
});
