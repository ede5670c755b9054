import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeTreePath, type SourceTree, type TreeEntry } from '../../core/source.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { bundleDeployRepo } from './deploy-bundle.ts';
import { BUNDLE_FILE } from './protocol.ts';
import { SourcePositions } from './source-positions.ts';

/** A SourceTree over a map of path → contents: what a Git artifact looks like to the bundler. */
function treeOf(files: Record<string, string>): SourceTree {
  const enc = new TextEncoder();
  return {
    revision: 'main@sha1:0000000000000000000000000000000000000000',
    readFile: async (path) =>
      Object.hasOwn(files, normalizeTreePath(path)) ? enc.encode(files[normalizeTreePath(path)]!) : undefined,
    readDir: async (path) => {
      const dir = normalizeTreePath(path);
      const prefix = dir ? `${dir}/` : '';
      const names = new Map<string, TreeEntry['type']>();
      for (const file of Object.keys(files).filter((f) => f.startsWith(prefix))) {
        const [name, ...rest] = file.slice(prefix.length).split('/');
        names.set(name!, rest.length > 0 ? 'dir' : 'file');
      }
      return names.size === 0 ? undefined : [...names].map(([name, type]) => ({ name, type }));
    },
  };
}

const exports = {
  'cdk8s-plus-27': ['Deployment', 'ConfigMap'],
  cdk8s: ['App', 'Chart'],
  constructs: ['Construct'],
  '@keelson/cdk8s-app': ['App'],
};

describe('bundleDeployRepo', () => {
  it('bundles the entry point with its files, finding .ts for .js and index.ts for a directory', async () => {
    const bundle = await bundleDeployRepo(
      treeOf({
        'deploy/main.ts': `import { a } from './lib/a.js';\nimport { b } from './lib';\nimport { ConfigMap } from 'cdk8s-plus-27';\nexport default { a, b, ConfigMap };\n`,
        'deploy/lib/a.ts': `export const a: number = 1;\n`,
        'deploy/lib/index.ts': `export const b = 2;\n`,
      }),
      { path: 'deploy', exports },
    );
    assert.equal(bundle.entry, 'deploy/main.ts');
    assert.match(bundle.code, /__keelsonRequire\("cdk8s-plus-27"\)/);
    assert.doesNotMatch(bundle.code, /sourceMappingURL/);
  });

  it('maps bundle positions back to the files of the tree', async () => {
    const bundle = await bundleDeployRepo(
      treeOf({
        'main.ts': `import { f } from './f.ts';\nexport default f();\n`,
        'f.ts': `\n\nexport function f() {\n  throw new Error('x');\n}\n`,
      }),
      { path: '.', exports },
    );
    const line = bundle.code.split('\n').findIndex((l) => l.includes('throw new Error')) + 1;
    const column = bundle.code.split('\n')[line - 1]!.indexOf('throw') + 1;
    const positions = new SourcePositions(bundle.map);
    assert.equal(positions.locate({ line, column }), 'f.ts:4:3');
    const mapped = positions.mapStack(
      `Error: x\n    at f (${BUNDLE_FILE}:${line}:${column})\n    at Object.<anonymous> (/scratch/runtime.cjs:1:99)`,
    );
    assert.deepEqual(mapped, { frames: ['at f (f.ts:4:3)'], location: 'f.ts:4:3' });
  });

  const refusals: { name: string; files: Record<string, string>; path?: string; error: RegExp }[] = [
    { name: 'a directory without an entry point', files: { 'README.md': '' }, error: /no entry point in "\."/ },
    {
      name: 'a path that does not exist',
      files: { 'main.ts': '' },
      path: 'envs/prod',
      error: /no directory "envs\/prod"/,
    },
    {
      name: 'an import that climbs out of the deploy repository',
      files: {
        'deploy/main.ts': `import x from '../secrets.ts';\nexport default x;\n`,
        'secrets.ts': 'export default 1;',
      },
      path: 'deploy',
      error: /deploy\/main\.ts:1:\d+: "\.\.\/secrets\.ts" is outside the deploy repository's directory "deploy"/,
    },
    {
      name: 'an import that climbs out of the tree',
      files: { 'main.ts': `import x from '../../etc/passwd';\nexport default x;\n` },
      error: /main\.ts:1:\d+: "\.\.\/\.\.\/etc\/passwd" leaves the repository/,
    },
    {
      name: 'an import of a file inside a provided package',
      files: { 'main.ts': `import { x } from 'cdk8s-plus-27/lib/x';\nexport default x;\n` },
      error: /import the package root \("cdk8s-plus-27"\)/,
    },
    {
      name: 'a name the provided package does not export',
      files: { 'main.ts': `import { Deploymnt } from 'cdk8s-plus-27';\nexport default Deploymnt;\n` },
      error: /main\.ts:1:10: No matching export in "cdk8s-plus-27" for import "Deploymnt"/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, async () => {
      const err = await bundleDeployRepo(treeOf(r.files), { path: r.path ?? '.', exports }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SynthesisError, String(err));
      assert.equal(err.reason, 'BuildFailed');
      assert.match(err.message, r.error);
    });
  }
});
