// Pod: Running and Ready is Healthy, Succeeded is Healthy (a finished hook or one-off pod),
// Failed or a container stuck in a crash or image-pull loop is Degraded.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { arrayAt, findCondition, recordAt, specOf, stringAt, statusOf } from './object-fields.ts';

const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'InvalidImageName',
  'CreateContainerError',
]);

function stuckContainer(obj: KubeObject): string | undefined {
  const status = statusOf(obj);
  for (const c of [...arrayAt(status, 'initContainerStatuses'), ...arrayAt(status, 'containerStatuses')]) {
    const waiting = recordAt(recordAt(c, 'state'), 'waiting');
    const reason = stringAt(waiting, 'reason');
    if (reason && STUCK_REASONS.has(reason)) {
      return `container ${stringAt(c, 'name') ?? '?'} is waiting: ${reason}${stringAt(waiting, 'message') ? `: ${stringAt(waiting, 'message')}` : ''}`;
    }
  }
  return undefined;
}

export function assessPod(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  const phase = stringAt(status, 'phase');
  const message = stringAt(status, 'message') ?? stringAt(status, 'reason');
  switch (phase) {
    case 'Succeeded':
      return healthy;
    case 'Failed':
      return degraded(message ?? 'the pod failed');
    case 'Pending': {
      const stuck = stuckContainer(obj);
      return stuck ? degraded(stuck) : progressing(message ?? 'the pod is pending');
    }
    case 'Running': {
      const stuck = stuckContainer(obj);
      if (stuck) return degraded(stuck);
      const restartPolicy = stringAt(specOf(obj), 'restartPolicy') ?? 'Always';
      if (restartPolicy !== 'Always') return progressing('the pod is running to completion');
      return findCondition(obj, 'Ready')?.status === 'True' ? healthy : progressing('the pod is running but not ready');
    }
    default:
      return { status: 'Unknown', message: message ?? `the pod phase is ${phase ?? 'not reported'}` };
  }
}
