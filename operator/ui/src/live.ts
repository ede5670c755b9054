// A server-sent event stream that reconnects: EventSource retries by itself after a dropped
// connection, but gives up on an HTTP error (a lost session answers 401). Then the page
// asks the session endpoint: no session means login; else it opens the stream again.
import { currentSession } from './api.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveOptions {
  readonly url: string;
  readonly events: Readonly<Record<string, (data: unknown) => void>>;
  readonly onState: (state: LiveState) => void;
  readonly onLoggedOut: () => void;
}

const RETRY_MS = 3000;
const MAX_RETRY_MS = 30_000;

/** Opens the stream; the returned function closes it. */
export function follow(options: LiveOptions): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let retryMs = RETRY_MS;

  const open = () => {
    if (closed) return;
    options.onState(source ? 'reconnecting' : 'connecting');
    const es = new EventSource(options.url);
    source = es;
    es.onopen = () => {
      retryMs = RETRY_MS;
      options.onState('live');
    };
    for (const [name, handler] of Object.entries(options.events)) {
      es.addEventListener(name, (event) => {
        try {
          handler(JSON.parse((event as MessageEvent<string>).data));
        } catch (err) {
          console.warn(`bad ${name} event on ${options.url}`, err);
        }
      });
    }
    es.onerror = () => {
      if (closed) return;
      options.onState('reconnecting');
      if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      // Refused (an error status): wait longer each time, up to 30 s.
      const wait = retryMs;
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      timer = setTimeout(() => {
        currentSession()
          .then((session) => (session ? open() : options.onLoggedOut()))
          .catch(() => {
            timer = setTimeout(open, wait);
          });
      }, wait);
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
