// A deploy repository of one environment whose app declares the given objects as they are
// (cdk8s ApiObjects): for tests that need exact manifests (annotations, immutable fields, hooks).
export function objectsDeployRepo(
  environment: string,
  objects: readonly Record<string, unknown>[],
): Record<string, string> {
  const lines = objects.map((o, i) => `    new ApiObject(this, 'o${i}', ${JSON.stringify(o)} as any);`).join('\n');
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Things extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
${lines}
  }
}

export default defineEnvironments({ ${environment}: (env) => { new Things(env, 'things'); } });
`,
  };
}
