// Writing status through the status subresource with a JSON merge patch: the top-level
// status fields given replace the live ones (conditions as a whole list), spec and
// metadata are never touched, and a deleted object is not an error. One keep-alive
// connection pool carries every write.
import type { KubeConnection } from './kubeconfig.ts';
import { collectionPath, isNotFound, type ResourcePath } from './client.ts';
import { LazyRestTransport } from './rest-transport.ts';

export class StatusWriter {
  readonly #rest: LazyRestTransport;
  readonly #resource: ResourcePath;

  constructor(kc: KubeConnection, resource: ResourcePath) {
    this.#rest = new LazyRestTransport(kc, { maxSockets: 4 });
    this.#resource = resource;
  }

  /** Patches `status` of one object; returns false when the object no longer exists. */
  async patch(namespace: string, name: string, status: object): Promise<boolean> {
    try {
      await this.#rest.request({
        method: 'PATCH',
        path: `${collectionPath(this.#resource, namespace)}/${encodeURIComponent(name)}/status`,
        body: { status },
        contentType: 'application/merge-patch+json',
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Closes the idle connections. */
  close(): void {
    this.#rest.close();
  }
}
