// The background worker: a Deployment that shares the API's database credentials.
import { App, type Environment } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
import type { ShopSettings } from '../settings.ts';

export interface WorkerAppProps {
  readonly settings: ShopSettings;
  /** The Secret with the database credentials (the API app's PassSecret). */
  readonly dbSecretName: string;
}

export class WorkerApp extends App {
  constructor(env: Environment, name: string, props: WorkerAppProps) {
    super(env, name, { labels: { 'app.kubernetes.io/part-of': 'shop' } });
    const db = kplus.Secret.fromSecretName(this, 'db', props.dbSecretName);
    new kplus.Deployment(this, 'deployment', {
      metadata: { name: 'worker' },
      replicas: props.settings.replicas.worker,
      containers: [
        {
          name: 'worker',
          image: env.image('worker'),
          args: ['--queue', 'orders', '--concurrency', '4'],
          envVariables: {
            LOG_LEVEL: kplus.EnvValue.fromValue(props.settings.logLevel),
            DATABASE_USER: kplus.EnvValue.fromSecretValue({ secret: db, key: 'username' }),
            DATABASE_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: db, key: 'password' }),
          },
        },
      ],
    });
  }
}
