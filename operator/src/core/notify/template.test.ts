import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEMPLATE_PATTERN } from '../../api/v1alpha1/notification.ts';
import { parseTemplate, renderTemplate, type TemplateVariables } from './template.ts';

const vars: TemplateVariables = {
  trigger: 'SyncSucceeded',
  namespace: 'shop',
  environment: 'dev',
  revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
  commit: '0123456789abcdef0123456789abcdef01234567',
  shortCommit: '0123456',
  result: 'succeeded',
  message: 'all good',
  url: 'https://keelson.example/ui/environments/shop/dev',
  initiatedBy: 'automated',
};

describe('templates', () => {
  const cases: { name: string; source: string; want?: string; error?: RegExp }[] = [
    { name: 'plain text renders as it is', source: 'deployed', want: 'deployed' },
    { name: 'variables are replaced', source: '{{environment}} at {{ shortCommit }}', want: 'dev at 0123456' },
    { name: 'a variable at the end', source: 'see {{url}}', want: `see ${vars.url}` },
    { name: 'single braces stay text', source: '{a} {{result}} }', want: '{a} succeeded }' },
    { name: 'an unknown variable is refused', source: 'hi {{ password }}', error: /password .* is not a variable/ },
    { name: 'an expression is refused', source: '{{ environment + 1 }}', error: /is not a variable/ },
    { name: 'an unclosed placeholder is refused', source: 'hi {{ environment', error: /is not closed/ },
  ];
  for (const c of cases)
    it(c.name, () => {
      const parsed = parseTemplate(c.source);
      if (c.error) {
        assert.equal(parsed.ok, false);
        assert.match(!parsed.ok ? parsed.error : '', c.error);
      } else {
        assert.ok(parsed.ok);
        assert.equal(renderTemplate(parsed.parts, vars), c.want);
      }
      // The CRD's CEL rule (the same expression, in RE2) agrees with the parser.
      assert.equal(new RegExp(TEMPLATE_PATTERN).test(c.source), !c.error);
    });
});
