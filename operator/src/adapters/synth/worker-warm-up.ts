// The built-in sample a worker synthesizes before its code cache is taken: it exercises the
// kit and the cdk8s-plus constructs a typical deploy repository uses, so their functions are
// compiled and land in the cache. No deploy-repo code is involved.
import * as kplus from 'cdk8s-plus-27';
import { App, defineEnvironments, Hook, PassSecret, synthesizeEnvironment, SyncWave } from '@keelson/cdk8s-app';

const sample = defineEnvironments({
  sample: (env) => {
    const app = new App(env, 'sample', { labels: { tier: 'sample' } });
    const config = new kplus.ConfigMap(app, 'config', { metadata: { name: 'config' }, data: { A: 'b' } });
    const secret = new PassSecret(app, 'secret', {
      metadata: { name: 'secret' },
      data: { password: 'sample/db', user: { path: 'sample/db', field: 'user' } },
    });
    const deployment = new kplus.Deployment(app, 'deployment', {
      metadata: { name: 'web' },
      replicas: 2,
      containers: [
        {
          image: env.image('web'),
          ports: [{ number: 8080, name: 'http' }],
          envFrom: [kplus.Env.fromConfigMap(config)],
          envVariables: {
            P: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }),
            L: kplus.EnvValue.fromValue('x'),
          },
          readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
        },
      ],
    });
    const service = deployment.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080 }] });
    new kplus.Ingress(app, 'ingress', {
      metadata: { name: 'web' },
      rules: [{ host: 'a.example', path: '/', backend: kplus.IngressBackend.fromService(service) }],
    });
    SyncWave.set(deployment, 1);
    const job = new kplus.Job(app, 'job', {
      metadata: { name: 'job' },
      containers: [{ image: env.image('web'), command: ['true'] }],
    });
    Hook.mark(job, { phase: 'PreSync' });
  },
});

export function warmUp(): number {
  const apps = synthesizeEnvironment(sample, {
    environment: 'sample',
    images: { sample: { web: 'example.com/web:1' } },
  });
  return apps.reduce((n, a) => n + a.objects.length, 0);
}
