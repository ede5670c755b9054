// A small deploy repository for operator tests: each named environment has a PreSync Job
// (its pod completes `seconds` after it runs, as kwok plays it) and a ConfigMap carrying the
// version, so a new version is a new revision with a hook to run.
export function hookedDeployRepo(
  version: string,
  seconds: number,
  environments: readonly string[] = ['dev'],
): Record<string, string> {
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, Hook, defineEnvironments } from '@keelson/cdk8s-app';

class Slow extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    const job = new ApiObject(this, 'migrate', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' },
      spec: { backoffLimit: 0, template: { metadata: { annotations: { 'test.keelson.dev/complete-after': '${seconds}s' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'registry.example/migrate:${version}' }] } } },
    });
    Hook.mark(job, { phase: 'PreSync' });
    new ApiObject(this, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { version: '${version}' } });
  }
}

export default defineEnvironments({ ${environments.map((e) => `${JSON.stringify(e)}: (env) => { new Slow(env, 'slow'); }`).join(', ')} });
`,
  };
}
