// Argo Workflows Workflow: status.phase is Pending, Running, Succeeded, Failed or Error (Argo
// Workflows docs, "Workflow" field reference, WorkflowStatus). spec.suspend pauses the whole
// workflow; a running `suspend` step without a duration waits for someone to resume it.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { arrayAt, recordAt, specOf, statusOf, stringAt } from '../object-fields.ts';
import { asFields, waitingFor } from './fields.ts';

/** The suspend step the workflow waits at, and whether it ends on a timer. */
function runningSuspendStep(obj: KubeObject): { name: string; timed: boolean } | undefined {
  const nodes = Object.values(recordAt(statusOf(obj), 'nodes')).map(asFields);
  const node = nodes.find((n) => stringAt(n, 'type') === 'Suspend' && stringAt(n, 'phase') === 'Running');
  if (!node) return undefined;
  const templateName = stringAt(node, 'templateName');
  const template = arrayAt(specOf(obj), 'templates').find((t) => t.name === templateName);
  const duration = template ? recordAt(template, 'suspend').duration : undefined;
  const name = stringAt(node, 'displayName') ?? stringAt(node, 'name') ?? 'suspend';
  return { name, timed: typeof duration === 'string' || typeof duration === 'number' };
}

export function assessWorkflow(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  const phase = stringAt(status, 'phase');
  const message = stringAt(status, 'message');
  if (phase === 'Succeeded') return healthy;
  if (phase === 'Failed' || phase === 'Error') {
    return degraded(`the Workflow ${phase === 'Failed' ? 'failed' : 'errored'}${message ? `: ${message}` : ''}`);
  }
  if (specOf(obj).suspend === true) return suspended('the Workflow is suspended');
  if (!phase) return waitingFor('the Argo Workflows controller');
  const step = runningSuspendStep(obj);
  if (step && !step.timed) return suspended(`the Workflow waits at step ${step.name} to be resumed`);
  if (step) return progressing(`the Workflow waits at step ${step.name} for its timer`);
  return progressing(`the Workflow is ${phase.toLowerCase()}${message ? `: ${message}` : ''}`);
}
