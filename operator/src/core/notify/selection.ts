// Which Environments a Notification watches: those spec.environments names, or whose labels
// include all of its matchLabels (either is enough), in the Notification's own namespace.
import type { NotificationSpec } from '../../api/v1alpha1/notification.ts';

export function selectsEnvironment(
  selector: NotificationSpec['environments'],
  name: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector.names?.includes(name)) return true;
  const match = selector.matchLabels;
  if (!match) return false;
  return Object.entries(match).every(([k, v]) => labels?.[k] === v);
}
