// A real Prometheus (Debian's `prometheus`, from `make deps`) on a loopback port, scraping
// the targets a test names every second and evaluating rule files every second: what the
// dashboards and alerts of the chart run against.
//   const prom = await Prometheus.start({ targets: { keelson: ['127.0.0.1:8081'] }, ruleFiles: [rules] });
//   await prom.query('up{job="keelson"}');  // the result vector; a bad expression throws
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';
import { ProcessGroup, tail } from './process-group.ts';

export interface PrometheusOptions {
  /** Scrape jobs: job name → host:port targets (path /metrics). */
  readonly targets: Readonly<Record<string, readonly string[]>>;
  readonly ruleFiles?: readonly string[];
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface RuleState {
  readonly name: string;
  readonly health: string;
  readonly state?: string;
  readonly lastError?: string;
  /** An alerting rule's pending and firing alerts. */
  readonly alerts?: readonly { readonly labels: Record<string, string>; readonly state: string }[];
}

export class Prometheus {
  readonly url: string;
  readonly logFile: string;
  readonly #processes: ProcessGroup;

  private constructor(url: string, logFile: string, processes: ProcessGroup) {
    this.url = url;
    this.logFile = logFile;
    this.#processes = processes;
  }

  static async start(options: PrometheusOptions): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: options.ruleFiles ?? [],
        scrape_configs: Object.entries(options.targets).map(([job, targets]) => ({
          job_name: job,
          static_configs: [{ targets }],
        })),
      }),
    );
    const port = await freePort();
    const processes = new ProcessGroup();
    const logFile = join(dir, 'prometheus.log');
    processes.start('prometheus', 'prometheus', {
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      logFile,
    });
    const prom = new Prometheus(`http://127.0.0.1:${port}`, logFile, processes);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      processes.assertRunning();
      try {
        if ((await fetch(`${prom.url}/-/ready`)).ok) return prom;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    await processes.stop();
    throw new Error(`prometheus not ready within 30 s:\n${tail(logFile, 20)}`);
  }

  /** An instant query; throws with Prometheus' message when the expression is not valid PromQL. */
  async query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Sample[] | [number, string] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? `HTTP ${res.status}`}`);
    const { resultType, result } = body.data!;
    // A scalar (say, `vector(0)` folded) as a one-sample vector.
    return resultType === 'scalar' ? [{ metric: {}, value: result as [number, string] }] : (result as Sample[]);
  }

  /** Every alerting and recording rule with its evaluation health and, for alerts, state. */
  async rules(): Promise<RuleState[]> {
    const body = (await (await fetch(`${this.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: RuleState[] }[] };
    };
    return body.data.groups.flatMap((g) => g.rules);
  }

  async stop(): Promise<void> {
    await this.#processes.stop();
  }
}
