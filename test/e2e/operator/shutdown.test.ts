// A graceful stop when the API server is gone: Kubernetes sends SIGTERM and, after the
// grace period (30 s by default), SIGKILL. The operator leading with a Lease and
// reconciling an Environment must stop well inside that, whether the API server refuses
// connections or stops answering (a network partition): reconciles that cannot finish are
// abandoned after --shutdown-timeout (a sync resumes from status at the next start).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiProxy, type ProxyMode } from '../../harness/api-proxy.ts';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const GRACE_MS = 15_000;

describe('operator shutdown without an API server', () => {
  const story = new Story(kc);
  const started: OperatorProcess[] = [];
  const proxies: ApiProxy[] = [];
  before(async () => {
    await story.setUp({
      prefix: 'shutdown',
      files: hookedDeployRepo('v1', 0),
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } } },
    });
  });
  after(async () => {
    for (const op of started) await op.kill();
    for (const p of proxies) await p.stop();
    await story.tearDown();
  });

  for (const mode of ['refuse', 'blackhole'] as const satisfies readonly ProxyMode[]) {
    it(`stops within ${GRACE_MS / 1000} s of SIGTERM when the API server ${mode === 'refuse' ? 'refuses connections' : 'stops answering'}`, async () => {
      const proxy = await ApiProxy.start(kc);
      proxies.push(proxy);
      const kubeconfig = proxy.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'keelson-shutdown-')), 'kubeconfig'));
      const operator = new OperatorProcess({
        kubeconfig,
        identity: `shutdown-${mode}`,
        args: [
          `--namespaces=${story.namespaces.join(',')}`,
          '--leader-elect',
          `--lease-namespace=${story.ns}`,
          `--lease-name=shutdown-${mode}`,
          '--resync-interval=2s',
          '--shutdown-timeout=5s',
        ],
      });
      started.push(operator);
      await operator.start();
      await operator.waitLeading();
      await story.until('dev', 'dev synced', (e) => e.status?.operation?.phase === 'Succeeded', { timeoutMs: 60_000 });
      await proxy.set(mode);
      // Let the reconciles, watches and the Lease renewal meet the missing server.
      await new Promise((r) => setTimeout(r, 3000));
      const t0 = Date.now();
      const code = await Promise.race([
        operator.stop(),
        new Promise<'late'>((r) => setTimeout(() => r('late'), GRACE_MS)),
      ]);
      const tookMs = Date.now() - t0;
      assert.notEqual(
        code,
        'late',
        `still running ${GRACE_MS} ms after SIGTERM; last log lines:\n${operator.logs().split('\n').slice(-25).join('\n')}`,
      );
      assert.equal(code, 0, `exit code; last log lines:\n${operator.logs().split('\n').slice(-25).join('\n')}`);
      assert.match(operator.logs(), /"msg":"stopped"/);
      console.log(`stopped in ${tookMs} ms with the API server ${mode === 'refuse' ? 'refusing' : 'silent'}`);
    });
  }
});
