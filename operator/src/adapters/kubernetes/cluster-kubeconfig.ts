// The connection to a remote cluster from its checked credentials (core/cluster): data fields
// only, never a file path or an exec plugin, so building and using it runs nothing and reads
// no file.
import type { ClusterCredentials } from '../../core/cluster/cluster-credentials.ts';
import { connectionOf, type OwnKubeConfig } from './kubeconfig.ts';

export function kubeConfigOf(credentials: ClusterCredentials): OwnKubeConfig {
  return connectionOf(
    {
      server: credentials.server,
      ca: credentials.caData,
      tlsServerName: credentials.tlsServerName,
      skipTLSVerify: credentials.insecureSkipTlsVerify ?? false,
    },
    { token: credentials.token, cert: credentials.clientCertData, key: credentials.clientKeyData },
  );
}
