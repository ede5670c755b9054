// What the example deploy repository expects around the cluster (cert-manager's CRD, which its
// web app's Certificate needs, comes with every test control plane: control-plane.ts): the
// chart repository its status app names (cdk8s-app/example/settings.ts: CHART_REPOSITORY),
// served from the fixture charts on its fixed loopback port. `make up` and the end-to-end run
// (with-cluster.ts) start it once; when the port is taken by another run's repository serving
// the same charts, that one is used, and this run takes the port over when that run stops (runs
// side by side, such as a version of the matrix beside a test file, keep their charts).
import { join } from 'node:path';
import { ChartRepo } from './chart-repo.ts';
import { REPO_ROOT } from './kube.ts';

/** Must match CHART_REPOSITORY in cdk8s-app/example/settings.ts. */
export const EXAMPLE_CHART_REPOSITORY = 'http://127.0.0.1:8879';
/** The charts it serves, from test/fixtures/charts. */
const CHARTS = ['podinfo-lite'];

export interface ExampleCharts {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startExampleCharts(): Promise<ExampleCharts> {
  const port = Number(new URL(EXAMPLE_CHART_REPOSITORY).port);
  let repo: ChartRepo;
  try {
    repo = await ChartRepo.start({ port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (await servesTheCharts()) return takeOverWhenFree(port);
    throw new Error(
      `${EXAMPLE_CHART_REPOSITORY}, the example's chart repository, is taken by something that does not ` +
        `serve ${CHARTS.join(', ')}: free port ${port}`,
      { cause: err },
    );
  }
  for (const name of CHARTS) await repo.addChart(join(REPO_ROOT, 'test', 'fixtures', 'charts', name));
  return { url: repo.url, stop: () => repo.dispose() };
}

/** Tries every half second to listen on `port`, which another run's repository holds, until it can or is stopped. */
function takeOverWhenFree(port: number): ExampleCharts {
  let stopped = false;
  let repo: ChartRepo | undefined;
  let attempt: Promise<void> = Promise.resolve();
  const tryNow = async (): Promise<void> => {
    try {
      const taken = await ChartRepo.start({ port });
      for (const name of CHARTS) await taken.addChart(join(REPO_ROOT, 'test', 'fixtures', 'charts', name));
      repo = taken;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE')
        process.stderr.write(`example charts: taking over port ${port} failed, trying again: ${String(err)}\n`);
      if (!stopped) schedule();
    }
  };
  const schedule = () => {
    timer = setTimeout(() => (attempt = tryNow()), 500);
    timer.unref();
  };
  let timer: NodeJS.Timeout;
  schedule();
  return {
    url: EXAMPLE_CHART_REPOSITORY,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await attempt;
      await repo?.dispose();
    },
  };
}

/** Whether what listens there is another run's example chart repository. */
async function servesTheCharts(): Promise<boolean> {
  try {
    const res = await fetch(`${EXAMPLE_CHART_REPOSITORY}/index.yaml`, { signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    return res.ok && CHARTS.every((name) => text.includes(`  ${name}:`));
  } catch {
    return false;
  }
}
