// Authentication and authorization of API callers by the cluster itself: a bearer token is
// checked with a TokenReview, and each request with a SubjectAccessReview, so access to
// Keelson's API is plain Kubernetes RBAC (e.g. a Role with verb `sync` on `environments`).
import { createHash } from 'node:crypto';
import type { KubeConnection } from '../kubernetes/kubeconfig.ts';
import { LazyRestTransport } from '../kubernetes/rest-transport.ts';
import { environmentDefinition, GROUP } from '../../api/v1alpha1/index.ts';

export interface Caller {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Record<string, string[]>;
}

export interface AccessRequest {
  readonly verb: string;
  readonly namespace?: string;
  readonly name?: string;
  /** @default 'environments' */
  readonly resource?: string;
  /** The API group of `resource` ('' for the core group: `pods`). @default 'keelson.dev' */
  readonly group?: string;
  /** A subresource of `resource` (`log` of `pods`). */
  readonly subresource?: string;
}

export class AuthError extends Error {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
  }
}

export interface KubernetesAuthOptions {
  /** How long a token's review is reused. @default 60000 */
  readonly cacheMs?: number;
  readonly clock?: () => number;
}

export class KubernetesAuth {
  readonly #rest: LazyRestTransport;
  readonly #cache = new Map<string, { caller: Caller; expires: number }>();
  readonly #options: KubernetesAuthOptions;

  constructor(kubeConfig: KubeConnection, options: KubernetesAuthOptions = {}) {
    this.#rest = new LazyRestTransport(kubeConfig);
    this.#options = options;
  }

  /** The caller of a request with `Authorization: Bearer <token>`; AuthError(401) otherwise. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthError(401, 'a Kubernetes bearer token is required (Authorization: Bearer <token>)');
    const now = (this.#options.clock ?? Date.now)();
    const id = createHash('sha256').update(token).digest('hex');
    const cached = this.#cache.get(id);
    if (cached && cached.expires > now) return cached.caller;
    const review = await this.#rest.request<TokenReview>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    if (!review.status?.authenticated || !review.status.user?.username) {
      throw new AuthError(401, 'the token was not accepted by the cluster');
    }
    const u = review.status.user;
    const caller: Caller = {
      username: u.username!,
      uid: u.uid,
      groups: u.groups ?? [],
      extra: u.extra,
    };
    this.#cache.set(id, { caller, expires: now + (this.#options.cacheMs ?? 60_000) });
    if (this.#cache.size > 10_000) this.#cache.delete(this.#cache.keys().next().value!);
    return caller;
  }

  /** AuthError(403) unless RBAC allows the caller `verb` on environments (by default). */
  async authorize(caller: Caller, request: AccessRequest): Promise<void> {
    const review = await this.#rest.request<{ status?: { allowed?: boolean } }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: caller.username,
          groups: [...caller.groups],
          uid: caller.uid,
          extra: caller.extra,
          resourceAttributes: {
            group: request.group ?? GROUP,
            resource: request.resource ?? environmentDefinition.plural,
            subresource: request.subresource,
            verb: request.verb,
            namespace: request.namespace,
            name: request.name,
          },
        },
      },
    });
    if (!review.status?.allowed) {
      const where = request.namespace ? ` in namespace ${request.namespace}` : ' in any namespace';
      const resource = request.resource ?? environmentDefinition.plural;
      const what = request.subresource ? `${resource}/${request.subresource}` : resource;
      throw new AuthError(
        403,
        `${caller.username} may not ${request.verb} ${what}${request.name ? ` ${request.name}` : ''}${where}`,
      );
    }
  }
}

interface TokenReview {
  readonly status?: {
    readonly authenticated?: boolean;
    readonly user?: {
      readonly username?: string;
      readonly uid?: string;
      readonly groups?: string[];
      readonly extra?: Record<string, string[]>;
    };
  };
}
