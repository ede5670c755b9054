// Loading the connection to the API server: a kubeconfig file when given (tests, local
// runs), the in-cluster service account otherwise. Only main.ts and tests call this.
import * as k8s from '@kubernetes/client-node';

export function loadKubeConfig(path?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

/** The REST path of a resource collection: `/apis/keelson.dev/v1alpha1/namespaces/ns/gitrepositories`. */
export interface ResourcePath {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export function collectionPath(resource: ResourcePath, namespace?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${resource.plural}` : `${base}/${resource.plural}`;
}

/** True for the API server's 404. */
export function isNotFound(err: unknown): boolean {
  return (err instanceof k8s.ApiException && err.code === 404) || (err as { status?: number }).status === 404;
}
