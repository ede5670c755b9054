// The template language of spec.templates: plain text with `{{ variable }}` placeholders, one
// of a fixed set of names, nothing else: no expressions, no loops, no code (ADR 0018). The
// CRD's CEL rule refuses a bad template at apply time; this parser is the same check for what
// reaches the operator anyway (an older CRD), and the caller falls back to the default message.
import { TEMPLATE_VARIABLES, type TemplateVariable } from '../../api/v1alpha1/notification.ts';

export type TemplateVariables = Readonly<Record<TemplateVariable, string>>;

export type TemplatePart = { readonly text: string } | { readonly variable: TemplateVariable };

export type ParsedTemplate =
  { readonly ok: true; readonly parts: readonly TemplatePart[] } | { readonly ok: false; readonly error: string };

const known = new Set<string>(TEMPLATE_VARIABLES);

export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push({ text: source.slice(at) });
      break;
    }
    if (open > at) parts.push({ text: source.slice(at, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) return { ok: false, error: `"{{" at offset ${open} is not closed by "}}"` };
    const name = source.slice(open + 2, close).trim();
    if (!known.has(name))
      return {
        ok: false,
        error: `{{ ${name} }} at offset ${open} is not a variable (${TEMPLATE_VARIABLES.join(', ')})`,
      };
    parts.push({ variable: name as TemplateVariable });
    at = close + 2;
  }
  return { ok: true, parts };
}

export function renderTemplate(parts: readonly TemplatePart[], variables: TemplateVariables): string {
  return parts.map((p) => ('text' in p ? p.text : variables[p.variable])).join('');
}
