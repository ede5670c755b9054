// The API: a Deployment with its Service and ConfigMap, database credentials from pass, and
// a PreSync Job that migrates the database before the new version rolls out.
import { Hook, PassSecret, App, type Environment } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
import type { ShopSettings } from '../settings.ts';

export interface ApiAppProps {
  readonly settings: ShopSettings;
}

export class ApiApp extends App {
  /** The Service other apps call the API by. */
  readonly serviceName = 'api';
  /** The Secret holding the API's database credentials. */
  readonly dbSecretName = 'api-db';

  constructor(env: Environment, name: string, props: ApiAppProps) {
    super(env, name, { labels: { 'app.kubernetes.io/part-of': 'shop' } });
    const { settings } = props;
    const image = env.image('api');

    const config = new kplus.ConfigMap(this, 'config', {
      metadata: { name: 'api-config' },
      data: { LOG_LEVEL: settings.logLevel, DATABASE_HOST: 'postgres.shop-data', DATABASE_NAME: 'shop' },
    });
    const db = new PassSecret(this, 'db', {
      metadata: { name: this.dbSecretName },
      data: { password: `${settings.passDir}/db`, username: { path: `${settings.passDir}/db`, field: 'user' } },
    });

    const deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: 'api' },
      replicas: settings.replicas.api,
      containers: [
        {
          name: 'api',
          image,
          ports: [{ number: 8080, name: 'http' }],
          envFrom: [kplus.Env.fromConfigMap(config)],
          envVariables: {
            DATABASE_USER: kplus.EnvValue.fromSecretValue({ secret: db, key: 'username' }),
            DATABASE_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: db, key: 'password' }),
          },
          readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
        },
      ],
    });
    deployment.exposeViaService({ name: this.serviceName, ports: [{ port: 80, targetPort: 8080, name: 'http' }] });

    // The migration runs before anything else is applied, so its credentials cannot be the
    // Secret above (applied later in the same sync): it gets its own, created as a PreSync
    // hook one wave earlier.
    const adminDb = new PassSecret(this, 'migrate-db', {
      metadata: { name: 'api-migrate-db' },
      data: {
        password: `${settings.passDir}/db-admin`,
        username: { path: `${settings.passDir}/db-admin`, field: 'user' },
      },
    });
    Hook.mark(adminDb, { phase: 'PreSync', wave: -1 });
    const migrate = new kplus.Job(this, 'migrate', {
      metadata: { name: 'api-migrate' },
      backoffLimit: 1,
      containers: [
        {
          name: 'migrate',
          image,
          command: ['/app/migrate', '--to', 'latest'],
          envFrom: [kplus.Env.fromConfigMap(config)],
          envVariables: {
            DATABASE_USER: kplus.EnvValue.fromSecretValue({ secret: adminDb, key: 'username' }),
            DATABASE_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: adminDb, key: 'password' }),
          },
        },
      ],
    });
    Hook.mark(migrate, { phase: 'PreSync', deletePolicy: 'BeforeHookCreation' });
  }
}
