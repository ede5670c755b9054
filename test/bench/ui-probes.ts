// What the UI benchmark (ui.bench.ts) measures with: a raw HTTP GET (time to last byte and
// the bytes on the wire), a server-sent events client, the operator's heap after a full
// garbage collection (over the inspector), the first render of the overview in Chromium, and
// the gzipped size of the built front end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CHROMIUM_ARGS, CHROMIUM } from '../harness/browser.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import puppeteer from 'puppeteer-core';

export interface RawResponse {
  readonly status: number;
  /** From the request to the last byte, in ms. */
  readonly ms: number;
  /** The body as sent (compressed when the server compressed it). */
  readonly wireBytes: number;
  readonly encoding?: string;
  /** The body, decoded. */
  readonly body: Buffer;
}

/** GET `url` asking for gzip; the body is read whole. */
export function rawGet(url: string, headers: Record<string, string>): Promise<RawResponse> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'gzip', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - t0;
        const wire = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        resolve({
          status: res.statusCode ?? 0,
          ms,
          wireBytes: wire.length,
          encoding,
          body: encoding === 'gzip' ? gunzipSync(wire) : wire,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export const gzipSize = (body: Buffer | string): number => gzipSync(body).length;

export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
  /** performance.now() when its last byte arrived. */
  readonly at: number;
}

/** A text/event-stream client: every event, with when it arrived. */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  readonly #waiters = new Set<() => void>();
  #close: () => void = () => undefined;

  static open(url: string, headers: Record<string, string>): Promise<EventStreamClient> {
    const client = new EventStreamClient();
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`the stream answered ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event !== undefined && data !== undefined)
              client.events.push({ event, data: JSON.parse(data), at: performance.now() });
          }
          for (const wake of client.#waiters) wake();
        });
        resolve(client);
      });
      req.on('error', reject);
      client.#close = () => req.destroy();
      req.end();
    });
  }

  /** The first event from index `from` on that `match` accepts. */
  async next(from: number, match: (e: StreamEvent) => boolean, timeoutMs = 10_000): Promise<StreamEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (performance.now() > deadline) throw new Error('no matching event in time');
      await new Promise<void>((resolve) => {
        const wake = () => (this.#waiters.delete(wake), clearTimeout(timer), resolve());
        const timer = setTimeout(wake, 100);
        this.#waiters.add(wake);
      });
    }
  }

  close(): void {
    this.#close();
  }
}

/**
 * The operator's V8 heap in use after a full garbage collection, in bytes, over the inspector
 * it was started with (--inspect=127.0.0.1:0: the URL is in its log).
 */
export async function heapAfterGc(logs: string): Promise<number> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(logs)?.[1];
  if (!url) throw new Error('the operator logged no inspector URL (start it with --inspect)');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const mine = ++id;
      const onMessage = (msg: MessageEvent) => {
        const reply = JSON.parse(String(msg.data)) as { id?: number; result?: Record<string, number> };
        if (reply.id !== mine) return;
        ws.removeEventListener('message', onMessage);
        resolve(reply.result ?? {});
      };
      ws.addEventListener('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const usage = await call('Runtime.getHeapUsage');
  ws.close();
  return usage.usedSize!;
}

/** The resident memory of a process, in bytes. */
export function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

// Runs in the page from its first script on: the time (since navigation start) of the first
// animation frame that has a row of the overview's table, i.e. the frame that paints it.
const FIRST_ROW = `(function poll() {
  if (document.querySelector('tbody tr')) window.__keelsonFirstRow = performance.now();
  else requestAnimationFrame(poll);
})();`;

/**
 * Logs in through the form with `token`, then loads /ui/ `runs` times with the browser cache
 * off: ms from navigation start to the first frame with a table row, sorted.
 */
export async function firstRenders(base: string, token: string, runs: number): Promise<number[]> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.evaluateOnNewDocument(FIRST_ROW);
    await page.goto(`${base}/ui/`);
    await page.waitForSelector('#token');
    await page.type('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('tbody tr', { timeout: 60_000 });
    await page.setCacheEnabled(false);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`${base}/ui/`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction('window.__keelsonFirstRow !== undefined', { timeout: 60_000 });
      samples.push((await page.evaluate('window.__keelsonFirstRow')) as number);
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await browser.close();
  }
}

/** Builds the front end into a temporary folder (operator/ui/build.ts); its bytes, raw and gzipped. */
export function frontEndSize(): { raw: number; gzipped: number; files: number } {
  const out = mkdtempSync(join(tmpdir(), 'keelson-ui-dist-'));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'operator', 'ui', 'build.ts'), '--out', out], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`the UI build failed:\n${built.stderr}`);
  let raw = 0;
  let gzipped = 0;
  let files = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.gz')) {
        const body = readFileSync(path);
        raw += body.length;
        gzipped += gzipSize(body);
        files++;
      }
    }
  };
  walk(out);
  return { raw, gzipped, files };
}
