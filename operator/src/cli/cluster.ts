// What the cluster commands share: the user's kubeconfig (as kubectl finds it), the
// namespace to use, and the client for Keelson's resources.
import * as k8s from '@kubernetes/client-node';
import { KeelsonResources } from '../adapters/kubernetes/keelson-resources.ts';
import type { CommandIO } from './command.ts';

export interface ClusterOptions {
  readonly namespace?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

export interface Cluster {
  readonly kubeConfig: k8s.KubeConfig;
  readonly namespace: string;
  readonly resources: KeelsonResources;
  /** The user as the kubeconfig names it, recorded as who asked for a sync. */
  readonly user: string;
}

export function connect(options: ClusterOptions, io: CommandIO): Cluster {
  const kc = new k8s.KubeConfig();
  const path = options.kubeconfig ?? io.env.KUBECONFIG;
  if (path) kc.loadFromFile(path.split(':')[0]!);
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  const context = kc.getContextObject(kc.getCurrentContext());
  return {
    kubeConfig: kc,
    namespace: options.namespace ?? context?.namespace ?? 'default',
    resources: new KeelsonResources(kc),
    user: kc.getCurrentUser()?.name ?? 'unknown',
  };
}
