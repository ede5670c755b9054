// Plain data (YAML values, props) as a TypeScript expression in the house style of the deploy
// code: single quotes, trailing commas, bare keys where they are identifiers, one line when
// it fits, one entry a line when it does not.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const WIDTH = 100;

/** A string as a single-quoted TypeScript literal. */
export function tsString(text: string): string {
  const body = JSON.stringify(text)
    .slice(1, -1)
    .replace(/\\"/g, '"')
    .replace(/'/g, "\\'")
    .replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return `'${body}'`;
}

/** An object key: bare when it is an identifier. */
export function tsKey(key: string): string {
  return IDENTIFIER.test(key) ? key : tsString(key);
}

/** `value` as an expression, its continuation lines indented by `indent`. */
export function tsLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => tsLiteral(v, indent)).join(', ')}]`;
    if (fits(inline, indent)) return inline;
    return `[\n${value.map((v) => `${indent}  ${tsLiteral(v, `${indent}  `)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const inline = `{ ${entries.map(([k, v]) => `${tsKey(k)}: ${tsLiteral(v, indent)}`).join(', ')} }`;
  if (fits(inline, indent)) return inline;
  const lines = entries.map(([k, v]) => `${indent}  ${tsKey(k)}: ${tsLiteral(v, `${indent}  `)},\n`);
  return `{\n${lines.join('')}${indent}}`;
}

function fits(inline: string, indent: string): boolean {
  return !inline.includes('\n') && indent.length + inline.length <= WIDTH - 20;
}
