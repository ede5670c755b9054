// Writing status through the status subresource with a JSON merge patch: the top-level
// status fields given replace the live ones (conditions as a whole list), spec and
// metadata are never touched, and a deleted object is not an error.
import * as k8s from '@kubernetes/client-node';
import { isNotFound, type ResourcePath } from './client.ts';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

export class StatusWriter {
  readonly #api: k8s.CustomObjectsApi;
  readonly #resource: ResourcePath;

  constructor(kc: k8s.KubeConfig, resource: ResourcePath) {
    this.#api = kc.makeApiClient(k8s.CustomObjectsApi);
    this.#resource = resource;
  }

  /** Patches `status` of one object; returns false when the object no longer exists. */
  async patch(namespace: string, name: string, status: object): Promise<boolean> {
    try {
      await this.#api.patchNamespacedCustomObjectStatus(
        { ...this.#resource, namespace, name, body: { status } },
        mergePatch,
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
