// Notification metrics: messages delivered and given up, by Notification, provider and trigger,
// and the retries on the way. Nothing of a message or a token is a label.
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry.ts';

export interface NotificationSample {
  readonly namespace: string;
  readonly name: string;
  readonly provider: string;
  readonly trigger: string;
  readonly result: 'sent' | 'failed';
}

export class NotificationMetrics {
  readonly notifications: Counter<'namespace' | 'name' | 'provider' | 'trigger' | 'result'>;
  readonly retries: Counter<'namespace' | 'name' | 'provider'>;

  constructor(registry: Registry) {
    this.notifications = new Counter({
      name: `${METRIC_PREFIX}notifications_total`,
      help:
        'Notification messages by Notification, provider, trigger and result ' +
        '(sent; failed: given up after retries, or refused).',
      labelNames: ['namespace', 'name', 'provider', 'trigger', 'result'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: `${METRIC_PREFIX}notification_retries_total`,
      help: 'Notification delivery attempts that are retried (429, 5xx, no answer), by Notification and provider.',
      labelNames: ['namespace', 'name', 'provider'],
      registers: [registry],
    });
  }

  observe = (sample: NotificationSample): void => {
    const { namespace, name, provider, trigger, result } = sample;
    this.notifications.inc({ namespace, name, provider, trigger, result });
  };

  retried = (namespace: string, name: string, provider: string): void => {
    this.retries.inc({ namespace, name, provider });
  };
}
