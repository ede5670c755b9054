// Argo CD manifests as `keelson import argocd` reads them: the Applications and AppProjects of
// multi-document YAML files (a `kubectl get -o yaml` List is unfolded), each checked for what
// the import cannot do without. Everything else is read field by field by the conversion.
import { parseAllDocuments } from 'yaml';
import { describeJson, isFields, type Fields } from './field-reader.ts';
import { ImportError, type DocumentOrigin } from './import-error.ts';

/** One input file: its name as the user gave it, and its text. */
export interface InputFile {
  readonly file: string;
  readonly text: string;
}

export const ARGO_KINDS = ['Application', 'AppProject'] as const;
export type ArgoKind = (typeof ARGO_KINDS)[number];

/** An Application or AppProject of the input, where it came from. */
export interface ArgoDocument {
  readonly kind: ArgoKind;
  readonly name: string;
  readonly origin: DocumentOrigin;
  readonly object: Fields;
}

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The Applications and AppProjects of one file; throws ImportError naming file and document. */
export function parseArgoDocuments(input: InputFile): ArgoDocument[] {
  const documents: ArgoDocument[] = [];
  parseAllDocuments(input.text).forEach((doc, i) => {
    const origin: DocumentOrigin = { file: input.file, document: i + 1 };
    const error = doc.errors[0];
    if (error) throw new ImportError(origin, `not valid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const isList = isFields(value) && typeof value.kind === 'string' && value.kind.endsWith('List');
    if (isList && Array.isArray(value.items)) {
      value.items.forEach((item, j) => documents.push(checkDocument(item, { ...origin, item: j })));
    } else {
      documents.push(checkDocument(value, origin));
    }
  });
  return documents;
}

function checkDocument(value: unknown, origin: DocumentOrigin): ArgoDocument {
  if (!isFields(value)) throw new ImportError(origin, `not a Kubernetes object but ${describeJson(value)}`);
  const { apiVersion, kind } = value;
  const isArgo = typeof apiVersion === 'string' && apiVersion.startsWith('argoproj.io/');
  if (isArgo && kind === 'ApplicationSet') {
    throw new ImportError(
      origin,
      'an ApplicationSet: import the Applications it generates ' +
        '(`argocd appset generate`, or `kubectl get applications -o yaml`)',
    );
  }
  if (!isArgo || !(ARGO_KINDS as readonly unknown[]).includes(kind)) {
    throw new ImportError(
      origin,
      `a ${typeof kind === 'string' ? kind : 'document without kind'} ` +
        `(apiVersion ${describeJson(apiVersion)}), not an Argo CD Application or AppProject (argoproj.io/v1alpha1)`,
    );
  }
  const metadata = isFields(value.metadata) ? value.metadata : {};
  const name = metadata.name;
  const at: DocumentOrigin = { ...origin, kind: kind as ArgoKind, name: typeof name === 'string' ? name : undefined };
  if (typeof name !== 'string' || name === '') throw new ImportError(at, 'metadata.name is missing');
  if (!OBJECT_NAME.test(name)) {
    throw new ImportError(at, 'metadata.name is not a DNS subdomain (lowercase letters, digits, - and .)');
  }
  if (!isFields(value.spec)) throw new ImportError(at, 'spec is missing');
  if (kind === 'Application') checkApplicationSpec(value.spec, at);
  return { kind: kind as ArgoKind, name, origin: at, object: value };
}

function checkApplicationSpec(spec: Fields, origin: DocumentOrigin): void {
  const sources = spec.sources === undefined || spec.sources === null ? undefined : spec.sources;
  if (sources !== undefined && (!Array.isArray(sources) || sources.length === 0)) {
    throw new ImportError(origin, 'spec.sources must be a non-empty list of sources');
  }
  const list: [string, unknown][] = sources
    ? sources.map((s, i) => [`spec.sources[${i}]`, s])
    : [['spec.source', spec.source]];
  for (const [field, source] of list) {
    if (!isFields(source)) {
      throw new ImportError(
        origin,
        source === undefined ? 'spec.source is missing (or spec.sources)' : `${field} must be an object`,
      );
    }
    if (typeof source.repoURL !== 'string' || source.repoURL === '') {
      throw new ImportError(origin, `${field}.repoURL is missing`);
    }
  }
  if (!isFields(spec.destination)) throw new ImportError(origin, 'spec.destination is missing');
}
