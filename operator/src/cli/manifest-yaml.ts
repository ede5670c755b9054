// Kubernetes objects as multi-document YAML, written directly: objects are plain JSON data,
// so a small block-style emitter suffices, and `keelson synth` does not load a YAML library.
// A string is written plain only when no YAML 1.1 or 1.2 parser can read it as anything but
// that string (kubectl's parser is YAML 1.1); otherwise it is a literal block (multi-line
// text) or a JSON string, which is valid double-quoted YAML.

/** Objects as a YAML stream, each document starting with `---`. */
export function toYamlDocuments(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${block(o, '')}`).join('');
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+=,()~:\- ]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

function block(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]\n`;
    return value
      .map((item) => {
        const body =
          isCollection(item) && !isEmpty(item)
            ? block(item, `${indent}  `).slice(indent.length + 2)
            : `${scalar(item, `${indent}  `)}\n`;
        return `${indent}- ${body}`;
      })
      .join('');
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `${indent}{}\n`;
    return entries
      .map(([k, v]) => {
        const key = `${indent}${string(k, indent, true)}:`;
        if (isCollection(v) && !isEmpty(v)) return `${key}\n${block(v, Array.isArray(v) ? indent : `${indent}  `)}`;
        return `${key} ${scalar(v, `${indent}  `)}\n`;
      })
      .join('');
  }
  return `${indent}${scalar(value, indent)}\n`;
}

function scalar(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return string(String(value), indent);
}

function string(s: string, indent: string, isKey = false): string {
  if (
    PLAIN.test(s) &&
    !RESERVED.test(s) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #')
  )
    return s;
  const lines = s.split('\n');
  // Several lines of printable text: a literal block, with the chomping its trailing newlines need.
  const firstText = lines.find((l) => l !== '');
  if (!isKey && lines.length > 1 && firstText !== undefined && !/^[ \t]/.test(firstText) && !hasUnprintable(s)) {
    const trailing = s.length - s.trimEnd().length === 0 ? '-' : /[^\n]\n$/.test(s) ? '' : undefined;
    if (trailing !== undefined && !/\s$/.test(s.replace(/\n$/, ''))) {
      const body = s
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => (l === '' ? '' : `${indent}${l}`))
        .join('\n');
      return `|${trailing}\n${body}`;
    }
  }
  // JSON leaves DEL, C1 controls, U+2028/9 and the BOM unescaped; YAML wants them escaped.
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Characters a literal block cannot hold: controls other than tab and newline, DEL, C1, U+2028/9, the BOM. */
function hasUnprintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a) ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0xfeff
    )
      return true;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}
