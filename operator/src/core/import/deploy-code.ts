// The deploy-repo TypeScript of imported Applications: one file per environment, holding an
// App that renders the Application's sources (Include, Helm, Kustomization) and the Namespace
// CreateNamespace=true asked for, and a main.ts that defines every environment.
import type { ImportedApplication } from './argocd-to-keelson.ts';
import type { Render } from './argocd-source.ts';
import { tsKey, tsLiteral, tsString } from './ts-literal.ts';

/** The file of an environment in the deploy code; never one of the entry point's names. */
export function codeFileOf(environment: string): string {
  return ['main', 'index'].includes(environment) ? `${environment}-environment.ts` : `${environment}.ts`;
}

/** `guestbook-prod` → `GuestbookProdApp`. */
export function classNameOf(environment: string): string {
  const pascal = environment
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `${/^[0-9]/.test(pascal) ? 'Env' : ''}${pascal}App`;
}

/** The file of one environment. */
export function environmentCode(app: ImportedApplication): string {
  const body = [...(app.namespace ? [namespaceCode(app.namespace)] : []), ...app.renders.map(renderCode)];
  const uses = (kind: Render['kind']) => app.renders.some((r) => r.kind === kind);
  const cdk8s = [
    ...(app.namespace ? ['ApiObject'] : []),
    ...(uses('helm') ? ['Helm'] : []),
    ...(uses('include') ? ['Include'] : []),
  ];
  const kit = ['App', ...(uses('kustomization') ? ['Kustomization'] : [])];
  const notCarried = app.notes.notCarried.map((n) => `- ${n.field}: ${n.reason}`);
  return [
    ...comment([
      `The environment "${app.environment}": Argo CD Application "${app.name}" (${app.origin.file}), ` +
        `imported by \`keelson import argocd\`. It renders ${app.sources.join('; ')}. ` +
        'Paths are relative to the folder of this file, as under `cdk8s synth`.',
    ]),
    ...(cdk8s.length > 0 ? [`import { ${cdk8s.join(', ')} } from 'cdk8s';`] : []),
    `import { ${kit.join(', ')} } from '@keelson/cdk8s-app';`,
    "import type { Construct } from 'constructs';",
    '',
    ...(notCarried.length > 0 ? comment(['Not carried over from the Application:', ...notCarried]) : []),
    `export class ${classNameOf(app.environment)} extends App {`,
    '  constructor(scope: Construct, id: string) {',
    '    super(scope, id);',
    ...(body.length > 0 ? body : ['    // Nothing to render: see what was not carried over above.']),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** main.ts: every environment by name. */
export function mainCode(apps: readonly Pick<ImportedApplication, 'environment'>[]): string {
  const sorted = [...apps].sort((a, b) => a.environment.localeCompare(b.environment));
  return [
    ...comment([
      'The entry point of the deploy repository: one environment per imported Argo CD Application, ' +
        'written by `keelson import argocd`. `npx keelson envs <this folder>` lists them.',
    ]),
    "import { defineEnvironments } from '@keelson/cdk8s-app';",
    ...sorted.map((a) => `import { ${classNameOf(a.environment)} } from './${codeFileOf(a.environment)}';`),
    '',
    'export default defineEnvironments({',
    ...sorted.flatMap((a) => [
      `  ${tsKey(a.environment)}: (env) => {`,
      `    new ${classNameOf(a.environment)}(env, ${tsString(a.environment)});`,
      '  },',
    ]),
    '});',
    '',
  ].join('\n');
}

const INDENT = '    ';

function renderCode(render: Render): string {
  const { kind, id, ...props } = render;
  const construct = kind === 'helm' ? 'Helm' : kind === 'include' ? 'Include' : 'Kustomization';
  return `${INDENT}new ${construct}(this, ${tsString(id)}, ${tsLiteral(props, INDENT)});`;
}

function namespaceCode(ns: NonNullable<ImportedApplication['namespace']>): string {
  const metadata = { name: ns.name, labels: ns.labels, annotations: ns.annotations };
  const props = tsLiteral({ apiVersion: 'v1', kind: 'Namespace', metadata }, INDENT);
  return `${INDENT}new ApiObject(this, 'namespace', ${props});`;
}

/** `//` lines of at most 100 characters; each paragraph wrapped at spaces. */
function comment(paragraphs: readonly string[]): string[] {
  return paragraphs.flatMap((p) => {
    const lines: string[] = [];
    let line = '';
    for (const word of p.split(' ')) {
      if (line !== '' && line.length + word.length + 1 > 96) {
        lines.push(line);
        line = p.startsWith('- ') ? '  ' : '';
      }
      line = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    }
    return [...lines, line].map((l) => `// ${l}`.trimEnd());
  });
}
