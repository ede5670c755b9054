// What an answer of the API server means when it is not a success. Every non-2xx answer
// becomes a KubeApiError with the status code and the server's own message, whatever its
// content type: a Kubernetes Status (JSON), the mux's text/plain "404 page not found" for a
// path nobody serves (a group/version whose CRD was deleted), an HTML page from a proxy in
// front of it, or nothing at all. After client-go's NewGenericServerResponse.

export interface KubeApiErrorOptions {
  /** @default true */
  readonly fromStatus?: boolean;
  /** @default [] */
  readonly causes?: readonly string[];
  /** The Status's `details` kind and name: what the error is about. */
  readonly subject?: { readonly kind: string; readonly name: string };
  /** The Status's `details.causes[].field` of each cause about an immutable field. */
  readonly immutableFields?: readonly string[];
}

/**
 * What apimachinery's validation says of a change to an immutable field (its
 * FieldImmutableErrorMsg): the only mark of it, since the cause's reason is the generic
 * FieldValueInvalid.
 */
const FIELD_IMMUTABLE = 'field is immutable';

/**
 * What server-side apply answers (with a 500) for an object with a field its schema does
 * not declare, whatever fieldValidation says: apimachinery's fieldmanager message, the only
 * mark of it. Trying again never helps.
 */
const TYPED_PATCH_FAILED = 'failed to create typed patch object';

/** An error status from the API server, with its reason (NotFound, AlreadyExists, Invalid, ...). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  /**
   * Whether the body was a Kubernetes Status. A 404 without one comes from the API server's
   * mux, not from a resource handler: the path itself is not served.
   */
  readonly fromStatus: boolean;
  /** The Status's `details.causes[].reason` (FieldManagerConflict, FieldValueInvalid, ...). */
  readonly causes: readonly string[];
  /** The Status's `details.kind` (a resource, e.g. `namespaces`) and `details.name`, when it has them. */
  readonly subject: { readonly kind: string; readonly name: string } | undefined;
  /** Fields the request tried to change that cannot change (a Job's spec.template, a Service's spec.clusterIP). */
  readonly immutableFields: readonly string[];
  /** Server-side apply refused a field the object's schema does not declare (a 500 that is not transient). */
  readonly undeclaredField: boolean;
  constructor(status: number, reason: string, message: string, options: KubeApiErrorOptions = {}) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.fromStatus = options.fromStatus ?? true;
    this.causes = options.causes ?? [];
    this.subject = options.subject;
    this.immutableFields = options.immutableFields ?? [];
    this.undeclaredField = status === 500 && message.includes(TYPED_PATCH_FAILED);
  }
}

/** A 404 for a path the API server does not serve at all (no resource handler answered). */
export function isUnservedPath(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404 && !err.fromStatus;
}

/** The Status reason Kubernetes gives each code, for answers that carry no Status. */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MESSAGE_LIMIT = 512;

export interface ApiAnswer {
  readonly status: number;
  /** The Content-Type header, '' when absent. */
  readonly contentType: string;
  readonly text: string;
}

/** The error a non-2xx answer to `method path` stands for. */
export function apiErrorOf(answer: ApiAnswer, method: string, path: string): KubeApiError {
  const fallbackReason = REASONS[answer.status] ?? (answer.status >= 500 ? 'InternalError' : `HTTP${answer.status}`);
  const where = `${method} ${path}: HTTP ${answer.status}`;
  const status = isJson(answer.contentType) || looksLikeJson(answer.text) ? parseStatus(answer.text) : undefined;
  if (status) {
    const reason = status.reason || fallbackReason;
    const { causes, subject, immutableFields } = status;
    const message = status.message || `${where} (${reason})`;
    return new KubeApiError(answer.status, reason, message, { causes, subject, immutableFields });
  }
  const said = serverText(answer);
  const message = said ? `${where}: ${said}` : `${where} (${fallbackReason})`;
  return new KubeApiError(answer.status, fallbackReason, message, { fromStatus: false });
}

/** The body of a 2xx answer, parsed; an answer that is not JSON is an error naming the request. */
export function parseSuccess<T>(answer: ApiAnswer, method: string, path: string): T {
  if (!answer.text) return undefined as T;
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    const type = answer.contentType || 'no content type';
    throw new Error(
      `${method} ${path}: HTTP ${answer.status} with a body that is not JSON (${type}): ${clip(answer.text.trim())}`,
    );
  }
}

function isJson(contentType: string): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim());
}

function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

interface ParsedStatus {
  reason: string;
  message: string;
  causes: string[];
  subject?: { kind: string; name: string };
  immutableFields: string[];
}

function parseStatus(text: string): ParsedStatus | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const s = body as {
    kind?: unknown;
    reason?: unknown;
    message?: unknown;
    details?: { causes?: { reason?: unknown; field?: unknown; message?: unknown }[]; kind?: unknown; name?: unknown };
  };
  if (s.kind !== 'Status' && s.message === undefined && s.reason === undefined) return undefined;
  const asText = (value: unknown) => (typeof value === 'string' ? value : '');
  const listed = s.details?.causes;
  const causes = Array.isArray(listed) ? listed.map((c) => asText(c?.reason)).filter(Boolean) : [];
  const kind = asText(s.details?.kind);
  const name = asText(s.details?.name);
  const subject = kind && name ? { kind, name } : undefined;
  const immutableFields = Array.isArray(listed)
    ? listed.filter((c) => asText(c?.message).endsWith(FIELD_IMMUTABLE)).map((c) => asText(c?.field) || '(unnamed)')
    : [];
  return { reason: asText(s.reason), message: asText(s.message), causes, subject, immutableFields };
}

/** What the server said, as one short line: HTML without its tags, text as it is. */
function serverText(answer: ApiAnswer): string {
  let text = answer.text;
  if (/html/i.test(answer.contentType) || /^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    text = title ?? text.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  }
  return clip(text.replace(/\s+/g, ' ').trim());
}

function clip(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT)}…`;
}

/** Worth trying again: throttling, a server error, a timeout, a dropped connection. */
export function isTransient(err: unknown): boolean {
  const cause = err instanceof Error && !(err instanceof KubeApiError) && err.cause !== undefined ? err.cause : err;
  // A Conflict is another writer's newer resourceVersion (try again), unless it is server-side
  // apply's conflict with another field manager, which trying again does not change.
  if (cause instanceof KubeApiError) {
    return (
      cause.status === 429 ||
      (cause.status >= 500 && !cause.undeclaredField) ||
      (cause.reason === 'Conflict' && !cause.causes.includes('FieldManagerConflict'))
    );
  }
  if (!(cause instanceof Error)) return false;
  const code = (cause as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT';
}
