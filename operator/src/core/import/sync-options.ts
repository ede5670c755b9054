// Argo CD's sync options, each with what Keelson does: its equivalent (converted), or why it
// has none and what to do instead (not carried over).
import { ANNOTATION_PRUNE } from '../keys.ts';

export interface SyncOptionOutcome {
  readonly converted: boolean;
  readonly text: string;
  /** Carried unchanged into the Environment's spec.sync.options. */
  readonly carried?: boolean;
}

export const CREATE_NAMESPACE: SyncOptionOutcome = {
  converted: true,
  text:
    'Keelson creates only namespaces the environment declares, so the deploy code declares this one, ' +
    `annotated ${ANNOTATION_PRUNE}: "false" (never pruned, as Argo CD never deletes it)`,
};

export const NO_PRUNE: SyncOptionOutcome = {
  converted: false,
  text:
    'automated prune is left off; a sync asking for prune still prunes: ' +
    `annotate objects ${ANNOTATION_PRUNE}: "false" to keep them`,
};

const converted = (text: string): SyncOptionOutcome => ({ converted: true, text });
const listed = (text: string): SyncOptionOutcome => ({ converted: false, text });
const carried = (text: string): SyncOptionOutcome => ({ converted: true, text, carried: true });

const SYNC_OPTIONS: Readonly<Record<string, SyncOptionOutcome>> = {
  'CreateNamespace=true': CREATE_NAMESPACE,
  'CreateNamespace=false': converted('the default'),
  'Prune=false': NO_PRUNE,
  'ServerSideApply=true': converted("Keelson's default: it always applies server-side (field manager keelson)"),
  'ServerSideApply=false': listed('Keelson always applies server-side (field manager keelson)'),
  'PruneLast=true': converted("Keelson's default: prune runs after every wave is applied and healthy"),
  'PrunePropagationPolicy=background': converted("Keelson's default: it deletes with background propagation"),
  'PrunePropagationPolicy=foreground': carried('spec.sync.options: prune and deletion wait for dependents'),
  'PrunePropagationPolicy=orphan': carried('spec.sync.options: prune and deletion leave dependents in place'),
  'Validate=false': carried('spec.sync.options: fields the schema does not know are dropped, not refused'),
  'ApplyOutOfSyncOnly=true': listed('no equivalent: Keelson applies every object of the sync'),
  'RespectIgnoreDifferences=true': listed(
    'ignored fields only leave the comparison, a sync still applies them: ' +
      'leave them out of the deploy code instead',
  ),
  'FailOnSharedResource=true': carried('spec.sync.options: an object another Environment owns fails the sync'),
  'SkipDryRunOnMissingResource=true': carried('spec.sync.options: a kind not yet served skips the dry-run'),
  'Replace=true': carried('spec.sync.options: objects are replaced, not applied server-side'),
  'Force=true': carried('spec.sync.options: an object whose immutable fields change is deleted and created again'),
};

/** What Keelson does for one `Name=value` sync option. */
export function syncOption(option: string): SyncOptionOutcome {
  return SYNC_OPTIONS[option] ?? listed('no equivalent in Keelson');
}
