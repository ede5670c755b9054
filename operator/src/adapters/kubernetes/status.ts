// Writing status through the status subresource with a JSON merge patch: the top-level
// status fields given replace the live ones (conditions as a whole list), spec and
// metadata are never touched, and a deleted object is not an error. One keep-alive
// connection pool carries every write.
import type * as k8s from '@kubernetes/client-node';
import { collectionPath, isNotFound, type ResourcePath } from './client.ts';
import { RestTransport } from './rest-transport.ts';

export class StatusWriter {
  readonly #kubeConfig: k8s.KubeConfig;
  readonly #resource: ResourcePath;
  #transport: Promise<RestTransport> | undefined;

  constructor(kc: k8s.KubeConfig, resource: ResourcePath) {
    this.#kubeConfig = kc;
    this.#resource = resource;
  }

  /** Patches `status` of one object; returns false when the object no longer exists. */
  async patch(namespace: string, name: string, status: object): Promise<boolean> {
    this.#transport ??= RestTransport.fromKubeConfig(this.#kubeConfig, { maxSockets: 4 });
    try {
      await (await this.#transport).request({
        method: 'PATCH', path: `${collectionPath(this.#resource, namespace)}/${encodeURIComponent(name)}/status`,
        body: { status }, contentType: 'application/merge-patch+json',
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Closes the idle connections. */
  close(): void {
    void this.#transport?.then((t) => t.close(), () => undefined);
    this.#transport = undefined;
  }
}
