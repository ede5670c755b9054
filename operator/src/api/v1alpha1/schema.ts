// Building blocks for the Keelson API schemas. Each helper returns a TypeBox schema, so
// one declaration gives both the TypeScript type (Static<typeof X>) and the OpenAPI v3
// schema that crd.ts turns into CRD YAML.
import { Type, type TSchema, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

export { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A closed set of strings, rendered as an OpenAPI `enum` (CRDs do not accept `const`). */
/** A map of strings (labels, annotations): `additionalProperties` alone, as a structural schema wants it. */
export function StringMap(description: string): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' }, description });
}

export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A CEL rule evaluated by the API server (x-kubernetes-validations). */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Attaches CEL rules to a schema. */
export function withRules<S extends TSchema>(schema: S, rules: readonly CelRule[]): S {
  return { ...schema, 'x-kubernetes-validations': rules };
}

/** A duration in Go's notation, as Kubernetes and Flux write them: `30s`, `5m`, `1h30m`. */
export const Duration = (description: string, defaultValue?: string) =>
  Type.String({
    description,
    pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });

/** A DNS-1123 label: namespace names, environment names. */
export const DnsLabel = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });

/** A DNS-1123 subdomain: names of most Kubernetes objects. */
export const ObjectName = (description: string) =>
  Type.String({
    description,
    minLength: 1,
    maxLength: 253,
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  });

export const LocalObjectReference = (description: string) =>
  Type.Object({ name: ObjectName('Name of the referenced object, in the same namespace.') }, { description });

export const Timestamp = (description: string) => Type.String({ description, format: 'date-time' });

/** metav1.Condition, as kstatus and Flux use it. */
export const Condition = Type.Object(
  {
    type: Type.String({
      description: 'Type of the condition, PascalCase (Ready, Reconciling, Stalled, ...).',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'The .metadata.generation the condition was set from.',
        minimum: 0,
        format: 'int64',
      }),
    ),
    lastTransitionTime: Timestamp('When the condition last changed status.'),
    reason: Type.String({
      description: 'A PascalCase reason for the last transition.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({ description: 'A human-readable message. Never carries a secret value.', maxLength: 32768 }),
  },
  { description: 'A standard Kubernetes condition.' },
);

export const Conditions = Type.Array(Condition, {
  description: 'Conditions in kstatus form: Ready always; Reconciling and Stalled only while True.',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

export const ObservedGeneration = Type.Integer({
  description: 'The .metadata.generation this status was computed from.',
  format: 'int64',
});
