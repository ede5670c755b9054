// Runs inside the synthesis worker, after the libraries are loaded and before any deploy
// repository code: takes away what could reach files, processes, the network or the IPC
// channel, and captures what the code prints. Node's permission model (--permission, read
// access to the scratch directory only) and --frozen-intrinsics are the outer layer.

export interface SandboxIo {
  /** Sends a message to the operator (the only way out; `process.send` itself is removed). */
  send(message: unknown): void;
  /** Starts capturing output for one request. */
  startCapture(maxBytes: number): void;
  /** What was printed since startCapture, and whether it went over the cap. */
  endCapture(): { logs: string; overflowed: boolean; printed: number };
  /** A fingerprint of what deploy-repo code could leave behind: timers, listeners, globals. */
  residue(): string;
}

const DENIED_PROCESS_METHODS = [
  'getBuiltinModule',
  'binding',
  '_linkedBinding',
  'dlopen',
  'reallyExit',
  'abort',
  'kill',
  'chdir',
  'umask',
  'setuid',
  'setgid',
  'seteuid',
  'setegid',
  'setgroups',
  'initgroups',
  'openStdin',
  'loadEnvFile',
  'execve',
  'setSourceMapsEnabled',
  'disconnect',
];
const DENIED_GLOBALS = ['fetch', 'WebSocket', 'EventSource'];

export function lockDown(bundleFile: string): SandboxIo {
  const proc = process as unknown as Record<string, unknown>;
  // process.send goes through process._send; keep the latter for ourselves, remove both.
  const rawSend = proc._send as (message: unknown, handle: undefined, options: object, callback: undefined) => boolean;
  const send = (message: unknown) => rawSend.call(process, message, undefined, { swallowErrors: false }, undefined);
  for (const name of DENIED_PROCESS_METHODS) {
    Object.defineProperty(proc, name, { value: denied(`process.${name}`), configurable: false, writable: false });
  }
  Object.defineProperty(proc, 'exit', {
    value: () => {
      throw new Error('process.exit() is not allowed in a deploy repository: throw an Error to fail the synthesis');
    },
    configurable: false,
    writable: false,
  });
  for (const name of ['send', '_send'])
    Object.defineProperty(proc, name, { value: undefined, configurable: false, writable: false });
  // The loader's module: its `require` reaches every built-in (net is not covered by Node 24's permission model).
  Object.defineProperty(proc, 'mainModule', {
    get: deniedToDeployRepo(bundleFile, 'process.mainModule'),
    configurable: false,
  });
  Object.defineProperty(proc, 'env', { value: emptyEnvironment(bundleFile), configurable: false, writable: false });
  for (const name of DENIED_GLOBALS) Reflect.deleteProperty(globalThis, name);

  let buffer: string[] = [];
  let printed = 0;
  let cap = 0;
  const write = (chunk: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    printed += text.length;
    if (printed <= cap) buffer.push(text);
    return true;
  };
  for (const stream of [process.stdout, process.stderr]) {
    Object.defineProperty(stream, 'write', { value: write, configurable: false, writable: false });
  }
  const globalsBefore = Object.getOwnPropertyNames(globalThis).join(',');

  return {
    send: (message) => {
      send(message);
    },
    startCapture(maxBytes) {
      buffer = [];
      printed = 0;
      cap = maxBytes;
    },
    endCapture() {
      const logs = buffer.join('');
      buffer = [];
      return { logs, overflowed: printed > cap, printed };
    },
    residue() {
      const resources = process
        .getActiveResourcesInfo()
        .filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap')
        .sort()
        .join(',');
      const listeners = process
        .eventNames()
        .map((e) => `${String(e)}:${process.listenerCount(e)}`)
        .join(',');
      const globals = Object.getOwnPropertyNames(globalThis).join(',') === globalsBefore ? '' : 'globals changed';
      return `${resources}|${listeners}|${globals}`;
    },
  };
}

/**
 * process.env is empty (the process starts with a clean environment). When deploy-repo code
 * itself reads a variable, that fails loudly instead of quietly yielding undefined; Node's and
 * the libraries' own reads (FORCE_COLOR, CDK8S_OUTDIR, …) just see an unset variable.
 */
function emptyEnvironment(bundleFile: string): Record<string, string> {
  return new Proxy(Object.freeze({}) as Record<string, string>, {
    get(_target, key) {
      if (typeof key === 'symbol' || !isCalledFrom(bundleFile)) return undefined;
      throw new Error(
        `process.env.${key}: environment variables are not available during synthesis; vary environments in code or images.json`,
      );
    },
    has: () => false,
  });
}

/** A getter that fails when deploy-repo code calls it and yields undefined to anyone else. */
function deniedToDeployRepo(bundleFile: string, name: string): () => undefined {
  return () => {
    if (isCalledFrom(bundleFile))
      throw new Error(
        `${name} is not available during synthesis: a deploy repository has no files, processes or network`,
      );
    return undefined;
  };
}

/** Whether the caller of the function that calls this is deploy-repo code. */
function isCalledFrom(bundleFile: string): boolean {
  return (new Error().stack?.split('\n')[3] ?? '').includes(bundleFile);
}

function denied(name: string): () => never {
  return () => {
    throw new Error(
      `${name} is not available during synthesis: a deploy repository has no files, processes or network`,
    );
  };
}
