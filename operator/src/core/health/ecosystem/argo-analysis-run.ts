// Argo Rollouts AnalysisRun: status.phase is Pending, Running, Successful, Failed, Error or
// Inconclusive (Argo Rollouts docs, "Analysis & Progressive Delivery"). Inconclusive means the
// metrics could not decide — the Rollout then pauses for a person — so it is Unknown, as in
// Argo CD's check: neither a pass to build on nor a failure to stop on.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from '../health-status.ts';
import { arrayAt, statusOf, stringAt } from '../object-fields.ts';
import { nameList, waitingFor } from './fields.ts';

/** ` (metric success-rate)`: the metrics that ended in one of `phases`; empty when none did. */
function metricsIn(obj: KubeObject, phases: readonly string[]): string {
  const names = arrayAt(statusOf(obj), 'metricResults')
    .filter((m) => phases.includes(stringAt(m, 'phase') ?? ''))
    .map((m) => stringAt(m, 'name') ?? '?');
  return names.length > 0 ? ` (metric ${nameList(names)})` : '';
}

export function assessAnalysisRun(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  const phase = stringAt(status, 'phase');
  const message = stringAt(status, 'message');
  const why = message ? `: ${message}` : '';
  switch (phase) {
    case undefined:
    case '':
      return waitingFor('the Argo Rollouts controller');
    case 'Successful':
      return healthy;
    case 'Failed':
    case 'Error': {
      const verb = phase === 'Failed' ? 'failed' : 'errored';
      return degraded(`the analysis ${verb}${metricsIn(obj, ['Failed', 'Error'])}${why}`);
    }
    case 'Inconclusive':
      return { status: 'Unknown', message: `the analysis was inconclusive${metricsIn(obj, ['Inconclusive'])}${why}` };
    default:
      return progressing(`the analysis is ${phase.toLowerCase()}${why}`);
  }
}
