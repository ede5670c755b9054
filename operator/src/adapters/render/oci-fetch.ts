// Pulls a Helm chart from an OCI registry with the distribution API: the manifest of the
// tag, then the blob of its chart layer, checked against its digest. Authentication as
// registries do it: Basic, or a Bearer token from the realm the 401 names (with the
// Environment's credentials, when it has some).
import { createHash } from 'node:crypto';
import { authorizationHeaders } from '../git/credentials.ts';
import type { ChartAccess, ChartCredentials } from './chart-store.ts';

export interface RegistryFetch {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json';
const CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

interface Manifest {
  layers?: { mediaType?: string; digest?: string }[];
}

/** The chart archive `oci://host/path/name` at `version`. Throws with a message naming the chart. */
export async function fetchRegistry(
  reference: string,
  version: string,
  access: ChartAccess,
  limits: RegistryFetch,
): Promise<Uint8Array> {
  const rest = reference.slice('oci://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new Error(`"${reference}" names no repository: expected oci://host/path/chart`);
  const host = rest.slice(0, slash);
  const repository = rest.slice(slash + 1);
  const base = `${access.plainHttp ? 'http' : 'https'}://${host}/v2/${repository}`;
  const client = new RegistryClient(reference, access, limits);
  const manifestBytes = await client.get(
    `${base}/manifests/${encodeURIComponent(version)}`,
    MANIFEST_TYPES,
    `${reference} has no version ${version}`,
  );
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  const layer = manifest.layers?.find((l) => l.mediaType === CHART_LAYER);
  if (!layer?.digest) throw new Error(`${reference}:${version} is not a Helm chart (no layer of type ${CHART_LAYER})`);
  const blob = await client.get(`${base}/blobs/${layer.digest}`, '*/*', `${reference}:${version} lost its chart layer`);
  const actual = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  if (actual !== layer.digest) throw new Error(`the chart layer of ${reference}:${version} does not match its digest`);
  return blob;
}

/** The registry could not be reached, or failed (5xx). */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

/** The Basic Authorization header of a username and password. */
export function basicAuthorization(c: ChartCredentials): string {
  return authorizationHeaders(c).authorization!;
}

class RegistryClient {
  readonly #reference: string;
  readonly #access: ChartAccess;
  readonly #limits: RegistryFetch;
  #authorization: string | undefined;

  constructor(reference: string, access: ChartAccess, limits: RegistryFetch) {
    this.#reference = reference;
    this.#access = access;
    this.#limits = limits;
  }

  async get(url: string, accept: string, notFound: string): Promise<Uint8Array> {
    let response = await this.#send(url, accept);
    if (response.status === 401) {
      this.#authorization = await this.#authorize(response.headers.get('www-authenticate') ?? '');
      response = await this.#send(url, accept);
    }
    if (response.status === 401 || response.status === 403) {
      throw new Error(
        this.#access.credentials
          ? `the registry of ${this.#reference} refused the credentials (${response.status})`
          : `the registry of ${this.#reference} needs credentials (${response.status}): add it to the Environment's spec.chartRepositories`,
      );
    }
    if (response.status === 404) throw new Error(notFound);
    if (!response.ok) {
      const message = `the registry of ${this.#reference} answered ${response.status} for ${url}`;
      throw response.status >= 500 ? new RegistryUnavailableError(message) : new Error(message);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > this.#limits.maxBytes)
      throw new Error(`${url} is larger than the limit of ${this.#limits.maxBytes} bytes`);
    return bytes;
  }

  async #send(url: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.#authorization) headers.authorization = this.#authorization;
    try {
      return await fetch(url, { headers, signal: AbortSignal.timeout(this.#limits.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new RegistryUnavailableError(`the registry of ${this.#reference} cannot be reached: ${why}`);
    }
  }

  /** The Authorization header a 401's challenge asks for. */
  async #authorize(challenge: string): Promise<string | undefined> {
    const credentials = this.#access.credentials;
    const basic = credentials ? basicAuthorization(credentials) : undefined;
    if (!/^bearer\s/i.test(challenge)) return basic;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
    );
    if (!params.realm) return basic;
    const url = new URL(params.realm);
    for (const name of ['service', 'scope']) if (params[name]) url.searchParams.set(name, params[name]);
    const response = await fetch(url, {
      headers: basic ? { authorization: basic } : {},
      signal: AbortSignal.timeout(this.#limits.timeoutMs),
    }).catch((err: Error) => {
      throw new RegistryUnavailableError(`the token service of ${this.#reference} cannot be reached: ${err.message}`);
    });
    if (!response.ok) return basic;
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : basic;
  }
}
