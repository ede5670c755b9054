// A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, and kwok as the kubelet of a few fake nodes. Every process, port and
// directory belongs to one instance, so tests can run several side by side.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBinaries } from './binaries.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { oidcFlags, type OidcTrust } from './oidc-provider.ts';
import { createPki, type Pki } from './pki.ts';
import { freePort } from './ports.ts';
import { ProcessGroup } from './process-group.ts';
import { installCrds, loadKubeConfig, REPO_ROOT } from './kube.ts';

/**
 * CRDs of the ecosystem the cluster has, installed before kwok starts (kwok plays their
 * controllers in kwok-stages.yaml, and wants their kinds served when it starts): cert-manager's
 * Certificate, which the example deploy repository makes.
 */
const ECOSYSTEM_CRDS = join(REPO_ROOT, 'cdk8s-app', 'example', 'crds');

const STAGES = join(dirname(fileURLToPath(import.meta.url)), 'kwok-stages.yaml');

/** The log kwok serves for every container of every pod (`kubectl logs`), in the CRI log format. */
export const CONTAINER_LOG = join(dirname(fileURLToPath(import.meta.url)), 'kwok-container-log.txt');

export interface ControlPlaneOptions {
  /** Directory for data, certificates and logs; a new temporary one by default. */
  readonly dir?: string;
  /** How many fake nodes kwok runs. */
  readonly nodes?: number;
  /** Time allowed from start to ready. */
  readonly readyTimeoutMs?: number;
  /** Keep the directory after stop (logs for a failed run). */
  readonly keepDir?: boolean;
  /**
   * Write an audit log of requests (metadata only) to `<dir>/audit.log`; benchmarks count
   * requests with it. `true` logs every request; a list of user names logs only theirs, so
   * the control plane's own traffic costs no auditing; `{ groups }` logs only the requests of
   * those groups' members.
   */
  readonly audit?: boolean | readonly string[] | { readonly groups: readonly string[] };
  /** Serve the API server's /debug/pprof (off by default, as in production set-ups). */
  readonly profiling?: boolean;
  /**
   * Accept the ID tokens of an OIDC issuer as bearer tokens (the API server's --oidc-* flags),
   * the user named `oidc:<email>` and each group `oidc:<group>`. @default none
   */
  readonly oidc?: OidcTrust;
}

export class ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly pki: Pki;
  readonly #processes: ProcessGroup;
  readonly #keepDir: boolean;

  private constructor(init: {
    dir: string;
    kubeconfig: string;
    server: string;
    pki: Pki;
    processes: ProcessGroup;
    keepDir: boolean;
  }) {
    this.dir = init.dir;
    this.kubeconfig = init.kubeconfig;
    this.server = init.server;
    this.pki = init.pki;
    this.#processes = init.processes;
    this.#keepDir = init.keepDir;
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const bin = await ensureBinaries();
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keelson-cp-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const pki = await createPki(mkdirP(join(dir, 'pki')));
    const [etcdPort, peerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
    const processes = new ProcessGroup();
    const cp = new ControlPlane({ dir, kubeconfig, server, pki, processes, keepDir: options.keepDir ?? false });
    try {
      processes.start('etcd', bin.etcd, {
        logFile: join(logs, 'etcd.log'),
        args: [
          '--name=default',
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
          `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
          '--unsafe-no-fsync',
          '--log-level=warn',
          '--quota-backend-bytes=8589934592',
        ],
      });
      processes.start('kube-apiserver', bin['kube-apiserver'], {
        logFile: join(logs, 'kube-apiserver.log'),
        args: [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          // Since 1.37 the endpoint reconciler refuses a loopback address; nothing here reaches the
          // API through the `kubernetes` Service, so its endpoints are not kept.
          '--endpoint-reconciler-type=none',
          `--secure-port=${apiPort}`,
          `--tls-cert-file=${pki.serverCert}`,
          `--tls-private-key-file=${pki.serverKey}`,
          `--client-ca-file=${pki.caCert}`,
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${pki.serviceAccountPub}`,
          `--service-account-signing-key-file=${pki.serviceAccountKey}`,
          '--api-audiences=https://kubernetes.default.svc.cluster.local',
          '--service-cluster-ip-range=10.0.0.0/16',
          '--authorization-mode=RBAC',
          '--allow-privileged=true',
          `--profiling=${options.profiling ?? false}`,
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          '--v=1',
          ...(options.audit ? auditFlags(dir, options.audit) : []),
          ...oidcFlags(options.oidc),
        ],
      });
      await cp.#waitHealthy('/readyz', options.readyTimeoutMs ?? 60_000);
      const clientArgs = [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--profiling=false'];
      processes.start('kube-controller-manager', bin['kube-controller-manager'], {
        logFile: join(logs, 'kube-controller-manager.log'),
        args: [
          ...clientArgs,
          '--secure-port=0',
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--root-ca-file=${pki.caCert}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          // The cloud controllers (cloud-node-lifecycle, service-lb-controller, route) stay idle without a
          // cloud provider, and 1.37 no longer knows their names: only nodeipam is turned off.
          '--controllers=*,-nodeipam',
          '--concurrent-deployment-syncs=10',
          '--concurrent-replicaset-syncs=10',
          '--concurrent-job-syncs=10',
          '--kube-api-qps=200',
          '--kube-api-burst=400',
          '--v=1',
        ],
      });
      processes.start('kube-scheduler', bin['kube-scheduler'], {
        logFile: join(logs, 'kube-scheduler.log'),
        args: [...clientArgs, '--secure-port=0', '--kube-api-qps=200', '--kube-api-burst=400', '--v=1'],
      });
      await installCrds(loadKubeConfig(kubeconfig), ECOSYSTEM_CRDS);
      // kwok reads the OpenAPI of the kinds its stages name, published a moment after Established.
      await cp.#waitOpenApi('apis/cert-manager.io/v1', options.readyTimeoutMs ?? 60_000);
      // kwok's server is the kubelet API of every fake node: the nodes advertise 127.0.0.1 (their only
      // address: kwok's NodeName is empty) and its port, which the API server dials for pods/log over
      // TLS, not verifying kwok's own certificate as it has no --kubelet-certificate-authority.
      const kubeletPort = await freePort();
      processes.start('kwok', bin.kwok, {
        logFile: join(logs, 'kwok.log'),
        args: [
          `--kubeconfig=${kubeconfig}`,
          `--config=${STAGES}`,
          `--config=${writeKwokConfig(dir)}`,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--cidr=10.244.0.1/16',
          '--node-ip=127.0.0.1',
          `--node-port=${kubeletPort}`,
          '--node-lease-duration-seconds=40',
          `--server-address=127.0.0.1:${kubeletPort}`,
        ],
      });
      writeFileSync(join(dir, 'pids'), processes.pids().join('\n') + '\n');
      await cp.#createNodes(options.nodes ?? 3);
      await cp.#waitReady(options.readyTimeoutMs ?? 60_000);
      return cp;
    } catch (err) {
      await processes.stop(1000);
      throw err;
    }
  }

  /** Stops the API server only (etcd and the rest keep running): the cluster goes away for its clients. */
  async stopApiServer(): Promise<void> {
    await this.#processes.stopOne('kube-apiserver');
  }

  /** Starts the API server stopApiServer() stopped, on the same port and data, and waits until it is ready. */
  async startApiServer(timeoutMs = 60_000): Promise<void> {
    this.#processes.restart('kube-apiserver');
    await this.#waitHealthy('/readyz', timeoutMs);
  }

  /** PIDs of the running processes. */
  pids(): number[] {
    return this.#processes.pids();
  }

  async stop(): Promise<void> {
    await this.#processes.stop();
    if (!this.#keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** A GET against the API server as admin; resolves with status and body. */
  get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.server}${path}`,
        {
          ca: readFileSync(this.pki.caCert),
          cert: readFileSync(this.pki.adminCert),
          key: readFileSync(this.pki.adminKey),
          timeout: 5000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
  }

  async send(method: string, path: string, body: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request(
        `${this.server}${path}`,
        {
          method,
          ca: readFileSync(this.pki.caCert),
          cert: readFileSync(this.pki.adminCert),
          key: readFileSync(this.pki.adminKey),
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
          timeout: 5000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async #waitHealthy(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      this.#processes.assertRunning();
      try {
        const res = await this.get(path);
        if (res.status === 200) return;
        last = `${res.status} ${res.body.slice(0, 500)}`;
      } catch (err) {
        last = String(err);
      }
      await sleep(200);
    }
    throw new Error(`API server not healthy at ${path} after ${timeoutMs} ms: ${last}`);
  }

  async #waitOpenApi(groupVersion: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await this.get('/openapi/v3').catch(() => undefined);
      if (res?.status === 200 && (JSON.parse(res.body) as { paths?: object }).paths?.hasOwnProperty(groupVersion))
        return;
      await sleep(200);
    }
    throw new Error(`the API server did not publish the OpenAPI of ${groupVersion} within ${timeoutMs} ms`);
  }

  async #createNodes(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const name = `kwok-node-${i}`;
      const res = await this.send('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
          },
        },
        spec: {},
      });
      if (res.status !== 201 && res.status !== 409) throw new Error(`creating node ${name}: ${res.status} ${res.body}`);
    }
  }

  /** Ready = API ready, nodes Ready, the default ServiceAccount exists (pods can be created). */
  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      this.#processes.assertRunning();
      const nodes = await this.get('/api/v1/nodes').catch((e: unknown) => ({ status: 0, body: String(e) }));
      const sa = await this.get('/api/v1/namespaces/default/serviceaccounts/default').catch(() => ({
        status: 0,
        body: '',
      }));
      if (nodes.status === 200 && sa.status === 200) {
        const items = (
          JSON.parse(nodes.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }
        ).items;
        const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        if (items.length > 0 && ready.length === items.length) return;
        last = `${ready.length}/${items.length} nodes ready`;
      } else {
        last = `nodes ${nodes.status}, default service account ${sa.status}`;
      }
      await sleep(200);
    }
    throw new Error(`control plane not ready after ${timeoutMs} ms: ${last}`);
  }
}

/** Audit every request at Metadata level (who, verb, resource; no bodies) to a log file. */
function auditFlags(dir: string, who: true | readonly string[] | { readonly groups: readonly string[] }): string[] {
  const policy = join(dir, 'audit-policy.yaml');
  const only = (field: string, names: readonly string[]) =>
    `  - level: Metadata\n    ${field}: ${JSON.stringify(names)}\n  - level: None\n`;
  const rules =
    who === true ? '  - level: Metadata\n' : 'groups' in who ? only('userGroups', who.groups) : only('users', who);
  writeFileSync(policy, `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n${rules}`);
  return [
    `--audit-policy-file=${policy}`,
    `--audit-log-path=${join(dir, 'audit.log')}`,
    '--audit-log-format=json',
    '--audit-log-mode=batch',
    '--audit-log-batch-max-wait=1s',
  ];
}

/**
 * kwok's configuration besides its stages: its debugging handlers (the kubelet API's
 * /containerLogs, which the API server's pods/log proxies to) on, and CONTAINER_LOG as the log
 * of every container (kwok picks logs by pod name and namespace only, not by annotation).
 */
function writeKwokConfig(dir: string): string {
  const file = join(dir, 'kwok-config.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: config.kwok.x-k8s.io/v1alpha1',
      'kind: KwokConfiguration',
      'options:',
      '  enableDebuggingHandlers: true',
      '---',
      'apiVersion: kwok.x-k8s.io/v1alpha1',
      'kind: ClusterLogs',
      'metadata: { name: every-container }',
      'spec:',
      `  logs: [{ logsFile: ${JSON.stringify(CONTAINER_LOG)} }]`,
      '',
    ].join('\n'),
  );
  return file;
}

function mkdirP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
