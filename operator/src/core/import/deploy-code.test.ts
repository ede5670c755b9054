// The deploy code of imported Applications: names, literals, one environment file per
// Application with only the constructs it uses, and a main.ts defining every environment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classNameOf, codeFileOf } from './deploy-code.ts';
import { importArgoCd, type InputFile } from './index.ts';
import { tsLiteral, tsString } from './ts-literal.ts';

const fixture = (file: string): InputFile => ({
  file,
  text: readFileSync(join(import.meta.dirname, 'testdata', file), 'utf8'),
});
const OPTIONS = { deployPath: 'deploy', deployRepo: { url: 'https://git.example.com/platform/deploy.git' } };

function codeOf(file: string): string {
  const result = importArgoCd([fixture(file), fixture('appproject.yaml')], OPTIONS);
  return result.deployFiles[0]!.text;
}

describe('names', () => {
  const cases: [string, string, string][] = [
    ['podinfo', 'podinfo.ts', 'PodinfoApp'],
    ['helm-guestbook', 'helm-guestbook.ts', 'HelmGuestbookApp'],
    ['2048-game', '2048-game.ts', 'Env2048GameApp'],
    ['main', 'main-environment.ts', 'MainApp'],
    ['index', 'index-environment.ts', 'IndexApp'],
  ];
  for (const [env, file, cls] of cases) {
    it(`puts environment ${env} in ${file} as class ${cls}`, () => {
      assert.equal(codeFileOf(env), file);
      assert.equal(classNameOf(env), cls);
    });
  }
});

describe('tsLiteral', () => {
  it('quotes keys that are not identifiers and escapes quotes', () => {
    const literal = tsLiteral({ 'prometheus.io/scrape': 'true', name: "it's" });
    assert.equal(literal, "{ 'prometheus.io/scrape': 'true', name: 'it\\'s' }");
    assert.equal(tsString('a\nb'), "'a\\nb'");
  });

  it('breaks what does not fit on one line into one entry a line, with trailing commas', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((h) => `${h}.example.com`);
    const text = tsLiteral({ hosts }, '  ');
    assert.equal(
      text,
      "{\n    hosts: [\n      'a.example.com',\n      'b.example.com',\n      'c.example.com',\n" +
        "      'd.example.com',\n      'e.example.com',\n    ],\n  }",
    );
  });

  it('writes empty collections, null and numbers as they are', () => {
    assert.equal(tsLiteral({ a: [], b: {}, c: null, d: 1.5 }), '{ a: [], b: {}, c: null, d: 1.5 }');
  });
});

describe('environmentCode', () => {
  it('renders a Helm chart of a chart repository with its values, and the Namespace CreateNamespace asked for', () => {
    const code = codeOf('application-helm.yaml');
    assert.match(code, /^import \{ ApiObject, Helm \} from 'cdk8s';$/m);
    assert.match(code, /^import \{ App \} from '@keelson\/cdk8s-app';$/m);
    assert.match(code, /^export class PodinfoApp extends App \{$/m);
    assert.match(code, /new ApiObject\(this, 'namespace', \{\n {6}apiVersion: 'v1',\n {6}kind: 'Namespace',/);
    assert.match(code, /annotations: \{ 'keelson\.dev\/prune': 'false' \}/);
    assert.match(code, /new Helm\(this, 'podinfo', \{\n {6}chart: 'podinfo',\n/);
    assert.match(code, /\n {6}repo: 'https:\/\/stefanprodan\.github\.io\/podinfo',\n {6}version: '6\.7\.1',\n/);
    assert.match(code, /podAnnotations: \{ 'prometheus\.io\/scrape': 'true' \}/);
    assert.match(code, /helmFlags: \['--include-crds'\]/);
    assert.match(code, /^\/\/ - spec\.ignoreDifferences\[1\]\.jqPathExpressions: /m, 'the list is a comment too');
  });

  it("renders plain YAML with Include and a kustomization with the kit's Kustomization", () => {
    const directory = codeOf('application-directory.yaml');
    assert.match(directory, /^import \{ Include \} from 'cdk8s';$/m);
    assert.match(directory, /new Include\(this, 'manifests', \{ url: '\.\.\/guestbook' \}\);/);
    const kustomize = codeOf('application-kustomize.yaml');
    assert.match(kustomize, /^import \{ App, Kustomization \} from '@keelson\/cdk8s-app';$/m);
    assert.doesNotMatch(kustomize, /from 'cdk8s'/);
    assert.match(kustomize, /new Kustomization\(this, 'kustomize', \{ path: '\.\.\/kustomize-guestbook' \}\);/);
  });

  it('writes an App that renders nothing for a plugin, saying why', () => {
    const code = codeOf('application-plugin.yaml');
    assert.match(code, /\/\/ Nothing to render: see what was not carried over above\./);
    assert.match(code, /\/\/ - spec\.source\.plugin: config management plugin "argocd-vault-plugin-helm"/);
  });

  it('keeps comment lines under 100 characters', () => {
    for (const file of ['application-helm.yaml', 'application-helm-git.yaml', 'application-plugin.yaml']) {
      for (const line of codeOf(file)
        .split('\n')
        .filter((l) => l.startsWith('//'))) {
        assert.ok(line.length <= 100, line);
      }
    }
  });
});

describe('mainCode', () => {
  it('defines every environment by name, sorted, each builder returning nothing', () => {
    const inputs = ['application-helm.yaml', 'application-helm-git.yaml', 'appproject.yaml'].map(fixture);
    const result = importArgoCd(inputs, OPTIONS);
    const main = result.deployFiles.at(-1)!;
    assert.equal(main.path, 'main.ts');
    assert.match(main.text, /^import \{ HelmGuestbookApp \} from '\.\/helm-guestbook\.ts';\n/m);
    assert.match(main.text, /^import \{ PodinfoApp \} from '\.\/podinfo\.ts';$/m);
    assert.match(main.text, /export default defineEnvironments\(\{\n {2}'helm-guestbook': \(env\) => \{\n/);
    assert.match(main.text, /\n {4}new HelmGuestbookApp\(env, 'helm-guestbook'\);\n {2}\},\n {2}podinfo: /);
    assert.deepEqual(
      result.deployFiles.map((f) => f.path),
      ['podinfo.ts', 'helm-guestbook.ts', 'main.ts'],
    );
  });
});
