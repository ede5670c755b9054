// A person's sync prunes what the revision no longer has, unless they ask it not to: `keelson
// sync --no-prune` (the UI's and the API's `prune: false`) applies the new revision and leaves
// the object no longer desired in place, still reported as awaiting prune; the next sync
// without the option prunes it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

function deployRepo(names: readonly string[]): Record<string, string> {
  const objects = names
    .map((n) => `    new ApiObject(this, '${n}', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '${n}' } });`)
    .join('\n');
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Settings extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
${objects}
  }
}

export default defineEnvironments({ prod: (env) => { new Settings(env, 'settings'); } });
`,
  };
}

const cli = runKeelson;

describe('a sync without prune', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  const exists = (name: string) =>
    core.readNamespacedConfigMap({ name, namespace: story.targets.prod! }).then(
      () => true,
      () => false,
    );

  before(async () => {
    await story.setUp({ prefix: 'noprune', files: deployRepo(['kept', 'dropped']), environments: { prod: {} } });
    operator = await story.startOperator();
    await story.until('prod', 'prod compared', (e) => e.status?.sync?.status === 'OutOfSync');
    const first = await cli('sync', 'prod', '-n', story.ns, '--wait', '--timeout', '90s');
    assert.equal(first.code, 0, first.out);
    assert.ok(await exists('dropped'));
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
  });

  it('applies the new revision and leaves what it no longer has in place, awaiting prune', async () => {
    const commit = await story.repo.commit(deployRepo(['kept', 'added']), 'drop a ConfigMap, add one');
    await story.refresh();
    await story.until('prod', 'prod OutOfSync at the new commit', (e) => commitOf(e.status?.sync?.revision) === commit);
    const sync = await cli('sync', 'prod', '-n', story.ns, '--no-prune', '--wait', '--timeout', '90s');
    assert.equal(sync.code, 0, sync.out);
    assert.match(sync.out, /requested, without prune/);
    assert.ok(await exists('added'), 'the new revision was applied');
    assert.ok(await exists('dropped'), 'nothing was pruned');
    const env = await story.until('prod', 'the extra ConfigMap reported', (e) =>
      Boolean(e.status?.resources?.some((r) => r.name === 'dropped' && r.sync === 'OutOfSync')),
    );
    assert.equal(env.status?.operation?.phase, 'Succeeded');
    assert.ok(!(env.status?.operation?.tasks ?? []).some((t) => t.phase === 'Prune'), 'no prune task was planned');
  });

  it('the next sync without the option prunes it', async () => {
    const sync = await cli('sync', 'prod', '-n', story.ns, '--wait', '--timeout', '90s');
    assert.equal(sync.code, 0, sync.out);
    assert.equal(await exists('dropped'), false);
    assert.ok(await exists('kept'));
  });
});
