// APIService: Healthy once the aggregated API is Available.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import { conditionText, findCondition } from './object-fields.ts';

export function assessApiService(obj: KubeObject): HealthAssessment {
  const available = findCondition(obj, 'Available');
  if (available?.status === 'True') return healthy;
  return progressing(available ? conditionText(available) : 'waiting for the API service to become available');
}
