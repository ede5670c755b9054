// Kubernetes objects as plain data, and the keys that identify them.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  [field: string]: unknown;
}

/** Any Kubernetes object: what synthesis yields and what the API returns. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Identity of an object, independent of its API version. Namespace is '' when cluster-scoped. */
export interface ObjectKey {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The group of an apiVersion: '' for the core group (`v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** What names an object: enough of it for a key (a KubeObject, or one rebuilt from a task). */
export type ObjectIdentity = Pick<KubeObject, 'apiVersion' | 'kind'> & {
  readonly metadata: Pick<ObjectMeta, 'name' | 'namespace'>;
};

export function keyOf(obj: ObjectIdentity): ObjectKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  };
}

/** `group/kind/namespace/name`, the form used in maps, logs and status. */
export function formatKey(key: ObjectKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}

export function parseKey(text: string): ObjectKey {
  const parts = text.split('/');
  if (parts.length !== 4 || !parts[1] || !parts[3])
    throw new Error(`not an object key (group/kind/namespace/name): "${text}"`);
  return { group: parts[0]!, kind: parts[1], namespace: parts[2]!, name: parts[3] };
}

/** A short human form for messages: `Deployment shop/api`, `Namespace shop`. */
export function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind} ${key.namespace}/${key.name}` : `${key.kind} ${key.name}`;
}
