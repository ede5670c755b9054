// Writes a kubeconfig with the certificates embedded, so it works from any directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  readonly server: string;
  readonly caCert: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly name?: string;
}

const b64 = (file: string) => readFileSync(file).toString('base64');

export function writeKubeconfig(path: string, options: KubeconfigOptions): void {
  const name = options.name ?? 'keelson-local';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': b64(options.caCert) } }],
    users: [
      {
        name: `${name}-admin`,
        user: { 'client-certificate-data': b64(options.clientCert), 'client-key-data': b64(options.clientKey) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
