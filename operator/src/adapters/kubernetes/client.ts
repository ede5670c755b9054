// Loading the connection to the API server: a kubeconfig file when given (tests, local
// runs), the in-cluster service account otherwise. Only main.ts and tests call this.
import { OwnKubeConfig } from './kubeconfig.ts';

export function loadKubeConfig(path?: string): OwnKubeConfig {
  return path ? OwnKubeConfig.fromFile(path) : OwnKubeConfig.fromCluster();
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
  // KubeApiError has `status`; client-node's ApiException (the CLI's and the tests' clients) a numeric `code`.
  const e = err as { status?: unknown; code?: unknown } | undefined;
  return e?.status === 404 || e?.code === 404;
}
