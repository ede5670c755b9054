// Reading Argo CD manifests: every fixture parses, a List is unfolded, and invalid input is an
// ImportError that names the file and the document (and the List item).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgoDocuments } from './argocd-application.ts';
import { ImportError } from './import-error.ts';

const dir = join(import.meta.dirname, 'testdata');

const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web }
spec:
  source: { repoURL: https://git.example.com/web.git, path: k8s }
  destination: { server: https://kubernetes.default.svc, namespace: web }
`;

describe('parseArgoDocuments', () => {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    it(`reads ${file} as one ${file.startsWith('appproject') ? 'AppProject' : 'Application'}`, () => {
      const docs = parseArgoDocuments({ file, text: readFileSync(join(dir, file), 'utf8') });
      assert.equal(docs.length, 1);
      assert.equal(docs[0]!.kind, file.startsWith('appproject') ? 'AppProject' : 'Application');
      assert.deepEqual(docs[0]!.origin, { file, document: 1, kind: docs[0]!.kind, name: docs[0]!.name });
    });
  }

  it('skips empty documents and counts documents from 1', () => {
    const text = `# no object here\n---\n---\n${APP}---\n${APP.replace('name: web', 'name: api')}---\n`;
    const docs = parseArgoDocuments({ file: 'apps.yaml', text });
    assert.deepEqual(
      docs.map((d) => [d.name, d.origin.document]),
      [
        ['web', 2],
        ['api', 3],
      ],
    );
  });

  it('unfolds the items of a kubectl List, each with its index', () => {
    const items = [APP, APP.replace('name: web', 'name: api')].map((t) => parseYamlLike(t));
    const list = { apiVersion: 'v1', kind: 'List', items };
    const docs = parseArgoDocuments({ file: 'dump.yaml', text: JSON.stringify(list) });
    assert.deepEqual(
      docs.map((d) => [d.name, d.origin.item]),
      [
        ['web', 0],
        ['api', 1],
      ],
    );
  });

  const invalid: [string, string, RegExp][] = [
    ['text that is not YAML', 'a: [b\nc: d', /^bad\.yaml, document 1: not valid YAML: /],
    ['a list, not an object', '- a\n- b', /^bad\.yaml, document 1: not a Kubernetes object but \["a","b"\]/],
    [
      'another kind',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }',
      /a ConfigMap \(apiVersion "v1"\), not an Argo CD Application/,
    ],
    [
      'an ApplicationSet',
      'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: x }',
      /an ApplicationSet: import the Applications/,
    ],
    [
      'no name',
      APP.replace('metadata: { name: web }', 'metadata: {}'),
      /document 1 \(Application\): metadata\.name is missing/,
    ],
    [
      'a name that is not a DNS subdomain',
      APP.replace('name: web', 'name: Web_App'),
      /\(Application "Web_App"\): metadata\.name is not a DNS subdomain/,
    ],
    ['no spec', APP.split('spec:')[0]!, /\(Application "web"\): spec is missing/],
    [
      'no repoURL',
      APP.replace('repoURL: https://git.example.com/web.git, ', ''),
      /\(Application "web"\): spec\.source\.repoURL is missing/,
    ],
    ['no source at all', APP.replace(/ {2}source:.*\n/, ''), /spec\.source is missing \(or spec\.sources\)/],
    [
      'an empty sources list',
      APP.replace(/ {2}source:.*\n/, '  sources: []\n'),
      /spec\.sources must be a non-empty list/,
    ],
    [
      'a source without repoURL in sources',
      APP.replace(/ {2}source:.*\n/, '  sources: [{ chart: x }]\n'),
      /spec\.sources\[0\]\.repoURL is missing/,
    ],
    ['no destination', APP.replace(/ {2}destination:.*\n/, ''), /spec\.destination is missing/],
  ];
  for (const [what, text, message] of invalid) {
    it(`refuses ${what}, naming file and document`, () => {
      throwsImportError(() => parseArgoDocuments({ file: 'bad.yaml', text }), message);
    });
  }

  it('names the second document when the first is fine', () => {
    const text = `${APP}---\napiVersion: v1\nkind: Secret\n`;
    throwsImportError(() => parseArgoDocuments({ file: 'apps.yaml', text }), /^apps\.yaml, document 2: a Secret/);
  });

  it('names the item of a List that is not an Application', () => {
    const text = JSON.stringify({ kind: 'List', items: [parseYamlLike(APP), { apiVersion: 'v1', kind: 'Pod' }] });
    const parse = () => parseArgoDocuments({ file: 'dump.yaml', text });
    throwsImportError(parse, /^dump\.yaml, document 1, items\[1\]: a Pod/);
  });
});

function throwsImportError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ImportError, `not an ImportError: ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

/** The test's Application as data (YAML flow maps are JSON-like enough for the yaml parser here). */
function parseYamlLike(text: string): unknown {
  return parseArgoDocuments({ file: 'x.yaml', text })[0]!.object;
}
