// The message of an event: its template variables, and the default text of each trigger,
// which says the environment, the revision, the result and where to look (the UI's page of
// the Environment, when the operator knows the UI's address).
import type { NotificationTrigger } from '../../api/v1alpha1/notification.ts';
import { parseTemplate, renderTemplate, type TemplateVariables } from './template.ts';
import type { TriggerEvent } from './triggers.ts';

/** The UI's page of an Environment (docs/ui.md), under the base URL the operator is given. */
export function environmentUrl(uiUrl: string | undefined, namespace: string, name: string): string {
  if (!uiUrl) return '';
  return `${uiUrl.replace(/\/+$/, '')}/ui/environments/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export function messageVariables(event: TriggerEvent, namespace: string, uiUrl: string | undefined): TemplateVariables {
  const commit = /@sha1:([0-9a-f]{40})$/.exec(event.revision)?.[1] ?? '';
  return {
    trigger: event.trigger,
    namespace,
    environment: event.environment,
    revision: event.revision,
    commit,
    shortCommit: commit.slice(0, 7),
    result: event.result,
    message: event.detail,
    url: environmentUrl(uiUrl, namespace, event.environment),
    initiatedBy: event.initiatedBy,
  };
}

const DEFAULTS: Readonly<Record<NotificationTrigger, string>> = {
  SyncSucceeded: '✅ {{namespace}}/{{environment}}: sync of {{revision}} succeeded',
  SyncFailed: '❌ {{namespace}}/{{environment}}: sync of {{revision}} failed: {{message}}',
  HealthDegraded: '⚠️ {{namespace}}/{{environment}} is Degraded at {{revision}}: {{message}}',
  HealthRecovered: '💚 {{namespace}}/{{environment}} is Healthy again at {{revision}}',
  ManualSyncPending: '⏳ {{namespace}}/{{environment}}: {{revision}} waits for a sync ({{message}})',
  RolledBack: '↩️ {{namespace}}/{{environment}} rolled back to {{revision}}',
  SourceFailed: '🛑 {{namespace}}/{{environment}}: the deploy repository cannot be used: {{message}}',
};

/** The default text of a trigger, with who started it and the link when there are. */
export function defaultMessage(variables: TemplateVariables): string {
  const parsed = parseTemplate(DEFAULTS[variables.trigger as NotificationTrigger]);
  if (!parsed.ok) throw new Error(`the default template of ${variables.trigger}: ${parsed.error}`);
  const by = variables.initiatedBy ? ` (by ${variables.initiatedBy})` : '';
  const link = variables.url ? `\n${variables.url}` : '';
  return `${renderTemplate(parsed.parts, variables)}${by}${link}`;
}

/** The user's template when it parses, else the default text (the error is the caller's to report). */
export function composeMessage(
  template: string | undefined,
  variables: TemplateVariables,
): { readonly text: string; readonly templateError?: string } {
  if (template === undefined) return { text: defaultMessage(variables) };
  const parsed = parseTemplate(template);
  if (!parsed.ok) return { text: defaultMessage(variables), templateError: parsed.error };
  return { text: renderTemplate(parsed.parts, variables) };
}
