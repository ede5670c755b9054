// A loopback TCP proxy in front of the API server, to make the server go away under a
// client: `refuse` closes the port (connections refused at once), `blackhole` keeps
// accepting connections and never answers (a network partition: requests hang).
//   const proxy = await ApiProxy.start(kc);  proxy.kubeConfig / proxy.writeKubeconfig(file)
//   await proxy.set('blackhole');
import { createServer, connect, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

export class ApiProxy {
  #kubeConfig: k8s.KubeConfig | undefined;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #mode: ProxyMode = 'forward';

  private constructor(target: URL) {
    this.#server = createServer((client) => {
      this.#track(client);
      if (this.#mode !== 'forward') return; // blackhole: hold the connection, say nothing
      const upstream = connect(Number(target.port), target.hostname);
      this.#track(upstream);
      client.pipe(upstream).pipe(client);
    });
  }

  static async start(kc: k8s.KubeConfig): Promise<ApiProxy> {
    const proxy = new ApiProxy(new URL(kc.getCurrentCluster()!.server));
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const port = (proxy.#server.address() as { port: number }).port;
    const cluster = kc.getCurrentCluster()!;
    const user = kc.getCurrentUser()!;
    const viaProxy = new k8s.KubeConfig();
    viaProxy.loadFromOptions({
      clusters: [{ ...cluster, server: `https://127.0.0.1:${port}` }],
      users: [user],
      contexts: [{ name: 'proxy', cluster: cluster.name, user: user.name }],
      currentContext: 'proxy',
    });
    proxy.#kubeConfig = viaProxy;
    return proxy;
  }

  /** A kubeconfig that reaches the API server through this proxy. */
  get kubeConfig(): k8s.KubeConfig {
    return this.#kubeConfig!;
  }

  /** Writes a kubeconfig that reaches the API server through this proxy (for another process). */
  writeKubeconfig(file: string): string {
    writeFileSync(file, this.kubeConfig.exportConfig());
    return file;
  }

  /** Switches the mode; open connections are cut, so clients meet the new mode at once. */
  async set(mode: ProxyMode): Promise<void> {
    if (mode === this.#mode) return;
    const wasListening = this.#mode !== 'refuse';
    this.#mode = mode;
    for (const s of this.#sockets) s.destroy();
    if (mode === 'refuse' && wasListening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (mode !== 'refuse' && !wasListening) throw new Error('a refusing proxy has given up its port; start a new one');
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
