// A Secret whose values come from the pass store when Keelson applies it. The synthesized
// object carries only references (entry path, optional field) in `keelson.dev/pass-refs`;
// no value ever appears in the deploy repository or the synthesized manifests.
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ANNOTATION_PASS_REFS } from './keys.ts';

/** An entry of the pass store, or one `key: value` field of it. */
export interface PassReference {
  /** The entry's path in the store, without `.gpg`: `prod/db`. */
  readonly path: string;
  /**
   * A `key: value` line of the entry.
   * @default - the entry's first line (the password)
   */
  readonly field?: string;
}

export interface PassSecretProps extends kplus.CommonSecretProps {
  /** Data key of the Secret → the pass entry (`'prod/db'`) or entry field (`{ path: 'prod/db', field: 'user' }`) it comes from. */
  readonly data: Readonly<Record<string, string | PassReference>>;
  /**
   * The Secret's type.
   * @default 'Opaque'
   */
  readonly type?: string;
}

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const PATH_SEGMENT = /^[^\s/]+$/;

export class PassSecret extends kplus.Secret {
  /** The references, by data key, sorted. */
  readonly references: Readonly<Record<string, PassReference>>;

  constructor(scope: Construct, id: string, props: PassSecretProps) {
    super(scope, id, { metadata: props.metadata, immutable: props.immutable, type: props.type ?? 'Opaque' });
    const refs: Record<string, PassReference> = {};
    for (const key of Object.keys(props.data).sort()) refs[key] = toReference(key, props.data[key]!);
    if (Object.keys(refs).length === 0)
      throw new Error(`PassSecret "${id}": data is empty; name at least one pass entry`);
    this.references = refs;
    this.metadata.addAnnotation(ANNOTATION_PASS_REFS, JSON.stringify(refs));
  }

  /** A PassSecret holds references only: adding a literal value is refused. */
  override addStringData(key: string, _value: string): void {
    throw new Error(
      `PassSecret "${this.node.id}": refusing a literal value for "${key}"; add a pass reference to data instead`,
    );
  }
}

function toReference(key: string, ref: string | PassReference): PassReference {
  if (!DATA_KEY.test(key)) throw new Error(`PassSecret data key "${key}" is not a valid Secret key`);
  const { path, field } = typeof ref === 'string' ? { path: ref, field: undefined } : ref;
  const segments = path.split('/');
  if (!path || path.endsWith('.gpg') || segments.some((s) => !PATH_SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new Error(`PassSecret "${key}": "${path}" is not a pass entry path (like prod/db, relative, without .gpg)`);
  }
  if (field !== undefined && (!field || /[\s:]/.test(field)))
    throw new Error(`PassSecret "${key}": field "${field}" is not a field name`);
  return field === undefined ? { path } : { path, field };
}
