// The operator's HTTP servers: the probes and /metrics on one port; the REST API, the web UI
// and the webhook receiver on the other. Every replica serves them, leading or not.
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { HttpServer, sendJson, sendText } from './adapters/http/http-server.ts';
import { mountApi } from './adapters/http/api-routes.ts';
import { actionSubResource } from './adapters/http/action-routes.ts';
import { KubernetesAuth } from './adapters/http/kubernetes-auth.ts';
import { mountWebhook } from './adapters/http/webhook-routes.ts';
import { mountUi } from './adapters/ui/ui-routes.ts';
import { ssoOptionsOf } from './adapters/ui/sso-routes.ts';
import type { EventRecorder } from './adapters/kubernetes/events.ts';
import type { KeelsonResources } from './adapters/kubernetes/keelson-resources.ts';
import { ResourceActions } from './adapters/kubernetes/resource-actions.ts';
import type { DiffStore } from './controllers/environment/diff-store.ts';
import type { HealthAssessor } from './core/health/index.ts';
import type { Logger } from './core/logger.ts';
import type { OperatorConfig } from './core/operator-config.ts';
import type { SecretRedactor } from './core/redact.ts';
import type { Clusters } from './main-clusters.ts';
import { watchKeelsonResources } from './main-watches.ts';

export interface ServerDeps {
  readonly config: OperatorConfig;
  readonly kc: KubeConnection;
  readonly log: Logger;
  readonly registry: Registry;
  /** Whether the controllers run, and whether this replica leads (or needs no Lease). */
  readonly state: { readonly started: boolean; readonly leader: boolean };
  readonly resources: KeelsonResources;
  readonly diffs: DiffStore;
  readonly redactor: SecretRedactor;
  readonly clusters: Clusters;
  readonly events: EventRecorder;
  readonly assessHealth?: HealthAssessor;
}

export function createServers(deps: ServerDeps): {
  probes: HttpServer;
  api: HttpServer;
  ui: ReturnType<typeof mountUi> | undefined;
} {
  const { config, kc, log, registry, state, resources, diffs, redactor, clusters, events } = deps;
  const probes = new HttpServer({
    listen: config.metricsListen,
    onError: (err) => log.error('metrics server error', { error: String(err) }),
  });
  probes.route('GET', '/healthz', (_req, res) => sendText(res, 200, 'ok\n'));
  // Ready when this replica works (controllers started) or stands by for the Lease.
  probes.route('GET', '/readyz', (_req, res) =>
    state.started || (config.leaderElect && !state.leader)
      ? sendText(res, 200, state.started ? 'ok\n' : 'standby\n')
      : sendJson(res, 503, state),
  );
  probes.route('GET', '/metrics', async (_req, res) =>
    sendText(res, 200, await registry.metrics(), registry.contentType),
  );
  const api = new HttpServer({
    listen: config.listen,
    onError: (err) => log.error('API server error', { error: String(err) }),
  });
  const auth = new KubernetesAuth(kc);
  // The web UI (--ui): its files, sessions and overview, from a watch of its own (every replica serves the API).
  const ui = config.ui
    ? mountUi(api, {
        kubeConfig: kc,
        resources,
        auth,
        log,
        distDir: config.uiDir ?? fileURLToPath(new URL('../ui/dist', import.meta.url)),
        watch: (handlers) => watchKeelsonResources({ kubeConfig: kc, namespaces: config.namespaces, log, ...handlers }),
        listerFor: async (env) => (await clusters.executors.connectionFor(env)).transport,
        assessHealth: deps.assessHealth,
        sso: ssoOptionsOf(config),
        redact: (t) => redactor.redactText(t),
      })
    : undefined;
  mountApi(api, {
    resources,
    auth,
    log,
    diff: async (ns, name) => diffs.render(ns, name, (t) => redactor.redactText(t)),
    sessions: ui?.sessions,
    subResources: [
      ...(ui?.subResources ?? []),
      // Resource actions act with the Environment's identity, over its executor's transport.
      actionSubResource({
        resources,
        auth,
        log,
        actions: new ResourceActions({
          connection: (env) => clusters.executors.connectionFor(env),
          patchEnvironment: (ns, name, patch) => resources.patchEnvironment(ns, name, patch),
          record: (env, type, reason, message) => events.record(env, type, reason, message),
          log,
        }),
      }),
    ],
  });
  mountWebhook(api, { resources, kubeConfig: kc, log, namespaces: config.namespaces });
  return { probes, api, ui };
}
