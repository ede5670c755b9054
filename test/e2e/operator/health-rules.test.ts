// A health rule a user writes, from the chart's configuration to `keelson get`: an Argo CD
// Lua script in the chart's health.customizations is rendered by real helm into the ConfigMap
// the operator's --health-rules names; the operator judges the deploy repository's custom
// resource by it (its sync waits while the script says Progressing), takes a new version of
// the ConfigMap without a restart, and refuses one that does not compile, keeping the rules
// before it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ensureBinaries } from '../../harness/binaries.ts';
import { eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';

const run = promisify(execFile);
const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);

/** Waits for the lights: Progressing until status.lit, as the team's controller reports it. */
const LIGHTS = `hs = { status = "Progressing", message = "waiting for the gadget's lights (lua)" }
if obj.status ~= nil and obj.status.lit == true then
  hs.status = "Healthy"
  hs.message = "lit"
end
return hs
`;
/** The team relaxed it: a small gadget needs no lights. */
const SMALL_IS_FINE = `hs = { status = "Progressing", message = "a big gadget waits for its lights (lua)" }
if obj.spec.size <= 3 then
  hs.status = "Healthy"
  hs.message = ""
end
return hs
`;

describe("a Lua health rule from the chart's configuration", () => {
  const story = new Story(kc);
  const scratch = mkdtempSync(join(tmpdir(), 'keelson-health-rules-'));
  let operator: OperatorProcess;
  let group = '';
  let key = '';
  let configMap: k8s.V1ConfigMap;

  /** The chart's templates rendered with `health.customizations` holding `script` for the Gadget. */
  const render = async (script: string, template: string) => {
    const { helm } = await ensureBinaries();
    const values = join(scratch, `values-${Date.now()}.yaml`);
    writeFileSync(values, stringify({ health: { customizations: { [key]: script } } }));
    const { stdout } = await run(helm, [
      'template',
      'keelson',
      join(REPO_ROOT, 'charts', 'keelson'),
      '--namespace',
      story.ns,
      '--show-only',
      template,
      '-f',
      values,
    ]);
    return parseAllDocuments(stdout).map((d) => d.toJS() as Record<string, unknown>);
  };
  const updateRules = async (script: string) => {
    const [rendered] = await render(script, 'templates/health-rules.yaml');
    configMap = rendered as k8s.V1ConfigMap;
    await core.replaceNamespacedConfigMap({ namespace: story.ns, name: configMap.metadata!.name!, body: configMap });
  };
  const get = async () =>
    (
      await run('npx', ['--no-install', 'keelson', 'get', 'dev', '-n', story.ns], {
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
      })
    ).stdout;
  const gadgetLine = async () => (await get()).split('\n').find((l) => /^\s*Gadget\s/.test(l)) ?? '';

  before(async () => {
    await story.setUp({
      prefix: 'health-rules',
      files: {
        'main.ts': `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import { ApiObject } from 'cdk8s';
import { GROUP } from './group.ts';
export default defineEnvironments({
  dev: (env) => { new ApiObject(new App(env, 'gadgets'), 'g', { apiVersion: GROUP + '/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 2 } }); },
});
`,
        'group.ts': 'export const GROUP = "placeholder";\n',
      },
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } } },
    });
    group = `${story.ns}.test.keelson.dev`;
    key = `resource.customizations.health.${group}_Gadget`;
    await story.repo.commit({ 'group.ts': `export const GROUP = ${JSON.stringify(group)};\n` }, "the test's group");
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `gadgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
    const [rendered] = await render(LIGHTS, 'templates/health-rules.yaml');
    configMap = rendered as k8s.V1ConfigMap;
    await core.createNamespacedConfigMap({ namespace: story.ns, body: configMap });
    const [deployment] = await render(LIGHTS, 'templates/deployment.yaml');
    const args = (
      deployment as { spec: { template: { spec: { containers: { args: string[] }[] } } } }
    ).spec.template.spec.containers[0]!.args.filter((a) => a.startsWith('--health-rules='));
    assert.deepEqual(
      args,
      [`--health-rules=${story.ns}/${configMap.metadata!.name}`],
      'the chart points the operator at it',
    );
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [...args, `--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
    await extensions.deleteCustomResourceDefinition({ name: `gadgets.${group}` }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('judges the Gadget by the script: keelson get shows its Progressing and the sync waits', async () => {
    await eventually(async () => /Progressing\s+waiting for the gadget's lights \(lua\)/.test(await gadgetLine()), {
      timeoutMs: 60_000,
      message: "keelson get shows the Lua rule's verdict",
    });
    const env = await story.environment('dev');
    assert.equal(env.status?.operation?.phase, 'Running', 'the sync waits for the Gadget');
    assert.equal(env.status?.health?.status, 'Progressing');
  });

  it('takes a new version of the rules without a restart: the Gadget is Healthy and the sync ends', async () => {
    const pid = operator.pid;
    await updateRules(SMALL_IS_FINE);
    await story.until(
      'dev',
      'dev Synced and Healthy',
      (e) => e.status?.operation?.phase === 'Succeeded' && e.status.health?.status === 'Healthy',
      { timeoutMs: 60_000 },
    );
    assert.match(await gadgetLine(), /Synced\s+Healthy/);
    assert.equal(operator.pid, pid, 'the same operator process');
  });

  it('refuses a version that does not compile, naming the key, and keeps the rules before it', async () => {
    await updateRules('hs = { status = "Degraded" ');
    await eventually(async () => operator.logs().includes('health rules refused'), { message: 'the refusal logged' });
    const refusal =
      operator
        .logs()
        .split('\n')
        .find((l) => l.includes('health rules refused')) ?? '';
    assert.match(refusal, new RegExp(key.replaceAll('.', '\\.')));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await story.environment('dev')).status?.health?.status, 'Healthy', 'the rules before it still judge');
  });
});
