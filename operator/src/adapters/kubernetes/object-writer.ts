// Writes the objects of a sync wave as their sync options say: server-side apply (the
// default) or replace (Replace=true), strict field validation unless Validate=false, a
// refusal to take over an object another Environment owns (FailOnSharedResource=true), and
// for a change the API server refuses because a field is immutable, deletion and creation
// anew (Force=true) or an error that names the fields and the fix. It also creates the
// namespaces a sync needs and nobody declares (CreateNamespace=true).
import type { KubeObject } from '../../core/manifest.ts';
import { describeKey, keyOf } from '../../core/manifest.ts';
import { ANNOTATION_CREATED_FOR, ANNOTATION_OWNER } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import { ownerAnnotation, retentionOf, type OwnerReference } from '../../core/sync/ownership.ts';
import { fieldValidationOf, immutableFieldAdvice, type SyncOptions } from '../../core/sync/sync-options.ts';
import { KubeApiError } from './api-error.ts';
import type { Applier, ApplyOutcome } from './applier.ts';

/** How long a Force=true re-creation waits for the old object to go (its finalizers) before it gives up. */
const RECREATE_WAIT_MS = 30_000;

export interface NamespaceMetadata {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export class ObjectWriter {
  readonly #applier: Applier;
  readonly #owner: OwnerReference;
  readonly #log: Logger;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(applier: Applier, owner: OwnerReference, log: Logger) {
    this.#applier = applier;
    this.#owner = owner;
    this.#log = log;
    this.#sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Writes every object with its options; a failure does not stop the others. Outcomes in input order. */
  writeAll(objects: readonly KubeObject[], optionsOf: (obj: KubeObject) => SyncOptions): Promise<ApplyOutcome[]> {
    return this.#applier.writeAll(objects, (obj) => this.#write(obj, optionsOf(obj)));
  }

  async #write(obj: KubeObject, options: SyncOptions): Promise<KubeObject> {
    if (options.failOnSharedResource) await this.#refuseShared(obj);
    try {
      return await this.#put(obj, options);
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.immutableFields.length === 0) throw err;
      const fields = err.immutableFields;
      if (!options.force) throw new Error(`${err.message}; ${immutableFieldAdvice(fields)}`, { cause: err });
      return this.#recreate(obj, options, fields);
    }
  }

  #put(obj: KubeObject, options: SyncOptions): Promise<KubeObject> {
    const write = { fieldValidation: fieldValidationOf(options) };
    return options.replace ? this.#applier.replace(obj, write) : this.#applier.apply(obj, write);
  }

  /** FailOnSharedResource=true: an object another Environment owns is not taken over. */
  async #refuseShared(obj: KubeObject): Promise<void> {
    const live = await this.#applier.read({ apiVersion: obj.apiVersion, key: keyOf(obj) });
    const holder = live?.metadata.annotations?.[ANNOTATION_OWNER];
    if (holder && holder !== ownerAnnotation(this.#owner)) {
      throw new Error(
        `it is owned by Environment ${holder}, and FailOnSharedResource=true forbids taking it over ` +
          '(remove it from one of the two Environments)',
      );
    }
  }

  /** Force=true: deleted (only if still this Environment's or no one's), gone, then written anew. */
  async #recreate(obj: KubeObject, options: SyncOptions, fields: readonly string[]): Promise<KubeObject> {
    const address = { apiVersion: obj.apiVersion, key: keyOf(obj) };
    const what = describeKey(keyOf(obj));
    const owner = this.#owner;
    const rule = (live: KubeObject) =>
      live.metadata.annotations?.[ANNOTATION_OWNER] === undefined
        ? undefined
        : retentionOf(live, owner, { hook: true });
    const outcome = await this.#applier.deleteIf(address, rule, 'Background');
    if (outcome.result === 'retained')
      throw new Error(`cannot delete it to create it again: ${outcome.retention.message}`);
    this.#log.info('deleting an object to create it again (Force=true): a field cannot change in place', {
      object: what,
      fields: fields.join(', '),
    });
    for (let waited = 0; await this.#applier.read(address); waited += 250) {
      if (waited >= RECREATE_WAIT_MS)
        throw new Error(
          `deleted to create it again (Force=true), but it was still there after ${RECREATE_WAIT_MS / 1000} s`,
        );
      await this.#sleep(250);
    }
    return this.#put(obj, options);
  }

  /**
   * CreateNamespace=true: each namespace the objects are in that nobody declares and that
   * does not exist is created, with `metadata` (spec.sync.managedNamespaceMetadata). It is
   * not in the inventory: Keelson never prunes or deletes it, as Argo CD never does.
   */
  async createNamespaces(
    objects: readonly KubeObject[],
    declared: readonly string[],
    metadata: NamespaceMetadata = {},
  ): Promise<string[]> {
    const needed = new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => Boolean(n)));
    for (const name of declared) needed.delete(name);
    const created: string[] = [];
    for (const name of needed) {
      if (await this.#applier.read({ apiVersion: 'v1', key: { kind: 'Namespace', namespace: '', name } })) continue;
      const namespace: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          labels: { ...metadata.labels },
          annotations: { ...metadata.annotations, [ANNOTATION_CREATED_FOR]: ownerAnnotation(this.#owner) },
        },
      };
      if (await this.#applier.create(namespace)) created.push(name);
    }
    if (created.length > 0)
      this.#log.info('created namespaces (CreateNamespace=true)', { namespaces: created.join(', ') });
    return created;
  }
}
