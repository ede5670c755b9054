// Health assessment with Lua rules (Argo CD's scripts, in Lua 5.4 compiled to WebAssembly) against the
// built-in TypeScript rules: 10,000 generated objects of six kinds in varied states (Deployments,
// Services, Pods, cert-manager Certificates, Jobs, PersistentVolumeClaims), each judged by a Lua script
// for its kind written in Argo CD's style. Warm: every rule has run over all the objects once.
// Targets: p50 ≤ 20 µs per Lua call; assessHealth over the 10,000 objects ≤ 50 ms. Reference, in the
// same run: the same scripts through wasmoon's own JavaScript API (its generic object conversion).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LuaFactory } from 'wasmoon';
import { LuaHealthRules, type LuaHealthScript } from '../../operator/src/adapters/health/lua-health.ts';
import { assessHealth, type HealthAssessment } from '../../operator/src/core/health/index.ts';
import { groupOf, type KubeObject } from '../../operator/src/core/manifest.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import { percentile, report, time } from './report.ts';

const OBJECTS = 10_000;
const REFERENCE_SAMPLE = 1_000;
const gc = (globalThis as { gc?: () => void }).gc;

const SCRIPTS: Record<string, string> = {
  'apps/Deployment': `
local hs = {}
if obj.spec.paused then
  hs.status = "Suspended"
  hs.message = "Deployment is paused"
  return hs
end
if obj.status == nil or (obj.status.observedGeneration or 0) < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for rollout to finish: observed deployment generation less than desired generation"
  return hs
end
for _, condition in ipairs(obj.status.conditions or {}) do
  if condition.type == "Progressing" and condition.reason == "ProgressDeadlineExceeded" then
    hs.status = "Degraded"
    hs.message = "Deployment " .. obj.metadata.name .. " has exceeded its progress deadline"
    return hs
  end
end
local wanted = obj.spec.replicas or 1
local updated = obj.status.updatedReplicas or 0
local available = obj.status.availableReplicas or 0
if updated < wanted then
  hs.status = "Progressing"
  hs.message = string.format("Waiting for rollout to finish: %d out of %d new replicas have been updated...",
    updated, wanted)
elseif available < updated then
  hs.status = "Progressing"
  hs.message = string.format("Waiting for rollout to finish: %d of %d updated replicas are available...",
    available, updated)
else
  hs.status = "Healthy"
end
return hs`,
  '/Service': `
local hs = { status = "Healthy" }
if obj.spec.type == "LoadBalancer" then
  if obj.status == nil or obj.status.loadBalancer == nil or obj.status.loadBalancer.ingress == nil
      or #obj.status.loadBalancer.ingress == 0 then
    hs.status = "Progressing"
    hs.message = "Waiting for the load balancer to get an address"
  end
end
return hs`,
  '/Pod': `
local hs = {}
local phase = obj.status and obj.status.phase
if phase == "Succeeded" then hs.status = "Healthy" return hs end
if phase == "Failed" then hs.status = "Degraded" hs.message = obj.status.message or "the pod failed" return hs end
if phase ~= "Running" then hs.status = "Progressing" hs.message = "the pod is " .. tostring(phase) return hs end
for _, container in ipairs(obj.status.containerStatuses or {}) do
  if container.state.waiting ~= nil and container.state.waiting.reason == "CrashLoopBackOff" then
    hs.status = "Degraded"
    hs.message = container.name .. ": " .. (container.state.waiting.message or "crash loop")
    return hs
  end
  if not container.ready then
    hs.status = "Progressing"
    hs.message = container.name .. " is not ready"
    return hs
  end
end
hs.status = "Healthy"
return hs`,
  // The script of the unit tests, in Argo CD's layout.
  'cert-manager.io/Certificate': readFileSync(
    join(REPO_ROOT, 'operator/src/adapters/health/testdata/cert-manager.io/Certificate/health.lua'),
    'utf8',
  ),
  'batch/Job': `
local hs = {}
if obj.spec.suspend then hs.status = "Suspended" hs.message = "the job is suspended" return hs end
for _, condition in ipairs(obj.status and obj.status.conditions or {}) do
  if condition.type == "Complete" and condition.status == "True" then hs.status = "Healthy" return hs end
  if condition.type == "Failed" and condition.status == "True" then
    hs.status = "Degraded"
    hs.message = condition.message
    return hs
  end
end
hs.status = "Progressing"
hs.message = "the job is running"
return hs`,
  '/PersistentVolumeClaim': `
local hs = {}
local phase = obj.status and obj.status.phase
if phase == "Bound" then hs.status = "Healthy"
elseif phase == "Lost" then hs.status = "Degraded" hs.message = "the claim lost its volume"
else hs.status = "Progressing" hs.message = "the claim is " .. tostring(phase) end
return hs`,
};

const objects = generateObjects(OBJECTS);
const sizes = objects.map((o) => JSON.stringify(o).length).sort((a, b) => a - b);

const loadStart = performance.now();
const scripts: LuaHealthScript[] = Object.entries(SCRIPTS).map(([key, source]) => ({
  key,
  source,
  origin: `${key}.lua`,
}));
const rules = await LuaHealthRules.load(scripts);
const loadMs = performance.now() - loadStart;
const ruleOf = (obj: KubeObject) => rules.ruleFor(groupOf(obj.apiVersion), obj.kind)!;

// Warm-up: every rule over every object; the assessments must be real ones, not errors.
const statuses = new Map<string, number>();
for (const obj of objects) {
  const health = ruleOf(obj)(obj);
  if (health.status === 'Unknown') throw new Error(`${obj.kind} ${obj.metadata.name}: ${health.message}`);
  statuses.set(health.status, (statuses.get(health.status) ?? 0) + 1);
}
gc?.();
const perCall: number[] = [];
const luaStart = performance.now();
for (const obj of objects) {
  const rule = ruleOf(obj);
  const t0 = performance.now();
  rule(obj);
  perCall.push((performance.now() - t0) * 1000);
}
const luaTotalMs = performance.now() - luaStart;
perCall.sort((a, b) => a - b);

gc?.();
const builtIn = await time(
  () => {
    for (const obj of objects) assessHealth(obj);
  },
  20,
  5,
);

const reference = await wasmoonReference(objects.slice(0, REFERENCE_SAMPLE));

console.log(
  `objects: ${OBJECTS}, JSON size p50 ${percentile(sizes, 50)} B, max ${sizes.at(-1)} B; Lua statuses:`,
  Object.fromEntries(statuses),
);
report('health-lua', [
  { name: `load: instantiate Lua and compile ${scripts.length} scripts`, value: loadMs, unit: 'ms' },
  {
    name: 'Lua rule, warm: p50 per call',
    value: percentile(perCall, 50),
    unit: 'µs',
    target: '≤ 20 µs',
    met: percentile(perCall, 50) <= 20,
  },
  { name: 'Lua rule, warm: p90 per call', value: percentile(perCall, 90), unit: 'µs' },
  { name: 'Lua rule, warm: p99 per call', value: percentile(perCall, 99), unit: 'µs' },
  { name: `Lua rules, warm: all ${OBJECTS} objects`, value: luaTotalMs, unit: 'ms' },
  { name: 'Lua heap after the run', value: rules.memoryUsed / 1024, unit: 'KiB' },
  { name: `reference, wasmoon's own conversion: p50 per call (${REFERENCE_SAMPLE})`, value: reference, unit: 'µs' },
  { name: 'reference / Lua rule p50', value: reference / percentile(perCall, 50), unit: 'x' },
  {
    name: `built-in assessHealth, warm: all ${OBJECTS} objects, p50 of 20`,
    value: percentile(builtIn, 50),
    unit: 'ms',
    target: '≤ 50 ms',
    met: percentile(builtIn, 50) <= 50,
  },
  { name: 'built-in assessHealth: per object', value: (percentile(builtIn, 50) / OBJECTS) * 1000, unit: 'µs' },
]);

/** The same scripts as functions of wasmoon's LuaEngine, the object converted by wasmoon: p50 µs per call. */
async function wasmoonReference(sample: readonly KubeObject[]): Promise<number> {
  const engine = await new LuaFactory().createEngine();
  try {
    const functions = new Map<string, (obj: KubeObject) => HealthAssessment>();
    for (const [key, source] of Object.entries(SCRIPTS)) {
      const fn = engine.doStringSync(`return function(obj) ${source}\nend`) as (obj: KubeObject) => HealthAssessment;
      functions.set(key, fn);
    }
    const fnOf = (obj: KubeObject) => functions.get(`${groupOf(obj.apiVersion)}/${obj.kind}`)!;
    for (const obj of sample) fnOf(obj)(obj);
    const samples: number[] = [];
    for (const obj of sample) {
      const fn = fnOf(obj);
      const t0 = performance.now();
      fn(obj);
      samples.push((performance.now() - t0) * 1000);
    }
    return percentile(
      samples.sort((a, b) => a - b),
      50,
    );
  } finally {
    engine.global.close();
  }
}

/** Deterministic objects: a small linear congruential generator picks kinds and states. */
function generateObjects(n: number): KubeObject[] {
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const makers: [number, (i: number) => KubeObject][] = [
    [0.3, (i) => deployment(i, pick(['healthy', 'healthy', 'rolling', 'stuck', 'paused']))],
    [0.2, (i) => service(i, pick(['ClusterIP', 'ClusterIP', 'LoadBalancer', 'pending']))],
    [0.2, (i) => pod(i, pick(['Running', 'Running', 'Pending', 'CrashLoopBackOff', 'Succeeded']))],
    [0.1, (i) => certificate(i, pick(['True', 'True', 'False', 'Issuing']))],
    [0.1, (i) => job(i, pick(['Complete', 'Failed', 'running']))],
    [0.1, (i) => pvc(i, pick(['Bound', 'Bound', 'Pending', 'Lost']))],
  ];
  return Array.from({ length: n }, (_, i) => {
    let r = random();
    for (const [share, make] of makers) {
      if ((r -= share) < 0) return make(i);
    }
    return makers[0]![1](i);
  });
}

function meta(kind: string, i: number, extra: Record<string, unknown> = {}) {
  const name = `${kind.toLowerCase()}-${i}`;
  return {
    name,
    namespace: `team-${i % 17}`,
    uid: `0f6c2b1e-7a9d-4c55-9b0e-${String(i).padStart(12, '0')}`,
    resourceVersion: String(100000 + i),
    generation: 1 + (i % 5),
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: {
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/instance': `app-${i % 40}`,
      'app.kubernetes.io/managed-by': 'keelson',
    },
    annotations: { 'keelson.dev/environment': 'production' },
    ...extra,
  };
}

function condition(type: string, status: string, reason: string, message: string) {
  const at = '2024-01-01T00:01:00Z';
  return { type, status, reason, message, lastTransitionTime: at, lastUpdateTime: at };
}

function image(i: number): string {
  return `ghcr.io/example/app:1.${i % 9}.0`;
}

function deployment(i: number, state: string): KubeObject {
  const m = meta('Deployment', i);
  const replicas = 1 + (i % 4);
  const updated = state === 'rolling' ? replicas - 1 : replicas;
  const replicaSet = `ReplicaSet "${m.name}-5d8f7c9b6"`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: m,
    spec: {
      replicas,
      paused: state === 'paused',
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: m.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: m.name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: image(i),
              ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
              env: [
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'PORT', value: '8080' },
              ],
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: {
      observedGeneration: m.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: updated,
      availableReplicas: updated,
      conditions: [
        condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        state === 'stuck'
          ? condition('Progressing', 'False', 'ProgressDeadlineExceeded', `${replicaSet} has timed out progressing.`)
          : condition('Progressing', 'True', 'NewReplicaSetAvailable', `${replicaSet} has successfully progressed.`),
      ],
    },
  };
}

function service(i: number, type: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', i),
    spec: {
      type: type === 'ClusterIP' ? 'ClusterIP' : 'LoadBalancer',
      clusterIP: `10.96.${i % 255}.${(i * 7) % 255}`,
      selector: { app: `app-${i % 40}` },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      sessionAffinity: 'None',
    },
    status: { loadBalancer: type === 'LoadBalancer' ? { ingress: [{ ip: `203.0.113.${i % 255}` }] } : {} },
  };
}

function pod(i: number, state: string): KubeObject {
  const phase = state === 'CrashLoopBackOff' ? 'Running' : state;
  const crashing = state === 'CrashLoopBackOff';
  const ready = phase === 'Running' && !crashing;
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${i}`, uid: `u-${i}`, controller: true };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('Pod', i, { ownerReferences: [owner] }),
    spec: {
      nodeName: `node-${i % 12}`,
      restartPolicy: 'Always',
      serviceAccountName: 'default',
      containers: [
        {
          name: 'app',
          image: image(i),
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
    status: {
      phase,
      podIP: `10.244.${i % 255}.${(i * 3) % 255}`,
      hostIP: `192.168.0.${i % 12}`,
      qosClass: 'Burstable',
      startTime: '2024-01-01T00:00:00Z',
      conditions: [condition('Ready', ready ? 'True' : 'False', 'ContainersReady', '')],
      containerStatuses: [
        {
          name: 'app',
          ready,
          restartCount: crashing ? 12 : 0,
          image: image(i),
          imageID: `ghcr.io/example/app@sha256:${'ab'.repeat(32)}`,
          containerID: `containerd://${'cd'.repeat(32)}`,
          state: crashing
            ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }
            : { running: { startedAt: '2024-01-01T00:00:05Z' } },
        },
      ],
    },
  };
}

function certificate(i: number, ready: string): KubeObject {
  const conditions = [
    condition(
      'Ready',
      ready === 'Issuing' ? 'False' : ready,
      ready === 'True' ? 'Ready' : 'Failed',
      ready === 'True' ? 'Certificate is up to date and has not expired' : 'the issuer rejected the request',
    ),
  ];
  if (ready === 'Issuing') {
    conditions.push(condition('Issuing', 'True', 'DoesNotExist', 'Issuing certificate as Secret does not exist'));
  }
  const host = `app-${i}.example.com`;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta('Certificate', i),
    spec: {
      secretName: `tls-${i}`,
      commonName: host,
      dnsNames: [host, `www.${host}`],
      duration: '2160h0m0s',
      renewBefore: '360h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt', group: 'cert-manager.io' },
      usages: ['digital signature', 'key encipherment'],
    },
    status: {
      notBefore: '2024-02-15T17:21:10Z',
      notAfter: '2024-05-15T17:21:10Z',
      renewalTime: '2024-04-30T17:21:10Z',
      revision: 3,
      conditions,
    },
  };
}

function job(i: number, state: string): KubeObject {
  const failed = state === 'Failed';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('Job', i),
    spec: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'task', image: 'ghcr.io/example/task:2.0.1', args: ['--once'] }],
        },
      },
    },
    status: {
      startTime: '2024-01-01T00:00:00Z',
      active: state === 'running' ? 1 : 0,
      succeeded: state === 'Complete' ? 1 : 0,
      failed: failed ? 6 : 0,
      conditions:
        state === 'running'
          ? []
          : [
              condition(
                state,
                'True',
                failed ? 'BackoffLimitExceeded' : 'Completed',
                failed ? 'Job has reached the specified backoff limit' : '',
              ),
            ],
    },
  };
}

function pvc(i: number, phase: string): KubeObject {
  const storage = `${1 + (i % 50)}Gi`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta('PersistentVolumeClaim', i),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage } },
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    },
    status: { phase, ...(phase === 'Bound' ? { accessModes: ['ReadWriteOnce'], capacity: { storage } } : {}) },
  };
}
