// Git request metrics: how many ls-refs and fetch requests went to each repository and how
// they ended, and how long they took. `repository` is the URL without credentials.
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry.ts';

export type GitRequestKind = 'ls-refs' | 'fetch';
/** `success`, or the failure reason (AuthenticationFailed, HostUnreachable, ...). */
export type GitRequestResult = string;

export interface GitRequestSample {
  readonly repository: string;
  readonly kind: GitRequestKind;
  readonly result: GitRequestResult;
  readonly seconds: number;
}

export class GitMetrics {
  readonly requests: Counter<'repository' | 'kind' | 'result'>;
  readonly duration: Histogram<'repository' | 'kind'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: `${METRIC_PREFIX}git_requests_total`,
      help: 'Git requests to remote repositories, by repository, kind (ls-refs, fetch) and result.',
      labelNames: ['repository', 'kind', 'result'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}git_request_duration_seconds`,
      help: 'Duration of Git requests to remote repositories, by repository and kind.',
      labelNames: ['repository', 'kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  }

  /** Records one request; pass it as the Git source's `onRequest`. */
  observe = (sample: GitRequestSample): void => {
    this.requests.inc({ repository: sample.repository, kind: sample.kind, result: sample.result });
    this.duration.observe({ repository: sample.repository, kind: sample.kind }, sample.seconds);
  };
}
