// The entry point of the example deploy repository: the shop, in `dev` and `prod`. Its apps
// are cdk8s code, a Helm chart of the repository (cache), a chart of a chart repository
// (status), a Kustomize overlay (reports) and plain YAML (platform).
// Keelson builds one environment by name: `npx keelson synth cdk8s-app/example --env dev`.
import { defineEnvironments, type Environment } from '@keelson/cdk8s-app';
import { ApiApp } from './apps/api.ts';
import { CacheApp } from './apps/cache.ts';
import { PlatformApp } from './apps/platform.ts';
import { ReportsApp } from './apps/reports.ts';
import { StatusApp } from './apps/status.ts';
import { WebApp } from './apps/web.ts';
import { WorkerApp } from './apps/worker.ts';
import { dev, prod, type ShopSettings } from './settings.ts';

function shop(env: Environment, settings: ShopSettings): void {
  const api = new ApiApp(env, 'api', { settings });
  new WorkerApp(env, 'worker', { settings, dbSecretName: api.dbSecretName });
  new WebApp(env, 'web', { settings, apiServiceName: api.serviceName });
  new CacheApp(env, 'cache', { settings });
  new ReportsApp(env, 'reports');
  new StatusApp(env, 'status', { settings });
  new PlatformApp(env, 'platform');
}

export default defineEnvironments({
  dev: (env) => shop(env, dev),
  prod: (env) => shop(env, prod),
});
