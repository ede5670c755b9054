// values.schema.json refuses wrong values before anything is rendered, naming the value (its
// JSON pointer in the values), with Helm 3 and Helm 4; good values still render. helm template
// validates against the same schema as install and upgrade.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_DIR, helms, type Helm } from '../../harness/helm-release.ts';

/** A wrong value, the helm flags that set it, and what the error must name: the value's pointer (and key). */
const WRONG: readonly { flags: string[]; names: string[] }[] = [
  { flags: ['--set', 'image.tags=1'], names: ["'/image'", "'tags'"] },
  { flags: ['--set', 'image.repository='], names: ["'/image/repository'"] },
  { flags: ['--set-json', 'image.tag=1.2'], names: ["'/image/tag'"] },
  { flags: ['--set', 'image.pullPolicy=Sometimes'], names: ["'/image/pullPolicy'"] },
  { flags: ['--set', 'replicas=-1'], names: ["'/replicas'"] },
  { flags: ['--set', 'replicas=17'], names: ["'/replicas'"] },
  { flags: ['--set', 'leaseDuration=15'], names: ["'/leaseDuration'"] },
  { flags: ['--set', 'sharding.shards=0'], names: ["'/sharding/shards'"] },
  { flags: ['--set', 'sharding.replicas=2'], names: ["'/sharding'", "'replicas'"] },
  { flags: ['--set-string', 'replicas=2'], names: ["'/replicas'"] },
  { flags: ['--set', 'rbac.scope=everywhere'], names: ["'/rbac/scope'"] },
  { flags: ['--set', 'rbac.namespaces={Team_A}'], names: ["'/rbac/namespaces/0'"] },
  { flags: ['--set', 'operator.logLevel=verbose'], names: ["'/operator/logLevel'"] },
  { flags: ['--set', 'operator.concurrency=0'], names: ["'/operator/concurrency'"] },
  { flags: ['--set', 'operator.synthTimeout=soon'], names: ["'/operator/synthTimeout'"] },
  { flags: ['--set', 'operator.extraEnv[0].value=x'], names: ["'/operator/extraEnv/0'"] },
  { flags: ['--set', 'cacheSizeLimit=lots'], names: ["'/cacheSizeLimit'"] },
  { flags: ['--set', 'resources.limits.memory=2GB'], names: ["'/resources/limits/memory'"] },
  { flags: ['--set', 'resources.limit.cpu=1'], names: ["'/resources'", "'limit'"] },
  { flags: ['--set', 'service.type=ExternalName'], names: ["'/service/type'"] },
  { flags: ['--set', 'service.port=70000'], names: ["'/service/port'"] },
  { flags: ['--set', 'ui.enabled=yes'], names: ["'/ui/enabled'"] },
  { flags: ['--set', 'ingress.host='], names: ["'/ingress/host'"] },
  { flags: ['--set', 'serviceMonitor.interval=30'], names: ["'/serviceMonitor/interval'"] },
  { flags: ['--set', 'podLabels.team=1'], names: ["'/podLabels/team'"] },
  { flags: ['--set', 'health.customizations.Deployment=x'], names: ["'/health/customizations'", "'Deployment'"] },
];

const GOOD: readonly string[][] = [
  [],
  ['--set', 'replicas=0'],
  [
    '--set',
    'replicas=4',
    '--set',
    'sharding.enabled=true',
    '--set',
    'sharding.shards=32',
    '--set',
    'leaseDuration=10s',
  ],
  ['--set', 'rbac.scope=namespaced', '--set', 'rbac.namespaces={team-a,team-b}'],
  ['--set', 'image.tag=v1.2.3', '--set', 'resources.limits.cpu=500m', '--set', 'operator.synthTimeout=1m30s'],
  ['--set-string', 'health.customizations.resource\\.customizations\\.health\\.example\\.com_Widget=return {}'],
];

async function stderrOf(helm: Helm, args: string[]): Promise<string | undefined> {
  try {
    await helm.run(args);
    return undefined;
  } catch (err) {
    return String((err as { stderr?: unknown }).stderr);
  }
}

describe('charts/keelson values.schema.json', () => {
  let all: Helm[] = [];
  before(async () => {
    all = await helms();
  });

  it('refuses each wrong value with Helm 3 and Helm 4, naming it', async () => {
    for (const helm of all)
      for (const { flags, names } of WRONG) {
        const stderr = await stderrOf(helm, ['template', 'wrong', CHART_DIR, ...flags]);
        assert.ok(stderr !== undefined, `${helm.name}: ${flags.join(' ')} was accepted`);
        for (const n of names)
          assert.ok(stderr.includes(n), `${helm.name}: ${flags.join(' ')}: ${n} not in\n${stderr}`);
      }
  });

  it('accepts the defaults and good values with Helm 3 and Helm 4', async () => {
    for (const helm of all)
      for (const flags of GOOD) {
        const stderr = await stderrOf(helm, ['template', 'good', CHART_DIR, ...flags]);
        assert.equal(stderr, undefined, `${helm.name}: ${flags.join(' ')}`);
      }
  });
});
