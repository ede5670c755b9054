// Talking to the operator: the session (cookie set by the server; the page keeps only the
// CSRF value, in memory), JSON requests whose errors surface as ApiError with the server's
// {"error"} text, and a 401 anywhere sending the page back to the login form.
import type { Session } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

let csrf: string | undefined;
let onUnauthorized: () => void = () => {};

/** Called with no session (a 401): the app shows the login form. */
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

/** The session is gone (a stream was refused): forget the CSRF value and show the login form. */
export function sessionLost(): void {
  csrf = undefined;
  onUnauthorized();
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error) message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, message);
}

interface Options {
  readonly body?: unknown;
  /** Give the response text instead of parsing JSON (the diff). */
  readonly text?: boolean;
  /** Do not treat a 401 as "log in again" (the session calls themselves). */
  readonly quiet401?: boolean;
}

export async function request<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: options.text ? 'text/plain, text/x-diff' : 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-Keelson-CSRF'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (err) {
    throw new ApiError(0, `cannot reach the operator: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401 && !options.quiet401) sessionLost();
    throw error;
  }
  if (res.status === 204 || res.status === 202) {
    const body = await res.text();
    return (body ? JSON.parse(body) : undefined) as T;
  }
  return (options.text ? await res.text() : await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} });

/** The live session, or undefined when there is none (401). */
export async function currentSession(): Promise<Session | undefined> {
  try {
    const session = await request<Session>('GET', '/ui/api/session', { quiet401: true });
    csrf = session.csrf;
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

export async function login(token: string): Promise<Session> {
  const session = await request<Session>('POST', '/ui/api/session', { body: { token }, quiet401: true });
  csrf = session.csrf;
  return session;
}

export async function logout(): Promise<void> {
  try {
    await request<void>('DELETE', '/ui/api/session', { quiet401: true });
  } finally {
    csrf = undefined;
  }
}

export function envPath(namespace: string, name: string, sub?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/environments/${encodeURIComponent(name)}`;
  return sub ? `${base}/${sub}` : base;
}

export function repoPath(namespace: string, name: string, sub?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/gitrepositories/${encodeURIComponent(name)}`;
  return sub ? `${base}/${sub}` : base;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
