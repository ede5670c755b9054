// Argo Workflows CronWorkflow: a schedule, healthy between runs like a CronJob. spec.suspend
// stops it; SpecError or SubmissionError conditions (True) mean it cannot start its workflows
// (Argo Workflows docs, "Cron Workflows"). status.phase Stopped (v3.6+) means its stop strategy
// ended the schedule: it runs nothing more until someone changes it, so Suspended.
//
// A fresh CronWorkflow with no status is Healthy, not Progressing: like a CronJob, nothing is
// owed until its schedule comes, and the controller writes a status only then.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, suspended, type HealthAssessment } from '../health-status.ts';
import { specOf, statusOf, stringAt } from '../object-fields.ts';
import { because, condition } from './fields.ts';

export function assessCronWorkflow(obj: KubeObject): HealthAssessment {
  if (specOf(obj).suspend === true) return suspended('the CronWorkflow is suspended');
  const specError = condition(obj, 'SpecError');
  if (specError?.status === 'True') return degraded(because('the CronWorkflow spec is invalid', specError));
  const submission = condition(obj, 'SubmissionError');
  if (submission?.status === 'True') {
    return degraded(because('the CronWorkflow could not submit a workflow', submission));
  }
  if (stringAt(statusOf(obj), 'phase') === 'Stopped') {
    return suspended('the CronWorkflow stopped: its stop strategy was met');
  }
  return healthy;
}
