// The web front end: a Deployment, its Service and an Ingress, rolled out in wave 1 (after
// the API is healthy), the TLS certificate of its host (cert-manager's Certificate, a type
// `cdk8s import` generated into imports/), and a PostSync smoke test that calls both once
// everything is up.
import { App, Hook, SyncWave, type Environment } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
import { Certificate, CertificateSpecPrivateKeyAlgorithm } from '../imports/cert-manager.io.ts';
import type { ShopSettings } from '../settings.ts';

export interface WebAppProps {
  readonly settings: ShopSettings;
  /** The API's Service name, which the front end proxies to. */
  readonly apiServiceName: string;
}

export class WebApp extends App {
  constructor(env: Environment, name: string, props: WebAppProps) {
    super(env, name, { labels: { 'app.kubernetes.io/part-of': 'shop' } });
    const { settings } = props;

    const deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: 'web' },
      replicas: settings.replicas.web,
      containers: [
        {
          name: 'web',
          image: env.image('web'),
          ports: [{ number: 8080, name: 'http' }],
          envVariables: {
            LOG_LEVEL: kplus.EnvValue.fromValue(settings.logLevel),
            API_URL: kplus.EnvValue.fromValue(`http://${props.apiServiceName}`),
          },
          readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
        },
      ],
    });
    const service = deployment.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
    const tlsSecretName = 'web-tls';
    new Certificate(this, 'certificate', {
      metadata: { name: 'web-tls' },
      spec: {
        secretName: tlsSecretName,
        dnsNames: [settings.host],
        issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' },
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
      },
    });
    new kplus.Ingress(this, 'ingress', {
      metadata: { name: 'web' },
      rules: [
        {
          host: settings.host,
          path: '/',
          pathType: kplus.HttpIngressPathType.PREFIX,
          backend: kplus.IngressBackend.fromService(service),
        },
      ],
      tls: [{ hosts: [settings.host], secret: kplus.Secret.fromSecretName(this, 'tls-secret', tlsSecretName) }],
    });
    SyncWave.set(this, 1);

    const smoke = new kplus.Job(this, 'smoke-test', {
      metadata: { name: 'web-smoke-test' },
      backoffLimit: 0,
      containers: [
        {
          name: 'smoke-test',
          image: env.image('smoke-test'),
          command: ['sh', '-c', `curl -fsS http://web/healthz && curl -fsS http://${props.apiServiceName}/healthz`],
        },
      ],
    });
    Hook.mark(smoke, { phase: 'PostSync', deletePolicy: 'HookSucceeded' });
  }
}
