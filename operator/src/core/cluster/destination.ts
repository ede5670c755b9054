// Where the Secret of an Environment's spec.destination is looked for, and who may use it: the
// Environment's own namespace first, then the operator's cluster-registration namespace, where
// a Secret serves the namespaces its keelson.dev/cluster-namespaces annotation lists (all of
// them without the annotation, as a cluster registered without restrictions).

export interface SecretLocation {
  readonly namespace: string;
  readonly name: string;
  /** In the registration namespace, so its namespace annotation applies. */
  readonly registered: boolean;
}

/** The places to look, in order. */
export function secretLocations(envNamespace: string, name: string, clusterNamespace?: string): SecretLocation[] {
  const own = { namespace: envNamespace, name, registered: false };
  if (!clusterNamespace || clusterNamespace === envNamespace) return [own];
  return [own, { namespace: clusterNamespace, name, registered: true }];
}

/** Whether a registration Secret with this keelson.dev/cluster-namespaces value serves `namespace`. */
export function allowsNamespace(annotation: string | undefined, namespace: string): boolean {
  if (annotation === undefined) return true;
  const listed = annotation
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  return listed.includes('*') || listed.includes(namespace);
}
