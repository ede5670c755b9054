// The world of the single-sign-on test: a real OIDC provider (zitadel/oidc's OP), a control
// plane of its own whose API server trusts it (--oidc-*), the CRDs, two namespaces with two
// Environments each, RBAC that lets the provider's user (`oidc:<email>`) read the first
// namespace only and sync one Environment there, the operator with --oidc-issuer-url, and a
// Chromium that trusts exactly the provider's key.
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_LAUNCH_TIMEOUT_MS } from '../../harness/browser.ts';
import { ControlPlane } from '../../harness/control-plane.ts';
import { createTestNamespace, installCrds, loadKubeConfig } from '../../harness/kube.ts';
import { OidcProvider } from '../../harness/oidc-provider.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';

export const EMAIL = 'alice@example.com';
/** The user's name as the cluster sees it: the API server's --oidc-username-prefix and the email claim. */
export const OIDC_USER = `oidc:${EMAIL}`;
export const OIDC_GROUP = 'oidc:team-a';
/** The Environments of each namespace; the user may sync the first of the allowed namespace only. */
export const ENVIRONMENTS = ['api', 'web'] as const;

export interface SsoWorld {
  readonly idp: OidcProvider;
  readonly cp: ControlPlane;
  readonly kc: k8s.KubeConfig;
  /** The namespace the user may read (and sync `api` in). */
  readonly allowed: string;
  /** A namespace the user may not read. */
  readonly other: string;
  readonly operator: OperatorProcess;
  readonly browser: Browser;
  /** The operator's UI: `http://127.0.0.1:<port>`. */
  readonly base: string;
}

export async function startSsoWorld(): Promise<SsoWorld> {
  const idp = await OidcProvider.start({ email: EMAIL, groups: ['team-a'] });
  const cp = await ControlPlane.start({ oidc: idp.trust, nodes: 1 });
  const kc = loadKubeConfig(cp.kubeconfig);
  await installCrds(kc);
  const allowed = await createTestNamespace(kc, 'sso-allowed');
  const other = await createTestNamespace(kc, 'sso-other');
  for (const namespace of [allowed, other]) await createEnvironments(kc, namespace);
  await grantOidcUser(kc, allowed);
  const operator = new OperatorProcess({
    kubeconfig: cp.kubeconfig,
    args: [
      `--namespaces=${allowed},${other}`,
      `--oidc-issuer-url=${idp.issuer}`,
      `--oidc-client-id=${idp.clientId}`,
      `--oidc-ca-file=${idp.caFile}`,
    ],
  });
  await operator.start();
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: CHROMIUM_LAUNCH_TIMEOUT_MS,
    // The provider's certificate comes from a test CA: Chromium accepts exactly its key, nothing else.
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(idp.certFile)}`],
  });
  return { idp, cp, kc, allowed, other, operator, browser, base: `http://127.0.0.1:${operator.apiPort}` };
}

export async function stopSsoWorld(world: Partial<SsoWorld>): Promise<void> {
  await world.browser?.close();
  await world.operator?.stop();
  await world.cp?.stop();
  await world.idp?.stop();
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of a certificate: what Chromium's SPKI list takes. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A GitRepository (that no one serves: the Environments need not sync) and the Environments. */
async function createEnvironments(kc: k8s.KubeConfig, namespace: string): Promise<void> {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const create = (kind: string, plural: string, name: string, spec: unknown) =>
    custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace,
      plural,
      body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
    });
  await create('GitRepository', 'gitrepositories', 'deploy', { url: 'http://127.0.0.1:9/deploy.git', insecure: true });
  for (const name of ENVIRONMENTS)
    await create('Environment', 'environments', name, {
      sourceRef: { name: 'deploy' },
      environment: name,
      targetNamespace: namespace,
    });
}

/** The OIDC user may get and list Environments and GitRepositories in `namespace`, and sync `api` there. */
async function grantOidcUser(kc: k8s.KubeConfig, namespace: string): Promise<void> {
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const rules: k8s.V1PolicyRule[] = [
    { apiGroups: ['keelson.dev'], resources: ['environments', 'gitrepositories'], verbs: ['get', 'list'] },
    { apiGroups: ['keelson.dev'], resources: ['environments'], resourceNames: [ENVIRONMENTS[0]], verbs: ['sync'] },
  ];
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'sso-viewer' }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'sso-viewer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sso-viewer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: OIDC_USER }],
    },
  });
}
