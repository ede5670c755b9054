// The report of `keelson import argocd`: per Application, what it renders, what was written,
// what was converted to what, and the list of what was not carried over, then what to do next.
import type { ImportResult } from './index.ts';
import { describeOrigin } from './import-error.ts';
import { codeFileOf } from './deploy-code.ts';

export interface ReportOptions {
  /** Where the files were written; absent when the YAML went to stdout. */
  readonly out?: string;
}

export function formatImportReport(result: ImportResult, options: ReportOptions = {}): string {
  const { deployPath } = result.options;
  const lines: string[] = [];
  for (const app of result.applications) {
    const [git, env] = app.resources;
    const { converted, notCarried } = app.notes;
    lines.push(
      `Application ${app.name} (${describeOrigin({ ...app.origin, kind: undefined, name: undefined })})`,
      `  renders      ${app.sources.join('; ')}`,
      `  resources    GitRepository ${git.metadata.name}, Environment ${env.metadata.name}` +
        `${options.out ? ` in keelson/${app.name}.yaml` : ''}`,
      `  deploy code  ${options.out ? 'deploy/' : ''}${codeFileOf(app.environment)} ` +
        `(${classLine(app.renders.map((r) => r.kind))})`,
      `  converted (${converted.length})`,
      ...converted.map((c) => `    ${c.field} → ${c.to}`),
      `  not carried over (${notCarried.length})${notCarried.length === 0 ? ': nothing' : ''}`,
      ...notCarried.map((n) => `    ${n.field}: ${n.reason}`),
      '',
    );
  }
  const total = result.applications.reduce((n, a) => n + a.notes.notCarried.length, 0);
  const repos = [...new Set(result.applications.map((a) => String((a.resources[0].spec as { url: string }).url)))];
  lines.push(
    `${result.applications.length} Application${result.applications.length === 1 ? '' : 's'} imported, ` +
      `${total} field${total === 1 ? '' : 's'} not carried over.`,
    options.out
      ? `Next: commit ${options.out}/deploy/ as ${deployPath === '.' ? 'the root' : `${deployPath}/`} ` +
          `of ${repos.join(', ')}, ` +
          `then \`kubectl apply -f ${options.out}/keelson/\`.`
      : 'The deploy code was not written: pass --out <dir> to write it with the resources.',
  );
  return `${lines.join('\n')}\n`;
}

function classLine(kinds: readonly string[]): string {
  const names = kinds.map((k) => (k === 'helm' ? 'Helm' : k === 'include' ? 'Include' : 'Kustomization'));
  return names.length === 0 ? 'an App that renders nothing' : `an App with ${names.join(', ')}`;
}
