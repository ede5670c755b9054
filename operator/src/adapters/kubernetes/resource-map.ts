// Discovery: which resource (plural) serves a kind, and whether it is namespaced, per
// group/version. It follows the cluster without a restart: a group/version is fetched once,
// again when a kind is not found in it (a CRD just created), and forgotten when the API
// server answers a request at one of its paths with the mux's 404 (the CRD was deleted) or
// when a CRD of its group changes (forgetGroup, from the operator's CRD watch).
import type { ObjectKey } from '../../core/manifest.ts';
import { formatKey, groupOf, versionOf } from '../../core/manifest.ts';
import { isUnservedPath, KubeApiError } from './api-error.ts';
import type { RestRequest } from './rest-transport.ts';

/** What discovery and ResourceMap.request need of a transport. */
export interface Requester {
  request<T>(req: RestRequest): Promise<T>;
}

export interface ResourceInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The API server does not serve this kind at this apiVersion. */
export class UnknownKindError extends Error {
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string) {
    super(`no resource for kind ${kind} in ${apiVersion} (is its CRD installed?)`);
    this.name = 'UnknownKindError';
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/** An object to address: apiVersion plus key (name '' addresses the collection). */
export interface ObjectAddress {
  readonly apiVersion: string;
  readonly key: Pick<ObjectKey, 'kind' | 'namespace' | 'name'>;
}

/** The formatKey of the object an address names. */
export function formatAddress(address: ObjectAddress): string {
  return formatKey({ group: groupOf(address.apiVersion), ...address.key });
}

export class ResourceMap {
  readonly #transport: Requester;
  readonly #byGroupVersion = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(transport: Requester) {
    this.#transport = transport;
  }

  /**
   * The kinds a group/version serves. A group/version the API server does not serve (404)
   * serves none, and is asked again next time; any other failure is thrown, never taken
   * for "no such kind" (an aggregated API that is down must not make its objects look gone).
   */
  #load(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let loading = this.#byGroupVersion.get(apiVersion);
    if (!loading) {
      const path = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      loading = this.#transport.request<ApiResourceList>({ method: 'GET', path }).then(
        (list) =>
          new Map(
            list.resources
              .filter((r) => !r.name.includes('/'))
              .map((r) => [r.kind, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced }]),
          ),
        (err: unknown) => {
          this.#byGroupVersion.delete(apiVersion);
          if (err instanceof KubeApiError && err.status === 404) return new Map<string, ResourceInfo>();
          throw err;
        },
      );
      this.#byGroupVersion.set(apiVersion, loading);
    }
    return loading;
  }

  async lookup(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let info = (await this.#load(apiVersion)).get(kind);
    if (!info) {
      this.#byGroupVersion.delete(apiVersion);
      info = (await this.#load(apiVersion)).get(kind);
    }
    if (!info) {
      this.#byGroupVersion.delete(apiVersion); // look again next time: the CRD may come
      throw new UnknownKindError(apiVersion, kind);
    }
    return info;
  }

  /** Forgets every version of `group` it knows (a CRD of the group was created, changed or deleted). */
  forgetGroup(group: string): void {
    for (const apiVersion of this.#byGroupVersion.keys()) {
      if (groupOf(apiVersion) === group) this.#byGroupVersion.delete(apiVersion);
    }
  }

  /**
   * `send` at the path of `address`. When the API server does not serve that path (its CRD
   * went away, or moved the kind to another version), what discovery knew of the
   * group/version is dropped and the kind looked up again: the request is sent once more at
   * the kind's new path, or fails with UnknownKindError when the kind is gone.
   */
  async request<T>(address: ObjectAddress, send: (path: string) => Promise<T>): Promise<T> {
    try {
      return await send(await this.pathOf(address));
    } catch (err) {
      if (!isUnservedPath(err)) throw err;
      this.#byGroupVersion.delete(address.apiVersion);
      return send(await this.pathOf(address));
    }
  }

  /** The URL path of an object, or of its collection when the name is ''. */
  async pathOf(address: ObjectAddress): Promise<string> {
    const info = await this.lookup(address.apiVersion, address.key.kind);
    const prefix = groupOf(address.apiVersion)
      ? `/apis/${groupOf(address.apiVersion)}/${versionOf(address.apiVersion)}`
      : `/api/${address.apiVersion}`;
    if (info.namespaced && !address.key.namespace && address.key.name) {
      throw new Error(`${address.key.kind} ${address.key.name} is namespaced but names no namespace`);
    }
    const ns =
      info.namespaced && address.key.namespace ? `/namespaces/${encodeURIComponent(address.key.namespace)}` : '';
    const name = address.key.name ? `/${encodeURIComponent(address.key.name)}` : '';
    return `${prefix}${ns}/${info.plural}${name}`;
  }
}
