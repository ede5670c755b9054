// A kind whose CRD is not installed (an upgrade that has not applied crds/ yet: Helm does not
// upgrade CRDs) must not keep the operator from starting: the SyncWindow and Notification watches
// start without it, say so, and pick the kind up once its CRD is applied — against the real API
// server, with a CRD made for this test.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { OptionalWatch } from '../../../operator/src/adapters/kubernetes/optional-watch.ts';
import { ResourceWatch } from '../../../operator/src/adapters/kubernetes/watch.ts';
import type { Logger } from '../../../operator/src/core/logger.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const GROUP = `optional-${process.pid}.keelson.dev`;

function recordingLog(lines: string[]): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => void lines.push(msg),
    error: (msg) => void lines.push(msg),
    child: () => log,
  };
  return log;
}

describe('a watch of a kind whose CRD is not installed yet', () => {
  let ns = '';
  let watch: OptionalWatch | undefined;
  after(async () => {
    await watch?.stop();
    await ext.deleteCustomResourceDefinition({ name: `gizmos.${GROUP}` }).catch(() => undefined);
    if (ns) await deleteNamespace(kc, ns);
  });

  it('starts without it, says so, and holds its objects once the CRD is applied', { timeout: 120_000 }, async () => {
    ns = await createTestNamespace(kc, 'optwatch');
    const lines: string[] = [];
    const make = () =>
      new ResourceWatch(kc, {
        resource: { group: GROUP, version: 'v1', plural: 'gizmos' },
        namespace: ns,
        startTimeoutMs: 2000,
        onEvent: () => undefined,
      });
    watch = new OptionalWatch(make, recordingLog(lines), 'Gizmos');
    const started = Date.now();
    await watch.start();
    assert.ok(Date.now() - started < 20_000, 'start did not wait for the CRD');
    assert.ok(
      lines.some((l) => /cannot watch Gizmos \(is its CRD applied\?\)/.test(l)),
      lines.join('\n'),
    );
    assert.deepEqual(watch.objects(), []);

    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: `gizmos.${GROUP}` },
        spec: {
          group: GROUP,
          names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
    await eventually(
      () =>
        custom
          .createNamespacedCustomObject({
            group: GROUP,
            version: 'v1',
            namespace: ns,
            plural: 'gizmos',
            body: { apiVersion: `${GROUP}/v1`, kind: 'Gizmo', metadata: { name: 'one' } },
          })
          .then(() => true),
      { timeoutMs: 20_000 },
    );
    await eventually(async () => watch!.objects().some((o) => o.metadata?.name === 'one'), {
      timeoutMs: 60_000,
      message: 'the watch holds the Gizmo once its CRD is served',
    });
  });
});
