// The files `keelson init` writes: a deploy repository with one environment, `dev`, running
// one app (a Deployment and its Service), ready for `npm install`, `npm run typecheck` and
// `keelson synth . --env dev`. Kept as strings so they ship with the CLI's sources.

export interface DeployRepoTemplateOptions {
  /** The package name in package.json. */
  readonly name: string;
  /** The npm spec of the kit: a version, or `file:<path>` to a packed .tgz. */
  readonly kit: string;
  /** Exact versions of cdk8s, cdk8s-plus-27 and constructs: the ones Keelson's synthesis provides. */
  readonly libraries: Readonly<Record<string, string>>;
}

/** The TypeScript the repository type-checks with: the version Keelson itself is checked with. */
export const TYPESCRIPT_VERSION = '7.0.2';

/** File name → contents, in the order they are listed to the user. */
export function deployRepoFiles(options: DeployRepoTemplateOptions): Record<string, string> {
  return {
    'package.json': json(packageJson(options)),
    'tsconfig.json': json(TSCONFIG),
    'main.ts': MAIN_TS,
    'images.json': json(IMAGES),
    '.gitignore': 'node_modules/\n',
    'README.md': readme(options.name),
  };
}

function packageJson(options: DeployRepoTemplateOptions): object {
  return {
    name: options.name,
    private: true,
    type: 'module',
    description: 'Deploy repository for Keelson: the environments and the apps they run, in cdk8s TypeScript',
    scripts: { typecheck: 'tsc --noEmit' },
    // What main.ts imports. Keelson's synthesis provides these same versions itself; the
    // installed copies are for the editor, `npm run typecheck` and the repository's own tests.
    dependencies: { '@keelson/cdk8s-app': options.kit, ...options.libraries },
    devDependencies: { typescript: TYPESCRIPT_VERSION },
  };
}

const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    lib: ['es2022'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: [],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    isolatedModules: true,
    skipLibCheck: true,
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

const IMAGES = { dev: { hello: 'docker.io/hashicorp/http-echo:1.0' } };

const MAIN_TS = `// The entry point of this deploy repository: its environments by name, each a function that
// adds the apps the environment runs. Keelson builds one environment at a time:
// \`keelson synth . --env dev\` prints what it would apply.
import { App, defineEnvironments, type Environment } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';

/** The hello app: a Deployment of the image \`hello\` from images.json, and its Service. */
function hello(env: Environment, replicas: number): void {
  const app = new App(env, 'hello');
  const deployment = new kplus.Deployment(app, 'deployment', {
    metadata: { name: 'hello' },
    replicas,
    containers: [{
      name: 'hello',
      image: env.image('hello'),
      args: ['-listen=:8080', \`-text=hello from \${env.name}\`],
      ports: [{ number: 8080, name: 'http' }],
      securityContext: { user: 65532, group: 65532 },
    }],
  });
  deployment.exposeViaService({ name: 'hello', ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
}

export default defineEnvironments({
  dev: (env) => hello(env, 1),
});
`;

function readme(name: string): string {
  return `# ${name}

The deploy repository of ${name}: its environments and the apps each one runs, in
[cdk8s](https://cdk8s.io) TypeScript with Keelson's kit \`@keelson/cdk8s-app\`. Keelson pulls
it, builds one environment by name and applies the result to the cluster.

| file | what it is |
|---|---|
| \`main.ts\` | the entry point: the environments (\`dev\`) and the apps each runs |
| \`images.json\` | the image of each app per environment; CI bumps a tag here, never in code |
| \`package.json\`, \`tsconfig.json\` | the kit, cdk8s and TypeScript for the editor and \`npm run typecheck\` |

Keelson provides the kit, \`cdk8s\`, \`cdk8s-plus-27\` and \`constructs\` itself when it
synthesizes, so nothing is installed in the cluster; \`npm install\` is for working here.

## Working on it

\`\`\`sh
npm install
npm run typecheck               # tsc --noEmit; run it in CI too
keelson synth . --env dev       # the YAML Keelson would apply (--out <dir>: one file per app)
keelson envs .                  # the environments and their apps
\`\`\`

Another environment is another entry in \`defineEnvironments\` (\`prod: (env) => hello(env, 3)\`)
and in \`images.json\`. Custom resources get typed classes from their CRDs:
\`npx cdk8s import crds/<crd>.yaml --language typescript --output imports/\` (cdk8s-cli);
commit \`imports/\` and import the classes by relative path.

## Wiring it into Keelson

Push the repository to Git, then tell Keelson where it is and which environment to build:

\`\`\`yaml
apiVersion: keelson.dev/v1alpha1
kind: GitRepository
metadata:
  name: ${name}
spec:
  url: https://git.example.com/team/${name}.git
  ref:
    branch: main
  secretRef:
    name: ${name}-git-credentials    # username and password (or a token); omit for a public repository
---
apiVersion: keelson.dev/v1alpha1
kind: Environment
metadata:
  name: dev
spec:
  sourceRef:
    name: ${name}
  environment: dev                  # the name in defineEnvironments
  targetNamespace: ${name}-dev      # for namespaced objects that name none
  sync:
    automated:
      prune: true
      selfHeal: true
\`\`\`

\`kubectl apply -f\` them into a namespace Keelson watches (all, unless it runs with
\`--namespaces\`); \`keelson get dev -n <namespace>\` then shows the environment's sync and
health. How to write a deploy repository (hooks, sync waves, pass secrets, the sandbox):
docs/deploy-repo.md in the Keelson repository.
`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
