// A real OIDC provider for the single-sign-on tests: test/harness/oidc-provider (zitadel/oidc's
// OP, built by build-binaries.sh) over HTTPS on a free loopback port, with a certificate of its
// own test CA, one user and one public client (PKCE). A control plane trusts it with
// `ControlPlane.start({ oidc: provider.trust })`.
//
//   const idp = await OidcProvider.start({ email: 'alice@example.com' });
//   idp.issuer;  idp.user.password;  idp.caFile;
//   await idp.stop();
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { oidcProviderBinary } from './binaries.ts';
import { createPki } from './pki.ts';
import { freePort } from './ports.ts';
import { ProcessGroup } from './process-group.ts';

/** What the API server needs to accept an issuer's ID tokens (its --oidc-* flags). */
export interface OidcTrust {
  /** The issuer's URL, exactly as its ID tokens' `iss`. */
  readonly issuerUrl: string;
  /** The ID tokens' audience. */
  readonly clientId: string;
  /** PEM CA of the issuer's TLS certificate. */
  readonly caFile: string;
  /** @default 'email' */
  readonly usernameClaim?: string;
  /** @default 'groups' */
  readonly groupsClaim?: string;
}

/** The API server's flags that make it accept the issuer's ID tokens: users `oidc:<email>`, groups `oidc:<group>`. */
export function oidcFlags(oidc: OidcTrust | undefined): string[] {
  if (!oidc) return [];
  return [
    `--oidc-issuer-url=${oidc.issuerUrl}`,
    `--oidc-client-id=${oidc.clientId}`,
    `--oidc-ca-file=${oidc.caFile}`,
    `--oidc-username-claim=${oidc.usernameClaim ?? 'email'}`,
    '--oidc-username-prefix=oidc:',
    `--oidc-groups-claim=${oidc.groupsClaim ?? 'groups'}`,
    '--oidc-groups-prefix=oidc:',
  ];
}

export interface OidcProviderOptions {
  /** @default 'keelson' */
  readonly clientId?: string;
  /** A loopback redirect URI matches every port (RFC 8252). @default 'http://127.0.0.1/ui/auth/callback' */
  readonly redirectUri?: string;
  /** The login name on the provider's form. @default 'alice' */
  readonly username?: string;
  /** @default a random one */
  readonly password?: string;
  /** @default 'alice@example.com' */
  readonly email?: string;
  /** The ID token's `groups`. @default [] */
  readonly groups?: readonly string[];
}

export interface OidcUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export class OidcProvider {
  /** `https://127.0.0.1:<port>`: the issuer URL, the `iss` of its tokens. */
  readonly issuer: string;
  readonly clientId: string;
  /** The CA (PEM file) that signed the provider's certificate. */
  readonly caFile: string;
  /** The provider's serving certificate (PEM file; a browser may pin its key). */
  readonly certFile: string;
  readonly user: OidcUser;
  readonly logFile: string;
  readonly #dir: string;
  readonly #processes: ProcessGroup;

  private constructor(init: {
    issuer: string;
    clientId: string;
    caFile: string;
    certFile: string;
    user: OidcUser;
    dir: string;
    processes: ProcessGroup;
  }) {
    this.issuer = init.issuer;
    this.clientId = init.clientId;
    this.caFile = init.caFile;
    this.certFile = init.certFile;
    this.user = init.user;
    this.#dir = init.dir;
    this.logFile = join(init.dir, 'oidc-provider.log');
    this.#processes = init.processes;
  }

  /** The trust a control plane needs (ControlPlaneOptions.oidc). */
  get trust(): OidcTrust {
    return { issuerUrl: this.issuer, clientId: this.clientId, caFile: this.caFile };
  }

  /** Starts the provider and waits until its discovery document answers. */
  static async start(options: OidcProviderOptions = {}): Promise<OidcProvider> {
    const [bin, port] = await Promise.all([oidcProviderBinary(), freePort()]);
    const dir = mkdtempSync(join(tmpdir(), 'keelson-oidc-'));
    mkdirSync(join(dir, 'pki'));
    const pki = await createPki(join(dir, 'pki'));
    const user: OidcUser = {
      username: options.username ?? 'alice',
      password: options.password ?? randomBytes(12).toString('base64url'),
      email: options.email ?? 'alice@example.com',
      groups: options.groups ?? [],
    };
    const issuer = `https://127.0.0.1:${port}`;
    const processes = new ProcessGroup();
    const provider = new OidcProvider({
      issuer,
      clientId: options.clientId ?? 'keelson',
      caFile: pki.caCert,
      certFile: pki.serverCert,
      user,
      dir,
      processes,
    });
    processes.start('oidc-provider', bin, {
      logFile: provider.logFile,
      args: [
        `--issuer=${issuer}`,
        `--listen=127.0.0.1:${port}`,
        `--tls-cert=${pki.serverCert}`,
        `--tls-key=${pki.serverKey}`,
        `--client-id=${provider.clientId}`,
        `--redirect-uri=${options.redirectUri ?? 'http://127.0.0.1/ui/auth/callback'}`,
        `--username=${user.username}`,
        `--password=${user.password}`,
        `--email=${user.email}`,
        `--groups=${user.groups.join(',')}`,
      ],
    });
    try {
      await provider.#waitDiscovery(30_000);
    } catch (err) {
      await provider.stop();
      throw err;
    }
    return provider;
  }

  async stop(): Promise<void> {
    await this.#processes.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** The provider's log (its requests' paths; never their queries). */
  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async #waitDiscovery(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      this.#processes.assertRunning();
      try {
        const doc = JSON.parse(await this.#get('/.well-known/openid-configuration')) as { issuer?: string };
        if (doc.issuer === this.issuer) return;
        last = `it names the issuer ${doc.issuer}`;
      } catch (err) {
        last = String(err);
      }
      await sleep(100);
    }
    throw new Error(`the OIDC provider did not answer its discovery document in time: ${last}`);
  }

  #get(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.issuer}${path}`, { ca: readFileSync(this.caFile), timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`))));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
  }
}
