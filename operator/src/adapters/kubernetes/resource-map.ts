// Discovery: which resource (plural) serves a kind, and whether it is namespaced, per
// group/version, fetched once and again when a kind is not found (a CRD just created).
import type { ObjectKey } from '../../core/manifest.ts';
import { formatKey, groupOf, versionOf } from '../../core/manifest.ts';
import type { RestTransport } from './rest-transport.ts';

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
  readonly #transport: RestTransport;
  readonly #byGroupVersion = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(transport: RestTransport) {
    this.#transport = transport;
  }

  #load(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let loading = this.#byGroupVersion.get(apiVersion);
    if (!loading) {
      const path = groupOf(apiVersion) ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      loading = this.#transport.request<ApiResourceList>({ method: 'GET', path }).then(
        (list) => new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced }])),
        () => new Map<string, ResourceInfo>(),
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

  /** The URL path of an object, or of its collection when the name is ''. */
  async pathOf(address: ObjectAddress): Promise<string> {
    const info = await this.lookup(address.apiVersion, address.key.kind);
    const prefix = groupOf(address.apiVersion) ? `/apis/${groupOf(address.apiVersion)}/${versionOf(address.apiVersion)}` : `/api/${address.apiVersion}`;
    if (info.namespaced && !address.key.namespace && address.key.name) {
      throw new Error(`${address.key.kind} ${address.key.name} is namespaced but names no namespace`);
    }
    const ns = info.namespaced && address.key.namespace ? `/namespaces/${encodeURIComponent(address.key.namespace)}` : '';
    const name = address.key.name ? `/${encodeURIComponent(address.key.name)}` : '';
    return `${prefix}${ns}/${info.plural}${name}`;
  }
}
