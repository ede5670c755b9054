// Helpers of the UI tests: a ServiceAccount with a Role and its token, and a reader of a
// server-sent event stream.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** A ServiceAccount of `namespace` bound to a Role with `rules` there; its token. */
export async function serviceAccountWith(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  rules: k8s.V1PolicyRule[],
): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { expirationSeconds: 3600 } },
  });
  return tr.status?.token ?? assert.fail(`no token for ${name}`);
}

export interface SseReader {
  /** The data of the next event named `event` (earlier events of other names are skipped). */
  next(event: string, timeoutMs?: number): Promise<unknown>;
  /** The data of the first event named `event` for which `test` holds. */
  until(event: string, test: (data: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** Opens an event stream with a session cookie; fails unless it answers 200 text/event-stream. */
export async function openStream(url: string, cookie: string): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
  assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve('') : res.text()));
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: { event: string; data: unknown }[] = [];
  const read = async (deadline: number): Promise<{ event: string; data: unknown }> => {
    for (;;) {
      const ready = queue.shift();
      if (ready) return ready;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event from ${url} in time`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk === 'late') continue;
      if (chunk.done) throw new Error(`the stream ${url} ended`);
      buffer += chunk.value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) queue.push({ event, data: JSON.parse(data) as unknown });
      }
    }
  };
  const until = async (event: string, test: (data: unknown) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await read(deadline);
      if (e.event === event && test(e.data)) return e.data;
    }
  };
  return {
    next: (event, timeoutMs) => until(event, () => true, timeoutMs),
    until,
    close: () => abort.abort(),
  };
}
