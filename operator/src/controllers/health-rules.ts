// The users' health rules, kept current: the ConfigMap named by --health-rules (Argo CD's
// keys, `resource.customizations.health.<group_kind>`, with their Lua scripts) is watched, and
// each version of it is compiled into the rules every assessment then uses. A version that
// does not compile is reported and the rules before it stay: a typo in one script never
// leaves every object judged by the built-in rules alone, or by none.
import type { KubeConnection } from '../adapters/kubernetes/kubeconfig.ts';
import { healthAssessor, type HealthAssessor, type HealthRuleSource } from '../core/health/index.ts';
import type { Logger } from '../core/logger.ts';
import { ResourceWatch, type WatchedObject } from '../adapters/kubernetes/watch.ts';

/** Compiles a ConfigMap's data into rules; throws an Error naming the key that does not compile. */
export type CompileHealthRules = (data: Readonly<Record<string, string>>, origin: string) => Promise<HealthRuleSource>;

export interface HealthRulesOptions {
  /** `<namespace>/<name>` of the ConfigMap. */
  readonly namespace: string;
  readonly name: string;
  readonly compile: CompileHealthRules;
  readonly log: Logger;
  /** Told of every version applied (its resourceVersion) and every one refused. */
  readonly onChange?: (outcome: {
    readonly applied: boolean;
    readonly resourceVersion: string;
    readonly error?: string;
  }) => void;
}

export class HealthRulesController {
  readonly #options: HealthRulesOptions;
  readonly #watch: ResourceWatch;
  #current: HealthAssessor = healthAssessor(undefined);
  /** Versions compile one after another, so an older one never lands after a newer one. */
  #queue: Promise<void> = Promise.resolve();
  #resourceVersion = '';

  constructor(kc: KubeConnection, options: HealthRulesOptions) {
    this.#options = options;
    this.#watch = new ResourceWatch(kc, {
      resource: { group: '', version: 'v1', plural: 'configmaps' },
      namespace: options.namespace,
      onEvent: (type, obj) => {
        if (obj.metadata?.name !== options.name) return;
        this.#queue = this.#queue.then(() => this.#apply(type === 'DELETED' ? undefined : obj));
      },
      onError: (err) => options.log.error('health rules watch failed; reconnecting', { error: String(err) }),
    });
  }

  /** Judges with the rules of the last version that compiled (the built-in rules before any). */
  readonly assess: HealthAssessor = (obj) => this.#current(obj);

  /** Lists the ConfigMap and applies it (a missing one is no user rules), then keeps watching. */
  async start(): Promise<void> {
    await this.#watch.start();
    await this.#queue;
    if (this.#resourceVersion === '') {
      this.#options.log.warn('the health rules ConfigMap does not exist (yet): the built-in rules judge every kind', {
        configMap: `${this.#options.namespace}/${this.#options.name}`,
      });
    }
  }

  async stop(): Promise<void> {
    await this.#watch.stop();
  }

  async #apply(obj: WatchedObject | undefined): Promise<void> {
    const where = `ConfigMap ${this.#options.namespace}/${this.#options.name}`;
    if (!obj) {
      this.#current = healthAssessor(undefined);
      this.#resourceVersion = '';
      this.#options.log.info('the health rules ConfigMap was deleted: the built-in rules judge every kind', {
        configMap: where,
      });
      return;
    }
    const resourceVersion = obj.metadata?.resourceVersion ?? '';
    if (resourceVersion !== '' && resourceVersion === this.#resourceVersion) return;
    const data = (obj as { data?: Record<string, string> }).data ?? {};
    try {
      const rules = await this.#options.compile(data, where);
      this.#current = healthAssessor(rules);
      this.#resourceVersion = resourceVersion;
      this.#options.log.info('health rules applied', {
        configMap: where,
        resourceVersion,
        keys: Object.keys(data).length,
      });
      this.#options.onChange?.({ applied: true, resourceVersion });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.#options.log.error('health rules refused: the rules before them stay', {
        configMap: where,
        resourceVersion,
        error,
      });
      this.#options.onChange?.({ applied: false, resourceVersion, error });
    }
  }
}

/** `<namespace>/<name>` or `<name>` (in `defaultNamespace`). */
export function parseConfigMapRef(text: string, defaultNamespace: string): { namespace: string; name: string } {
  const parts = text.split('/');
  if (parts.length === 1 && parts[0]) return { namespace: defaultNamespace, name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  throw new Error(`--health-rules: "${text}" is not <namespace>/<name> or <name> of a ConfigMap`);
}
