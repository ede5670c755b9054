// POST /api/webhook: a Git host says a repository changed. Every GitRepository with that
// URL whose webhook token the delivery proves gets keelson.dev/refresh-requested-at, so it
// fetches now instead of at its next poll. The answer never says which repositories exist.
import type { KubeConnection } from '../kubernetes/kubeconfig.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANNOTATION_REFRESH_REQUESTED_AT } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import { isAuthentic, normalizeRepoUrl, parseDelivery, WebhookError } from '../../core/webhook.ts';
import type { KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { secretsOf, secretValue } from '../kubernetes/secret-reader.ts';
import { readBody, sendJson, type HttpServer } from './http-server.ts';

export interface WebhookOptions {
  readonly resources: KeelsonResources;
  readonly kubeConfig: KubeConnection;
  readonly log: Logger;
  /** Namespaces watched; empty means all. */
  readonly namespaces?: readonly string[];
  readonly onRefresh?: (namespace: string, name: string) => void;
  readonly clock?: () => Date;
}

export function mountWebhook(server: HttpServer, options: WebhookOptions): void {
  const secrets = secretsOf(options.kubeConfig);
  server.route('POST', '/api/webhook', async (req: IncomingMessage, res: ServerResponse) => {
    let body: Buffer;
    try {
      body = await readBody(req, 4 * 1024 * 1024);
    } catch (err) {
      return sendJson(res, 413, { error: (err as Error).message });
    }
    let delivery;
    try {
      delivery = parseDelivery(req.headers, body);
    } catch (err) {
      if (err instanceof WebhookError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
    const namespaces = options.namespaces?.length ? options.namespaces : [undefined];
    const repos = (await Promise.all(namespaces.map((ns) => options.resources.listGitRepositories(ns))))
      .flat()
      .filter((r) => delivery.urls.includes(normalizeRepoUrl(r.spec.url)) && r.spec.webhookSecretRef);
    const token = (options.clock?.() ?? new Date()).toISOString();
    let refreshed = 0;
    for (const repo of repos) {
      const secret = await secrets
        .read(repo.metadata.namespace, repo.spec.webhookSecretRef!.name)
        .catch(() => undefined);
      const value = secret ? secretValue(secret, 'token') : undefined;
      if (!value || !isAuthentic(delivery, req.headers, body, value)) continue;
      await options.resources.patchGitRepository(repo.metadata.namespace, repo.metadata.name, {
        metadata: { annotations: { [ANNOTATION_REFRESH_REQUESTED_AT]: token } },
      });
      options.onRefresh?.(repo.metadata.namespace, repo.metadata.name);
      refreshed++;
    }
    options.log.info('webhook delivery', {
      provider: delivery.provider,
      event: delivery.event,
      urls: delivery.urls,
      refreshed,
    });
    if (refreshed === 0)
      return sendJson(res, 401, {
        error: 'no repository accepted this delivery (unknown URL, no webhookSecretRef, or a wrong token or signature)',
      });
    sendJson(res, 202, { refreshed });
  });
}
