// `keelson import argocd`, the pure part: Argo CD Applications (and the AppProjects they name)
// in, and for each Application a GitRepository, an Environment, a deploy-code file and the
// notes of what was converted and what was not carried over; plus the deploy code's main.ts.
//
//   const result = importArgoCd([{ file: 'app.yaml', text }], { deployPath: 'deploy' });
import { parseArgoDocuments, type ArgoDocument, type InputFile } from './argocd-application.ts';
import { convertApplication, type ConvertOptions, type ImportedApplication } from './argocd-to-keelson.ts';
import { codeFileOf, environmentCode, mainCode } from './deploy-code.ts';
import { RepositoryNames } from './git-ref.ts';
import { describeOrigin, ImportError } from './import-error.ts';

export type { InputFile } from './argocd-application.ts';
export type { ConvertOptions, ImportedApplication } from './argocd-to-keelson.ts';
export type { PathKindLookup, SourceKind } from './argocd-source.ts';
export { ImportError, type DocumentOrigin } from './import-error.ts';
export { formatImportReport } from './import-report.ts';

/** A file of the deploy code, relative to its folder. */
export interface DeployFile {
  readonly path: string;
  readonly text: string;
}

export interface ImportResult {
  readonly applications: readonly ImportedApplication[];
  /** One file per environment, then main.ts. */
  readonly deployFiles: readonly DeployFile[];
  readonly options: ConvertOptions;
}

/** Converts every Application of the inputs; throws ImportError on invalid input. */
export function importArgoCd(inputs: readonly InputFile[], options: ConvertOptions): ImportResult {
  const documents = inputs.flatMap((input) => parseArgoDocuments(input));
  const projects = new Map<string, ArgoDocument>();
  for (const project of documents.filter((d) => d.kind === 'AppProject')) {
    const earlier = projects.get(project.name);
    if (earlier) {
      throw new ImportError(
        project.origin,
        `a second AppProject "${project.name}" ` + `(the first: ${describeOrigin(earlier.origin)})`,
      );
    }
    projects.set(project.name, project);
  }
  const applicationDocs = documents.filter((d) => d.kind === 'Application');
  if (applicationDocs.length === 0) {
    const files = inputs.map((i) => i.file).join(', ') || 'the input';
    throw new ImportError(undefined, `no Argo CD Application in ${files}`);
  }
  const repositories = new RepositoryNames();
  const applications: ImportedApplication[] = [];
  for (const doc of applicationDocs) {
    const app = convertApplication(doc, { projects, repositories, options });
    const clash = applications.find((a) => a.name === app.name || a.environment === app.environment);
    if (clash) {
      throw new ImportError(
        doc.origin,
        `its environment "${app.environment}" is already Application "${clash.name}"'s ` +
          `(${describeOrigin(clash.origin)}): rename one of them`,
      );
    }
    applications.push(app);
  }
  return {
    applications,
    deployFiles: [
      ...applications.map((app) => ({ path: codeFileOf(app.environment), text: environmentCode(app) })),
      { path: 'main.ts', text: mainCode(applications) },
    ],
    options,
  };
}
