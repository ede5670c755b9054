import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { buildCrd, environmentDefinition, gitRepositoryDefinition, toStructuralSchema } from './index.ts';
import { StringEnum } from './v1alpha1/schema.ts';

describe('CRD generation', () => {
  it('renders string unions as enum, never const', () => {
    const s = toStructuralSchema(StringEnum(['Orphan', 'Delete'] as const));
    assert.deepEqual(s, { enum: ['Orphan', 'Delete'], type: 'string' });
  });

  it('writes no empty properties, which the API server drops: a map is additionalProperties alone', () => {
    const map = Type.Object({}, { additionalProperties: Type.String() });
    assert.deepEqual(toStructuralSchema(map), { additionalProperties: { type: 'string' }, type: 'object' });
    const empty = Type.Object({});
    assert.deepEqual(toStructuralSchema(empty), { type: 'object' });
  });

  it('refuses a keyword the API server would reject, naming where it is', () => {
    const schema = Type.Object({ mode: Type.Literal('fast') });
    assert.throws(() => toStructuralSchema(schema, 'spec'), /schema at spec\.mode: keyword "const" is not allowed/);
  });

  it('builds namespaced CRDs with a status subresource and the printer columns', () => {
    const crd = buildCrd(environmentDefinition) as {
      metadata: { name: string };
      spec: { scope: string; versions: { subresources: unknown; additionalPrinterColumns: { name: string }[] }[] };
    };
    assert.equal(crd.metadata.name, 'environments.keelson.dev');
    assert.equal(crd.spec.scope, 'Namespaced');
    const v = crd.spec.versions[0]!;
    assert.deepEqual(v.subresources, { status: {} });
    assert.deepEqual(
      v.additionalPrinterColumns.filter((c) => !('priority' in c)).map((c) => c.name),
      ['Sync', 'Health', 'Revision', 'Age'],
    );
    assert.equal(
      (buildCrd(gitRepositoryDefinition) as { metadata: { name: string } }).metadata.name,
      'gitrepositories.keelson.dev',
    );
  });
});
