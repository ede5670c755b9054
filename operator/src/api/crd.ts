// Turns a resource definition (TypeBox schemas plus names and printer columns) into a
// CustomResourceDefinition. Pure: the generator script writes the result to crds/.
import type { TSchema } from '@sinclair/typebox';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly description: string;
  readonly spec: TSchema;
  readonly status: TSchema;
  readonly printerColumns: readonly PrinterColumn[];
}

// Keywords a structural CRD schema may carry. Anything else is a mistake in the source
// schema (for example `const`, which the API server rejects), so it fails the generation.
const ALLOWED_KEYWORDS = new Set([
  'type',
  'format',
  'description',
  'properties',
  'required',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'additionalProperties',
  'nullable',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-map-type',
]);

/** Converts a TypeBox schema to the plain OpenAPI v3 schema a CRD takes, keys sorted. */
export function toStructuralSchema(schema: TSchema, path = '<root>'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema).sort()) {
    const value: unknown = (schema as Record<string, unknown>)[key];
    if (!ALLOWED_KEYWORDS.has(key)) {
      throw new Error(`schema at ${path}: keyword "${key}" is not allowed in a CRD schema`);
    }
    // No `properties: {}` (a map, an object with nothing of its own): the API server drops it, and
    // a server-side apply of the CRD (Helm 4's) would then conflict with what it stored.
    if (key === 'properties' && Object.keys(value as object).length === 0) continue;
    if (key === 'properties') {
      const props: Record<string, unknown> = {};
      for (const name of Object.keys(value as object).sort()) {
        props[name] = toStructuralSchema((value as Record<string, TSchema>)[name] as TSchema, `${path}.${name}`);
      }
      out[key] = props;
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructuralSchema(value as TSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Builds the apiextensions.k8s.io/v1 CustomResourceDefinition for one resource. */
export function buildCrd(def: ResourceDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { 'app.kubernetes.io/part-of': 'keelson' },
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: [...def.categories],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
          schema: {
            openAPIV3Schema: {
              description: def.description,
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion defines the versioned schema of this representation of an object.',
                },
                kind: {
                  type: 'string',
                  description: 'Kind is a string value representing the REST resource this object represents.',
                },
                metadata: { type: 'object' },
                spec: toStructuralSchema(def.spec, 'spec'),
                status: toStructuralSchema(def.status, 'status'),
              },
            },
          },
        },
      ],
    },
  };
}
