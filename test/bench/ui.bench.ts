// The web UI at scale (issue 19), with 1,000 and 10,000 Environments (KEELSON_BENCH_ENVIRONMENTS
// sets the larger size), against the operator on the control plane of with-cluster.ts:
//  - the overview's first response (GET /api/v1/overview, 50 rows, the default sort): time to
//    last byte and bytes gzipped (target ≤ 200 KB), against the reference: the API server's
//    list of all the Environments, what a page without server-side paging would fetch;
//  - a search (q=) and a filter (sync=&health=): median and p95 of 20 (target p95 ≤ 200 ms);
//  - a change shown: an annotation patched through the API server, from the PATCH response
//    to the overview stream's `upsert` (target ≤ 100 ms). That includes the watch delivery to
//    the operator; the reference is the same patch seen by a plain watch of the bench's own,
//    and the difference is the UI's share;
//  - the operator's memory per Environment (V8 heap after a full GC, and RSS), with the UI
//    and without it (--ui=false, the reference): the UI's share is the difference (target
//    ≤ 5 KB per Environment);
//  - the first render in Chromium: navigation start to the first frame with a table row,
//    median of 5 with the browser cache off (target ≤ 1 s);
//  - the front end's size, gzipped (target ≤ 150 KB).
// The Environments wait for a GitRepository that does not exist: the controllers reconcile
// each every 30 s (what a waiting Environment costs), on the event loop the UI shares.
//   make bench BENCH=ui
//   KEELSON_BENCH_ENVIRONMENTS=2000 make bench BENCH=ui
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../harness/kube.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { cpuByProcess, cpuSince } from './process-stats.ts';
import { percentile, report, type Measurement } from './report.ts';
import { inParallel, until } from './operator-fleet.ts';
import { EventStreamClient, firstRenders, frontEndSize, gzipSize, heapAfterGc, rawGet, rssBytes } from './ui-probes.ts';
import { RestTransport } from '../../operator/src/adapters/kubernetes/rest-transport.ts';
import { ResourceWatch } from '../../operator/src/adapters/kubernetes/watch.ts';

const TOP = Number(process.env.KEELSON_BENCH_ENVIRONMENTS ?? 10_000);
const SIZES = [...new Set([Math.min(1000, TOP), TOP])];
const KB = 1024;
const REQUESTS = 20;
const ENVIRONMENTS = { group: 'keelson.dev', version: 'v1alpha1', plural: 'environments' };

const measurements: Measurement[] = [];
const kubeconfig = process.env.KUBECONFIG!;
const kc = loadKubeConfig(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const rest = await RestTransport.fromKubeConfig(kc, { maxSockets: 32 });
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => percentile(sorted(xs), 50);

// A viewer: get and list Environments everywhere, nothing else.
for (const ns of ['keelson-bench', 'bench-ui-off', 'bench-ui-on'])
  await core.createNamespace({ body: { metadata: { name: ns } } });
const viewer = { name: 'viewer' };
await core.createNamespacedServiceAccount({ namespace: 'keelson-bench', body: { metadata: viewer } });
await rbac.createClusterRole({
  body: {
    metadata: { name: 'keelson-bench-viewer' },
    rules: [{ apiGroups: ['keelson.dev'], resources: ['environments'], verbs: ['get', 'list'] }],
  },
});
await rbac.createClusterRoleBinding({
  body: {
    metadata: { name: 'keelson-bench-viewer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'keelson-bench-viewer' },
    subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: 'keelson-bench' }],
  },
});
const token = (
  await core.createNamespacedServiceAccountToken({
    name: 'viewer',
    namespace: 'keelson-bench',
    body: { spec: { expirationSeconds: 86_400 } },
  })
).status!.token!;
const bearer = { authorization: `Bearer ${token}` };

/** Creates Environments `from`…`to - 1` of `namespace` (32 at a time), waiting on a GitRepository that is not there. */
const createEnvironments = (namespace: string, from: number, to: number) =>
  inParallel(to - from, 32, (i) =>
    rest.request({
      method: 'POST',
      path: `/apis/keelson.dev/v1alpha1/namespaces/${namespace}/environments`,
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name: `e${from + i}` },
        spec: { sourceRef: { name: 'missing' }, environment: `e${from + i}`, targetNamespace: namespace },
      },
    }),
  );

/** The operator's memory: heap after a full GC and RSS, in bytes. */
const memory = async (operator: OperatorProcess) => {
  await sleep(5000);
  return { heap: await heapAfterGc(operator.logs()), rss: rssBytes(operator.pid!) };
};

/** Memory growth per Environment at each size, by mode. */
const growth: Record<'off' | 'on', Map<number, { heap: number; rss: number }>> = { off: new Map(), on: new Map() };

process.env.KEELSON_OPERATOR_NODE_OPTIONS = '--inspect=127.0.0.1:0';
for (const mode of ['off', 'on'] as const) {
  const namespace = `bench-ui-${mode}`;
  const operator = new OperatorProcess({
    kubeconfig,
    identity: `keelson-bench-ui-${mode}`,
    args: [`--namespaces=${namespace}`, `--ui=${mode === 'on'}`, '--log-level=info'],
  });
  // Every Environment of the namespace the operator has written a status to, as the bench sees them.
  const reconciled = new Set<string>();
  /** When each annotation value (bench.keelson.dev/at) reached the bench's watch. */
  const seen = new Map<string, number>();
  const watch = new ResourceWatch(kc, {
    resource: ENVIRONMENTS,
    namespace,
    onEvent: (type, obj) => {
      const e = obj as { metadata: { name: string; annotations?: Record<string, string> }; status?: object };
      const at = e.metadata.annotations?.['bench.keelson.dev/at'];
      if (at !== undefined && !seen.has(at)) seen.set(at, performance.now());
      if (type !== 'DELETED' && e.status) reconciled.add(e.metadata.name);
    },
  });
  await watch.start();
  try {
    await operator.start();
    await operator.waitLeading();
    const base = `http://127.0.0.1:${operator.apiPort}`;
    if (mode === 'on')
      await until(async () => (await rawGet(`${base}/api/v1/overview`, bearer)).status === 200, 60_000, 'the overview');
    const before = await memory(operator);
    let created = 0;
    for (const size of SIZES) {
      const t0 = performance.now();
      await createEnvironments(namespace, created, size);
      created = size;
      await until(async () => reconciled.size >= size, 900_000, `${size} Environments reconciled`, 200);
      console.log(
        `${mode}: ${size} Environments created and reconciled in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const after = await memory(operator);
      growth[mode].set(size, { heap: (after.heap - before.heap) / size, rss: (after.rss - before.rss) / size });
      if (mode === 'on') await measureUi(base, namespace, size, operator, seen);
    }
  } finally {
    await watch.stop();
    await operator.stop();
  }
}

for (const size of SIZES) {
  const on = growth.on.get(size)!;
  const off = growth.off.get(size)!;
  const share = on.heap - off.heap;
  measurements.push(
    {
      name: `${size}: operator memory for the UI per Environment (heap after GC, with − without)`,
      value: share / KB,
      unit: 'KB',
      target: '≤ 5 KB',
      met: share <= 5 * KB,
    },
    { name: `${size}:   heap growth per Environment with the UI`, value: on.heap / KB, unit: 'KB' },
    { name: `${size}:   reference: heap growth per Environment, --ui=false`, value: off.heap / KB, unit: 'KB' },
    { name: `${size}:   RSS growth per Environment with the UI`, value: on.rss / KB, unit: 'KB' },
    { name: `${size}:   reference: RSS growth per Environment, --ui=false`, value: off.rss / KB, unit: 'KB' },
  );
}

const front = frontEndSize();
measurements.push(
  {
    name: `front end gzipped (${front.files} files)`,
    value: front.gzipped / KB,
    unit: 'KB',
    target: '≤ 150 KB',
    met: front.gzipped <= 150 * KB,
  },
  { name: '  front end uncompressed', value: front.raw / KB, unit: 'KB' },
);
rest.close();
report('ui', measurements);

/** The overview's figures at `size` Environments. */
async function measureUi(
  base: string,
  namespace: string,
  size: number,
  operator: OperatorProcess,
  seen: Map<string, number>,
): Promise<void> {
  const cpuBefore = cpuByProcess([operator.pid!]);
  const started = performance.now();
  // The first response: the first request of this token (a TokenReview and a SubjectAccessReview), then warm.
  await sleep(31_000); // the namespace access the previous size cached has expired
  const overview = `${base}/api/v1/overview?limit=50`;
  const first = await rawGet(overview, bearer);
  if (first.status !== 200) throw new Error(`the overview answered ${first.status}: ${first.body.toString()}`);
  const page = JSON.parse(first.body.toString()) as { total: number; items: unknown[] };
  if (page.total !== size) throw new Error(`the overview counts ${page.total} Environments, not ${size}`);
  const warm: number[] = [];
  for (let i = 0; i < REQUESTS; i++) warm.push((await rawGet(overview, bearer)).ms);
  const wire = first.encoding === 'gzip' ? first.wireBytes : gzipSize(first.body);
  const listT0 = performance.now();
  const list = await rest.request<unknown>({
    method: 'GET',
    path: `/apis/keelson.dev/v1alpha1/namespaces/${namespace}/environments`,
  });
  const listMs = performance.now() - listT0;
  const listGzip = gzipSize(JSON.stringify(list));
  measurements.push(
    { name: `${size}: overview first response, time to last byte`, value: first.ms, unit: 'ms' },
    { name: `${size}:   the same request warm, median of ${REQUESTS}`, value: median(warm), unit: 'ms' },
    {
      name: `${size}: overview first response, gzipped (${first.encoding === 'gzip' ? 'by the server' : 'server sends it uncompressed; gzipped here'})`,
      value: wire / KB,
      unit: 'KB',
      target: '≤ 200 KB',
      met: wire <= 200 * KB,
    },
    { name: `${size}:   uncompressed`, value: first.body.length / KB, unit: 'KB' },
    { name: `${size}:   reference: the API server's list of all, time`, value: listMs, unit: 'ms' },
    { name: `${size}:   reference: the API server's list of all, gzipped`, value: listGzip / KB, unit: 'KB' },
    { name: `${size}:   overview page / reference list, gzipped`, value: wire / listGzip, unit: '×' },
  );

  // Searches and filters, each 20 times.
  const queries: [string, string][] = [
    ['search q=e1 (about 1 in 9 rows)', 'q=e1'],
    ['search q=<namespace> (every row)', `q=${namespace}`],
    ['filter sync=OutOfSync&health=Degraded (no row)', 'sync=OutOfSync&health=Degraded'],
    ['filter sync=Unknown&health=Unknown (every row)', 'sync=Unknown&health=Unknown'],
  ];
  for (const [what, query] of queries) {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) samples.push((await rawGet(`${overview}&${query}`, bearer)).ms);
    const p95 = percentile(sorted(samples), 95);
    measurements.push(
      { name: `${size}: ${what}, median`, value: median(samples), unit: 'ms' },
      { name: `${size}:   p95`, value: p95, unit: 'ms', target: '≤ 200 ms', met: p95 <= 200 },
    );
  }

  // A change shown: the stream's upsert and the bench's own watch, after the same PATCH.
  const stream = await EventStreamClient.open(`${base}/api/v1/overview/stream`, bearer);
  await stream.next(0, (e) => e.event === 'reset', 30_000);
  const ui: number[] = [];
  const watched: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const name = `e${Math.floor(Math.random() * size)}`;
    const value = `${size}-${i}`;
    const from = stream.events.length;
    await rest.request({
      method: 'PATCH',
      path: `/apis/keelson.dev/v1alpha1/namespaces/${namespace}/environments/${name}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { 'bench.keelson.dev/at': value } } },
    });
    const patched = performance.now();
    const upsert = await stream.next(
      from,
      (e) => e.event === 'upsert' && (e.data as { name?: string }).name === name,
      10_000,
    );
    await until(async () => seen.has(value), 10_000, `the bench's watch to see ${value}`, 1);
    ui.push(upsert.at - patched);
    watched.push(seen.get(value)! - patched);
    await sleep(100);
  }
  stream.close();
  const uiP50 = median(ui);
  measurements.push(
    {
      name: `${size}: a change shown, PATCH answered → stream upsert, median of ${REQUESTS}`,
      value: uiP50,
      unit: 'ms',
      target: '≤ 100 ms',
      met: uiP50 <= 100,
    },
    { name: `${size}:   p95`, value: percentile(sorted(ui), 95), unit: 'ms' },
    {
      name: `${size}:   reference: PATCH answered → the bench's own watch, median`,
      value: median(watched),
      unit: 'ms',
    },
    { name: `${size}:   the UI's share (upsert − reference), median`, value: uiP50 - median(watched), unit: 'ms' },
  );

  // The first render in Chromium.
  const renders = await firstRenders(base, token, 5);
  const renderP50 = percentile(renders, 50);
  measurements.push(
    {
      name: `${size}: first render, navigation → first table row painted, median of 5 (no cache)`,
      value: renderP50,
      unit: 'ms',
      target: '≤ 1000 ms',
      met: renderP50 <= 1000,
    },
    { name: `${size}:   slowest of 5`, value: renders.at(-1)!, unit: 'ms' },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = Object.values(cpuSince(cpuBefore, cpuByProcess([operator.pid!])))[0]!;
  console.log(`${size}: operator CPU while measured: ${cpu} s in ${seconds.toFixed(0)} s (reconciles included)`);
}
