// The status page: a third-party chart (podinfo-lite) from a chart repository, at a pinned
// version. A private repository's credentials would come from the Environment's
// spec.chartRepositories, never from this code.
import { App, type Environment } from '@keelson/cdk8s-app';
import { Helm } from 'cdk8s';
import { CHART_REPOSITORY, type ShopSettings } from '../settings.ts';

export interface StatusAppProps {
  readonly settings: ShopSettings;
}

export class StatusApp extends App {
  constructor(env: Environment, name: string, props: StatusAppProps) {
    super(env, name);
    new Helm(this, 'chart', {
      chart: 'podinfo-lite',
      repo: CHART_REPOSITORY,
      version: '1.2.0',
      releaseName: 'status',
      values: { replicaCount: props.settings.replicas.status },
    });
  }
}
