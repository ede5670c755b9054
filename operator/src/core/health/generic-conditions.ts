// Any other kind that reports status.conditions in the kstatus manner: Stalled=True is
// Degraded, Ready (or Available) decides otherwise; without such conditions it is Healthy.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { conditionText, findCondition, isGenerationPending } from './object-fields.ts';

export function assessByConditions(obj: KubeObject): HealthAssessment {
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status === 'True') return degraded(conditionText(stalled));
  const ready = findCondition(obj, 'Ready') ?? findCondition(obj, 'Available');
  if (!ready) return isGenerationPending(obj) ? progressing('waiting for the spec update to be observed') : healthy;
  if (isGenerationPending(obj)) return progressing('waiting for the spec update to be observed');
  if (ready.status === 'True') return healthy;
  const reconciling = findCondition(obj, 'Reconciling');
  if (ready.status === 'Unknown' || reconciling?.status === 'True') return progressing(conditionText(ready));
  return degraded(conditionText(ready));
}
