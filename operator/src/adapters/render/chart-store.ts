// Chart archives from HTTP(S) chart repositories and OCI registries, fetched by the operator
// (never by helm, which then renders a local file with no network and no credentials) and
// kept on disk by digest. A pinned version fetched once is served from the disk afterwards,
// so a repository that is down does not stop a chart that was rendered before.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { basicAuthorization, fetchRegistry, RegistryUnavailableError, type RegistryFetch } from './oci-fetch.ts';

export interface ChartCredentials {
  readonly username: string;
  readonly password: string;
}

/** How to reach one chart repository or registry: from the Environment's spec.chartRepositories. */
export interface ChartAccess {
  readonly credentials?: ChartCredentials;
  /** Speak plain HTTP to an OCI registry. @default false */
  readonly plainHttp?: boolean;
}

export type RemoteChart =
  | { readonly type: 'repository'; readonly repository: string; readonly name: string; readonly version: string }
  | { readonly type: 'oci'; readonly reference: string; readonly version: string };

export interface FetchedChart {
  /** The archive on disk. */
  readonly file: string;
  readonly digest: string;
}

export interface ChartStoreOptions {
  readonly cacheDir: string;
  /** Time one HTTP request may take, in ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Bytes a chart archive or index may have. @default 64 MiB */
  readonly maxBytes?: number;
}

/** A fetch that failed for a reason of the repository (missing chart, refused credentials, down). */
export class ChartFetchError extends Error {
  override readonly name = 'ChartFetchError';
  /** The repository or registry could not be reached or failed (5xx): trying again later may work. */
  readonly unavailable: boolean;
  constructor(message: string, options: { unavailable?: boolean } = {}) {
    super(message);
    this.unavailable = options.unavailable ?? false;
  }
}

interface IndexEntry {
  version?: string;
  urls?: string[];
  digest?: string;
}

export class ChartStore {
  readonly #options: ChartStoreOptions;
  readonly #known = new Map<string, FetchedChart>();

  constructor(options: ChartStoreOptions) {
    this.#options = options;
  }

  /** A human name of the chart, for messages. */
  static describe(chart: RemoteChart): string {
    return chart.type === 'oci'
      ? `${chart.reference}:${chart.version}`
      : `"${chart.name}" ${chart.version} of ${chart.repository}`;
  }

  /** The chart's archive: from memory, from disk, or fetched. */
  async fetch(chart: RemoteChart, access: ChartAccess): Promise<FetchedChart> {
    // Who fetched it is part of the key: a chart fetched with one Environment's credentials is never served to another without them.
    const who = access.credentials
      ? createHash('sha256')
          .update(`${access.credentials.username}\0${access.credentials.password}`)
          .digest('hex')
          .slice(0, 16)
      : 'anonymous';
    const where = chart.type === 'oci' ? `oci|${chart.reference}` : `repo|${chart.repository}|${chart.name}`;
    const key = `${where}|${chart.version}|${who}`;
    const known = this.#known.get(key) ?? (await this.#fromDisk(key));
    if (known) return known;
    const bytes =
      chart.type === 'oci' ? await this.#fetchOci(chart, access) : await this.#fetchFromRepository(chart, access);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const file = join(this.#options.cacheDir, 'charts', `${digest.slice(7)}.tgz`);
    await writeAtomically(file, bytes);
    await writeAtomically(this.#refFile(key), Buffer.from(digest));
    const fetched = { file, digest };
    this.#known.set(key, fetched);
    return fetched;
  }

  #refFile(key: string): string {
    return join(this.#options.cacheDir, 'refs', createHash('sha256').update(key).digest('hex'));
  }

  async #fromDisk(key: string): Promise<FetchedChart | undefined> {
    const digest = await readFile(this.#refFile(key), 'utf8').catch(() => undefined);
    if (!digest) return undefined;
    const file = join(this.#options.cacheDir, 'charts', `${digest.slice(7)}.tgz`);
    if (
      !(await stat(file).then(
        () => true,
        () => false,
      ))
    )
      return undefined;
    const fetched = { file, digest };
    this.#known.set(key, fetched);
    return fetched;
  }

  async #fetchFromRepository(
    chart: Extract<RemoteChart, { type: 'repository' }>,
    access: ChartAccess,
  ): Promise<Uint8Array> {
    const indexUrl = `${chart.repository}/index.yaml`;
    const index = parse(new TextDecoder().decode(await this.#get(indexUrl, chart.repository, access))) as {
      entries?: Record<string, IndexEntry[]>;
    } | null;
    const versions = index?.entries?.[chart.name];
    if (!versions) {
      const names =
        Object.keys(index?.entries ?? {})
          .slice(0, 10)
          .join(', ') || 'none';
      throw new ChartFetchError(
        `the chart repository ${chart.repository} has no chart "${chart.name}" (it has: ${names})`,
      );
    }
    const entry = versions.find((v) => v.version === chart.version || v.version === chart.version.replace(/^v/, ''));
    if (!entry?.urls?.[0]) {
      const have = versions
        .map((v) => v.version)
        .slice(0, 10)
        .join(', ');
      throw new ChartFetchError(
        `the chart repository ${chart.repository} has no version ${chart.version} of "${chart.name}" (it has: ${have})`,
      );
    }
    const url = new URL(entry.urls[0], `${chart.repository}/`).toString();
    const sameOrigin = new URL(url).origin === new URL(chart.repository).origin;
    const bytes = await this.#get(url, chart.repository, sameOrigin ? access : {});
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (entry.digest && entry.digest !== digest) {
      throw new ChartFetchError(
        `the archive of ${ChartStore.describe(chart)} does not match the digest in the repository's index`,
      );
    }
    return bytes;
  }

  async #get(url: string, repository: string, access: ChartAccess): Promise<Uint8Array> {
    const headers: Record<string, string> = {};
    if (access.credentials) headers.authorization = basicAuthorization(access.credentials);
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ChartFetchError(`the chart repository ${repository} cannot be reached: ${why}`, { unavailable: true });
    }
    if (response.status === 401 || response.status === 403) {
      throw new ChartFetchError(
        access.credentials
          ? `the chart repository ${repository} refused the credentials (${response.status})`
          : `the chart repository ${repository} needs credentials (${response.status}): add it to the Environment's spec.chartRepositories`,
      );
    }
    if (!response.ok) {
      throw new ChartFetchError(`the chart repository ${repository} answered ${response.status} for ${url}`, {
        unavailable: response.status >= 500,
      });
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > (this.#options.maxBytes ?? 64 * 1024 * 1024))
      throw new ChartFetchError(`${url} is larger than the limit`);
    return bytes;
  }

  #fetchOci(chart: Extract<RemoteChart, { type: 'oci' }>, access: ChartAccess): Promise<Uint8Array> {
    const registryFetch: RegistryFetch = {
      timeoutMs: this.#options.timeoutMs ?? 30_000,
      maxBytes: this.#options.maxBytes ?? 64 * 1024 * 1024,
    };
    return fetchRegistry(chart.reference, chart.version, access, registryFetch).catch((err: Error) => {
      throw new ChartFetchError(err.message, { unavailable: err instanceof RegistryUnavailableError });
    });
  }
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}
