// Renders every CRD to YAML text, in a stable form (sorted keys, a header naming the source).
import { stringify } from 'yaml';
import { buildCrd, definitions } from '../src/api/index.ts';

export interface RenderedCrd {
  readonly fileName: string;
  readonly yaml: string;
}

const HEADER = '# Generated from operator/src/api by `make generate`. Do not edit.\n';

export function renderCrds(): RenderedCrd[] {
  return definitions.map((def) => ({
    fileName: `${def.group}_${def.plural}.yaml`,
    yaml: HEADER + stringify(buildCrd(def), { lineWidth: 0 }),
  }));
}
