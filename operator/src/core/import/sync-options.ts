// Argo CD's sync options, each with what Keelson does: its equivalent (converted), or why it
// has none and what to do instead (not carried over).
import { ANNOTATION_PRUNE } from '../keys.ts';

export interface SyncOptionOutcome {
  readonly converted: boolean;
  readonly text: string;
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

const SYNC_OPTIONS: Readonly<Record<string, SyncOptionOutcome>> = {
  'CreateNamespace=true': CREATE_NAMESPACE,
  'CreateNamespace=false': converted('the default'),
  'Prune=false': NO_PRUNE,
  'ServerSideApply=true': converted("Keelson's default: it always applies server-side (field manager keelson)"),
  'ServerSideApply=false': listed('Keelson always applies server-side (field manager keelson)'),
  'PruneLast=true': converted("Keelson's default: prune runs after every wave is applied and healthy"),
  'PrunePropagationPolicy=background': converted("Keelson's default: it deletes with background propagation"),
  'Validate=false': listed('Keelson always validates: every object passes a server-side dry-run before any is applied'),
  'ApplyOutOfSyncOnly=true': listed('no equivalent: Keelson applies every object of the sync'),
  'RespectIgnoreDifferences=true': listed(
    'ignored fields only leave the comparison, a sync still applies them: ' +
      'leave them out of the deploy code instead',
  ),
  'FailOnSharedResource=true': listed('no equivalent: Keelson applies with force, taking over the fields it declares'),
  'SkipDryRunOnMissingResource=true': listed(
    'no equivalent: only objects of a CRD the same sync creates skip ' + 'the dry-run\'s "not found"',
  ),
  'Replace=true': listed('no equivalent: Keelson always applies server-side, it never replaces'),
  'Force=true': listed('no equivalent: Keelson never deletes and recreates an object to apply it'),
};

/** What Keelson does for one `Name=value` sync option. */
export function syncOption(option: string): SyncOptionOutcome {
  return SYNC_OPTIONS[option] ?? listed('no equivalent in Keelson');
}
