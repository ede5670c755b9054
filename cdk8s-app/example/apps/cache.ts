// The Redis cache: a Helm chart of this repository (charts/cache), its values written in
// TypeScript. Keelson renders it with `helm template` outside the synthesis sandbox; its
// objects are then owned, pruned and health-checked like the others.
import { App, type Environment } from '@keelson/cdk8s-app';
import { Helm } from 'cdk8s';
import type { ShopSettings } from '../settings.ts';

export interface CacheAppProps {
  readonly settings: ShopSettings;
}

export class CacheApp extends App {
  /** The Service the API and the worker reach Redis by. */
  readonly serviceName = 'cache';

  constructor(env: Environment, name: string, props: CacheAppProps) {
    super(env, name, { labels: { 'app.kubernetes.io/part-of': 'shop' } });
    new Helm(this, 'chart', {
      chart: 'charts/cache',
      releaseName: this.serviceName,
      values: {
        image: env.image('cache'),
        replicas: props.settings.cache.replicas,
        maxMemory: props.settings.cache.maxMemory,
      },
    });
  }
}
