// The values Argo CD hands to `helm template`, as one object: `helm.values` (a YAML string),
// then `helm.valuesObject` over it, then each `helm.parameters` entry set by its dotted
// path, the way `--set name=value` does (with `forceString`, the way `--set-string` does).
import { parse } from 'yaml';
import { isFields, type Fields } from './field-reader.ts';

/** A `--set` parameter of the Application. */
export interface HelmParameter {
  readonly name: string;
  readonly value: string;
  readonly forceString?: boolean;
}

/** `values` parsed; throws with the YAML parser's message when it is not a YAML map. */
export function parseValuesYaml(text: string): Fields {
  const value: unknown = parse(text);
  if (value === null || value === undefined) return {};
  if (!isFields(value)) throw new Error('is not a YAML map of values');
  return value;
}

/** `over` merged into `base` the way Helm merges values: maps deeply, anything else replaced. */
export function mergeValues(base: Fields, over: Fields): Fields {
  const out: Fields = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const old = out[key];
    out[key] = isFields(old) && isFields(value) ? mergeValues(old, value) : value;
  }
  return out;
}

/** `values` with one parameter set; throws on a name `--set` would not accept. */
export function setParameter(values: Fields, parameter: HelmParameter): Fields {
  const path = parsePath(parameter.name);
  const value = parameter.forceString ? parameter.value : typedValue(parameter.value);
  return assign(values, path, value) as Fields;
}

type Segment = string | number;

/** `a.b\.c[0].d` → ['a', 'b.c', 0, 'd']. */
export function parsePath(name: string): Segment[] {
  const segments: Segment[] = [];
  let key = '';
  let pendingKey = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      key += name[++i];
    } else if (c === '.') {
      if (pendingKey) pushKey();
      pendingKey = true;
    } else if (c === '[') {
      if (pendingKey) pushKey();
      const end = name.indexOf(']', i);
      const index = name.slice(i + 1, end);
      if (end < 0 || !/^[0-9]+$/.test(index)) throw new Error(`"${name}" has a bad list index`);
      segments.push(Number(index));
      i = end;
      pendingKey = false;
    } else {
      key += c;
      pendingKey = true;
    }
  }
  if (pendingKey) pushKey();
  return segments;

  function pushKey(): void {
    if (key === '') throw new Error(`"${name}" has an empty key`);
    segments.push(key);
    key = '';
  }
}

/** How `--set` types a value: true/false, null, integers without leading zeros, `{a,b}` lists; else a string. */
export function typedValue(text: string): unknown {
  if (text.startsWith('{') && text.endsWith('}')) {
    const inner = text.slice(1, -1);
    return inner === '' ? [] : inner.split(',').map((v) => typedValue(v));
  }
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

function assign(target: unknown, path: readonly Segment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [Segment, ...Segment[]];
  if (typeof head === 'number') {
    const list = Array.isArray(target) ? [...target] : [];
    while (list.length < head) list.push(null);
    list[head] = assign(list[head], rest, value);
    return list;
  }
  const map: Fields = isFields(target) ? { ...target } : {};
  map[head] = assign(map[head], rest, value);
  return map;
}
