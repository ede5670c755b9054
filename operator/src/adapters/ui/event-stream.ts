// Server-sent events (text/event-stream) for the UI's live pages: named events with JSON
// data, a `: ping` comment every 15 s so proxies keep the connection, and one registry of
// the open streams so the operator's stop can end them (an open response would hold the
// HTTP server's close forever).
import type { ServerResponse } from 'node:http';

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Runs `fn` once when the stream ends (the page went away, or the server stops). */
  onClose(fn: () => void): void;
  close(): void;
  readonly closed: boolean;
}

export class EventStreams {
  readonly #open = new Set<EventStream>();
  readonly #pingMs: number;

  constructor(options: { readonly pingMs?: number } = {}) {
    this.#pingMs = options.pingMs ?? 15_000;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Answers the request with an event stream (a closed connection ends it). */
  open(res: ServerResponse): EventStream {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const cleanups: (() => void)[] = [];
    const ping = setInterval(() => res.write(': ping\n\n'), this.#pingMs);
    const stream: EventStream = {
      closed: false,
      send: (event, data) => {
        if (!stream.closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      onClose: (fn) => void cleanups.push(fn),
      close: () => {
        if (stream.closed) return;
        (stream as { closed: boolean }).closed = true;
        clearInterval(ping);
        this.#open.delete(stream);
        for (const fn of cleanups.splice(0)) fn();
        res.end();
      },
    };
    this.#open.add(stream);
    res.once('close', () => stream.close());
    return stream;
  }

  closeAll(): void {
    for (const stream of this.#open) stream.close();
  }
}
