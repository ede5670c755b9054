// A KubeConfig for a remote cluster from its checked credentials (core/cluster): data fields
// only, never a file path or an exec plugin, so building and using it runs nothing and reads
// no file.
import * as k8s from '@kubernetes/client-node';
import type { ClusterCredentials } from '../../core/cluster/cluster-credentials.ts';

const b64 = (pem: string | undefined) => (pem === undefined ? undefined : Buffer.from(pem).toString('base64'));

export function kubeConfigOf(credentials: ClusterCredentials): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'destination',
        server: credentials.server,
        caData: b64(credentials.caData),
        tlsServerName: credentials.tlsServerName,
        skipTLSVerify: credentials.insecureSkipTlsVerify ?? false,
      },
    ],
    users: [
      {
        name: 'keelson',
        token: credentials.token,
        certData: b64(credentials.clientCertData),
        keyData: b64(credentials.clientKeyData),
      },
    ],
    contexts: [{ name: 'destination', cluster: 'destination', user: 'keelson' }],
    currentContext: 'destination',
  });
  return kc;
}
