// Which namespaces a user may `list` Environments (or GitRepositories) in: one
// SubjectAccessReview per user and namespace, kept for 30 seconds (ADR 17), so an overview
// request or a stream's events cost no review while the answer is fresh.
import { AuthError, type AccessRequest, type Caller } from '../http/kubernetes-auth.ts';

type Authorize = (caller: Caller, request: AccessRequest) => Promise<void>;

/** Whether RBAC allows the request: false on a 403, any other error thrown. */
export function isAllowed(authorize: Authorize, caller: Caller, request: AccessRequest): Promise<boolean> {
  return authorize(caller, request).then(
    () => true,
    (err: unknown) => {
      if (err instanceof AuthError && err.status === 403) return false;
      throw err;
    },
  );
}

export interface NamespaceAccessOptions {
  /** KubernetesAuth.authorize: resolves when allowed, AuthError(403) when not. */
  readonly authorize: Authorize;
  /** The plural whose `list` is asked. @default 'environments' */
  readonly resource?: string;
  /** @default 30000 */
  readonly ttlMs?: number;
  /** Answers kept at most; the oldest go first. @default 50000 */
  readonly maxEntries?: number;
  readonly clock?: () => number;
}

export class NamespaceAccess {
  readonly #options: NamespaceAccessOptions;
  /** `<user key>\n<namespace>` → the answer (or the review in flight) and when it expires. */
  readonly #answers = new Map<string, { allowed: Promise<boolean>; expires: number }>();

  constructor(options: NamespaceAccessOptions) {
    this.#options = options;
  }

  /** Whether `caller` may list Environments (or the `resource` of the options) in `namespace`. */
  may(caller: Caller, namespace: string): Promise<boolean> {
    const now = (this.#options.clock ?? Date.now)();
    const key = `${callerKey(caller)}\n${namespace}`;
    const cached = this.#answers.get(key);
    if (cached && cached.expires > now) return cached.allowed;
    const { resource } = this.#options;
    const allowed = this.#options.authorize(caller, { verb: 'list', namespace, resource }).then(
      () => true,
      (err: unknown) => {
        this.#answers.delete(key);
        if (err instanceof AuthError && err.status === 403) {
          this.#answers.set(key, { allowed: Promise.resolve(false), expires: now + this.#ttl() });
          return false;
        }
        throw err;
      },
    );
    this.#answers.delete(key);
    this.#answers.set(key, { allowed, expires: now + this.#ttl() });
    const max = this.#options.maxEntries ?? 50_000;
    while (this.#answers.size > max) this.#answers.delete(this.#answers.keys().next().value!);
    return allowed;
  }

  /** The namespaces of `namespaces` the caller may list in (reviews run in parallel). */
  async allowed(caller: Caller, namespaces: Iterable<string>): Promise<Set<string>> {
    const list = [...new Set(namespaces)];
    const answers = await Promise.all(list.map((ns) => this.may(caller, ns)));
    return new Set(list.filter((_, i) => answers[i]));
  }

  #ttl(): number {
    return this.#options.ttlMs ?? 30_000;
  }
}

/** Who the caller is for RBAC: the user, its groups and uid (extra rarely matters, but counts). */
function callerKey(caller: Caller): string {
  return JSON.stringify([caller.username, caller.uid ?? '', [...caller.groups].sort(), caller.extra ?? {}]);
}
