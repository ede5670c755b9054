// The synthesis worker: the entry point of the runtime bundle (this file, the kit, cdk8s,
// cdk8s-plus-27 and constructs in one file) that each sandboxed worker process runs. It
// loads the libraries once, locks itself down, says `ready`, then serves one request at a
// time: evaluate the deploy repository's bundle, build the environment, reply.
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as constructs from 'constructs';
import * as kit from '@keelson/cdk8s-app';
import { posix } from 'node:path';
import { compileFunction } from 'node:vm';
import { lockDown } from './worker-sandbox.ts';
import { beginHostRequest, hostHasEverything, hostNeeds } from './worker-host.ts';
import { takeCodeCacheHandle } from './code-cache.ts';
import { warmUp } from './worker-warm-up.ts';
import { loadVendor, type Libraries } from './worker-vendor.ts';
import { beginPlainCapture, capturedApps, capturePlainApps, chartsOf } from './worker-plain-app.ts';
import {
  BUNDLE_FILE,
  type BundlePosition,
  type EnvironmentListing,
  type WorkerApp,
  type WorkerMessage,
  type WorkerRequest,
} from './protocol.ts';
import type { SynthesisFailureReason } from '../../core/synthesis-check.ts';

const provided: Readonly<Record<string, unknown>> = {
  cdk8s,
  'cdk8s-plus-27': kplus,
  constructs,
  '@keelson/cdk8s-app': kit,
  path: posix,
};
const SITE = Symbol('keelson.creation-site');
type Reply = Exclude<WorkerMessage, { type: 'ready' } | { type: 'code-cache' }>;
/** Error types whose name helps the message; the kit's own errors say everything in theirs. */
const JS_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError', 'EvalError', 'URIError']);

// Remember where each construct was created: the stack is captured now and formatted only
// for the API objects whose location a message needs (the process runs with
// --stack-trace-limit=40, deep enough to reach the deploy repository's frame).
function recordCreationSites(module: typeof constructs): void {
  const nodePrototype = module.Node.prototype as unknown as {
    addChild(child: constructs.IConstruct, childName: string): void;
  };
  const addChild = nodePrototype.addChild;
  nodePrototype.addChild = function (this: constructs.Node, child: constructs.IConstruct, childName: string) {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder);
    Object.defineProperty(child, SITE, { value: holder });
    addChild.call(this, child, childName);
  };
}
recordCreationSites(constructs);
capturePlainApps(cdk8s, constructs);

/** Keelson's own libraries, for a deploy repository without a package.json. */
const own: Libraries = {
  kit,
  cdk8s,
  module(name) {
    if (Object.hasOwn(provided, name)) return provided[name];
    throw new Error(`"${name}" is not available in a deploy repository`);
  },
};
/** The vendor bundle loaded last: this worker serves one repository, whose install rarely changes. */
let vendor: { readonly id: string; readonly libraries: Libraries } | undefined;

const codeCache = takeCodeCacheHandle();
const io = lockDown(BUNDLE_FILE);
const exportsOf = Object.fromEntries(Object.entries(provided).map(([name, mod]) => [name, Object.keys(mod as object)]));
io.send({ type: 'ready', exports: exportsOf, codeCache: codeCache?.state ?? 'none' } satisfies WorkerMessage);

// Errors deploy-repo code raises asynchronously fail the request in flight.
let asyncFailure: unknown;
const recordAsyncFailure = (err: unknown) => {
  asyncFailure ??= err;
};
process.on('uncaughtException', recordAsyncFailure);
process.on('unhandledRejection', recordAsyncFailure);
process.on('message', (request: WorkerRequest) => {
  if (request.op === 'code-cache') {
    warmUp();
    const data = codeCache ? Buffer.from(codeCache.create()).toString('base64') : '';
    io.send({ type: 'code-cache', id: request.id, data, logs: '' } satisfies WorkerMessage);
    return;
  }
  void serve(request);
});
let baseline = io.residue();

async function serve(request: WorkerRequest): Promise<void> {
  io.startCapture(request.limits.maxLogBytes);
  asyncFailure = undefined;
  beginHostRequest(request.host ?? { cwd: '', paths: {}, renders: {} });
  let reply: Reply;
  try {
    const libraries = librariesFor(request);
    if (!libraries) {
      // The operator sends the vendor bundle's code once per worker, when asked.
      io.endCapture();
      io.send({
        type: 'result',
        id: request.id,
        logs: '',
        needs: { paths: [], renders: [], vendor: true },
      } satisfies Reply);
      return;
    }
    const body = await run(request, libraries);
    // Let promise callbacks the deploy repository queued run now, inside this request's time.
    await new Promise((resolve) => setImmediate(resolve));
    if (asyncFailure !== undefined) throw Object.assign(toError(asyncFailure), { keelsonReason: 'EvaluationFailed' });
    reply = { type: 'result', id: request.id, logs: '', ...body };
  } catch (err) {
    reply = failure(request.id, err);
  }
  const { logs, overflowed, printed } = io.endCapture();
  if (overflowed) {
    reply = {
      type: 'failure',
      id: request.id,
      logs,
      reason: 'OutputTooLarge',
      message: `the deploy repository printed ${printed} characters, over the limit of ${request.limits.maxLogBytes}`,
    };
  } else {
    reply = { ...reply, logs };
  }
  const size = JSON.stringify(reply).length;
  if (size > request.limits.maxResultBytes) {
    reply = {
      type: 'failure',
      id: request.id,
      logs: '',
      reason: 'OutputTooLarge',
      message: `the synthesized result is ${size} bytes of JSON, over the limit of ${request.limits.maxResultBytes}`,
    };
  }
  if (!hostHasEverything()) reply = { ...reply, needs: hostNeeds() };
  const residue = io.residue();
  if (residue !== baseline) reply = { ...reply, retire: `deploy-repo code left something behind (${residue})` };
  baseline = residue;
  io.send(reply);
}

/** Keelson's libraries, or the repository's vendor bundle (loaded now if sent); undefined: send it. */
function librariesFor(request: WorkerRequest): Libraries | undefined {
  if (!request.vendor) return own;
  if (vendor?.id === request.vendor.id) return vendor.libraries;
  if (request.vendor.code === undefined) return undefined;
  let libraries: Libraries;
  try {
    libraries = loadVendor(request.vendor.code, (constructsModule, cdk8sModule) => {
      recordCreationSites(constructsModule);
      capturePlainApps(cdk8sModule, constructsModule);
    });
  } catch (err) {
    const error = toError(err) as Error & { keelsonReason?: SynthesisFailureReason };
    throw Object.assign(error, { keelsonReason: error.keelsonReason ?? 'EvaluationFailed' });
  }
  vendor = { id: request.vendor.id, libraries };
  // What the packages left behind at load is theirs, once: later requests must leave nothing.
  baseline = io.residue();
  return libraries;
}

async function run(
  request: WorkerRequest,
  libraries: Libraries,
): Promise<{ apps?: WorkerApp[]; environments?: EnvironmentListing[] }> {
  const { kit, cdk8s } = libraries;
  beginPlainCapture(request.environment ?? '');
  const moduleExports = await evaluate(request.code, libraries);
  const plain = capturedApps();
  if (plain.length > 0 && !exportsEnvironments(moduleExports)) return plainApps(request, plain, cdk8s);
  if (!kit) {
    throw Object.assign(
      new Error(
        `${request.entry} calls no app.synth() and the deploy repository does not depend on ` +
          '@keelson/cdk8s-app: build a cdk8s App and call app.synth(), or define environments with the kit',
      ),
      { keelsonReason: 'NoEnvironments' },
    );
  }
  const definition = kit.definitionOf(moduleExports, request.entry);
  const images = request.images === undefined ? {} : kit.parseImagesFile(request.images);
  if (request.op === 'list') return { environments: kit.listEnvironments(definition, images) };
  const env = kit.buildEnvironment(definition, { environment: request.environment ?? '', images });
  try {
    return {
      apps: env.apps.map((app) =>
        render(app.node.id, app.node.findAll().filter((c) => cdk8s.Chart.isChart(c)) as cdk8s.Chart[], app, cdk8s),
      ),
    };
  } catch (err) {
    // cdk8s fails while rendering with the construct's path in the message: point at where it was created.
    const error = toError(err);
    const path = /path '([^']+)'|\[([^\]]+)\]/.exec(error.message);
    const construct = path ? env.node.findAll().find((c) => c.node.path === (path[1] ?? path[2])) : undefined;
    const known = (error as { keelsonSite?: BundlePosition | null }).keelsonSite;
    throw Object.assign(error, { keelsonSite: known ?? (construct ? siteOf(construct) : null) });
  }
}

/** Runs the bundle (an ES module's top level, in an async function on its first line, so lines keep their numbers). */
async function evaluate(code: string, libraries: Libraries): Promise<unknown> {
  const body = `return (async () => { 'use strict'; ${code}\n})();`;
  const fn = compileFunction(body, ['__keelsonRequire', '__keelsonExport'], { filename: BUNDLE_FILE });
  let moduleExports: unknown;
  const requireProvided = (name: string): unknown => libraries.module(name);
  try {
    await (fn(requireProvided, (exported: unknown) => {
      moduleExports = exported;
    }) as Promise<void>);
  } catch (err) {
    const error = toError(err) as Error & { keelsonReason?: SynthesisFailureReason };
    throw Object.assign(error, { keelsonReason: error.keelsonReason ?? 'EvaluationFailed' });
  }
  return moduleExports;
}

/** A plain cdk8s app: each chart of each app synth() was called on, in `cdk8s synth`'s order, as one app. */
function plainApps(request: WorkerRequest, apps: readonly cdk8s.App[], lib: Libraries['cdk8s']) {
  const charts = apps.flatMap((app) => chartsOf(app));
  const names = charts.map((c) => c.node.path.replaceAll('/', '-') || c.node.id);
  if (request.op === 'list') return { environments: [{ name: request.environment || '*', apps: names }] };
  return { apps: charts.map((chart, i) => render(names[i]!, [chart], chart, lib)) };
}

/** Whether the module exports what the kit reads (a default export or `environments`). */
function exportsEnvironments(moduleExports: unknown): boolean {
  const exported = (moduleExports ?? {}) as Record<string, unknown>;
  return exported.default !== undefined || exported.environments !== undefined;
}

/** Renders the objects of `charts` as one app and finds where each object under `scope` was created. */
function render(
  name: string,
  charts: readonly cdk8s.Chart[],
  scope: constructs.IConstruct,
  lib: Libraries['cdk8s'],
): WorkerApp {
  const objects: unknown[] = charts.flatMap((chart) => chart.toJson());
  const sitesByKey = new Map<string, (BundlePosition | null)[]>();
  for (const obj of scope.node.findAll()) {
    if (!(obj instanceof lib.ApiObject)) continue;
    const key = `${obj.apiVersion}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.name}`;
    const list = sitesByKey.get(key) ?? [];
    list.push(siteOf(obj));
    sitesByKey.set(key, list);
  }
  const sites = objects.map((o) => {
    const x = o as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
    return (
      sitesByKey.get(`${x.apiVersion}|${x.kind}|${x.metadata?.namespace ?? ''}|${x.metadata?.name}`)?.shift() ?? null
    );
  });
  for (const [i, o] of objects.entries()) {
    const found = unwritable(o, '');
    if (!found) continue;
    const x = o as { kind?: string; metadata?: { name?: string } };
    const name = String(x.metadata?.name).slice(0, 60);
    throw Object.assign(
      new Error(
        `${x.kind} ${name}: ${found.path} is ${found.what}, which YAML cannot hold ` +
          '(it would be dropped without a word)',
      ),
      { keelsonReason: 'InvalidOutput', keelsonSite: sites[i] },
    );
  }
  return { name, objects, sites };
}

/** The first value JSON (and so YAML) would drop or refuse: a function, a symbol, a bigint. */
function unwritable(value: unknown, path: string): { path: string; what: string } | undefined {
  if (typeof value === 'function') return { path: path || '(the object)', what: 'a function' };
  if (typeof value === 'symbol') return { path: path || '(the object)', what: 'a symbol' };
  if (typeof value === 'bigint') return { path: path || '(the object)', what: 'a bigint' };
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = unwritable(child, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

function siteOf(c: constructs.IConstruct): BundlePosition | null {
  for (let node: constructs.IConstruct | undefined = c; node; node = node.node.scope) {
    const stack = (node as unknown as Record<symbol, { stack?: string } | undefined>)[SITE]?.stack ?? '';
    const match = new RegExp(`${BUNDLE_FILE.replace(/\./g, '\\.')}:(\\d+):(\\d+)`).exec(stack);
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return null;
}

function failure(id: string, err: unknown): Reply {
  const error = toError(err);
  // Keelson's own errors and the kit's (whichever copy of it the repository runs) carry their reason.
  const reason: SynthesisFailureReason =
    (error as { keelsonReason?: SynthesisFailureReason }).keelsonReason ?? 'EvaluationFailed';
  const site = (error as { keelsonSite?: BundlePosition | null }).keelsonSite ?? undefined;
  return {
    type: 'failure',
    id,
    logs: '',
    reason,
    message: `${JS_ERRORS.has(error.name) ? `${error.name}: ` : ''}${error.message}`,
    stack: error.stack ?? '',
    site,
  };
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(
    `the deploy repository threw ${typeof err === 'string' ? JSON.stringify(err) : String(err)}, not an Error`,
  );
}
