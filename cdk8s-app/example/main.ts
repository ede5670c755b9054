// The entry point of the example deploy repository: the shop, in `dev` and `prod`.
// Keelson builds one environment by name: `npx keelson synth cdk8s-app/example --env dev`.
import { defineEnvironments, type Environment } from '@keelson/cdk8s-app';
import { ApiApp } from './apps/api.ts';
import { WebApp } from './apps/web.ts';
import { WorkerApp } from './apps/worker.ts';
import { dev, prod, type ShopSettings } from './settings.ts';

function shop(env: Environment, settings: ShopSettings): void {
  const api = new ApiApp(env, 'api', { settings });
  new WorkerApp(env, 'worker', { settings, dbSecretName: api.dbSecretName });
  new WebApp(env, 'web', { settings, apiServiceName: api.serviceName });
}

export default defineEnvironments({
  dev: (env) => shop(env, dev),
  prod: (env) => shop(env, prod),
});
