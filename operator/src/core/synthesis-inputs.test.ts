import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceTree, TreeEntry } from './source.ts';
import { firstChangedInput, imagesEntryDigest, RecordingTree } from './synthesis-inputs.ts';

/** A tree of files in memory; folders are implied by the paths. */
function tree(revision: string, files: Record<string, string>): SourceTree {
  const bytes = new TextEncoder();
  return {
    revision,
    readFile: async (path) => (path in files ? bytes.encode(files[path]) : undefined),
    readDir: async (path) => {
      const prefix = path === '' || path === '.' ? '' : `${path}/`;
      const names = new Map<string, TreeEntry>();
      for (const file of Object.keys(files).filter((f) => f.startsWith(prefix))) {
        const [name, ...rest] = file.slice(prefix.length).split('/');
        names.set(name!, { name: name!, type: rest.length > 0 ? 'dir' : 'file' });
      }
      return names.size === 0 ? undefined : [...names.values()];
    },
  };
}

const images = (dev: string, prod: string) =>
  JSON.stringify({ dev: { web: `registry.example/web:${dev}` }, prod: { web: `registry.example/web:${prod}` } });
const REPO = { 'main.ts': 'export default 1', 'apps/web.ts': 'web', 'images.json': images('1', '1'), 'README.md': 'x' };

async function recordOf(files: Record<string, string>) {
  const reads = new RecordingTree(tree('r1', files));
  await reads.readDir('');
  await reads.readFile('main.ts');
  await reads.readFile('package.json');
  await reads.readDir('apps');
  const bundle = reads.child();
  await bundle.readFile('apps/web.ts');
  reads.note('i:images.json#dev', imagesEntryDigest(JSON.parse(files['images.json']!), 'dev'));
  return { reads, bundle };
}

describe('synthesis inputs', () => {
  it('records every file and folder read, a missing one too, and what a child read', async () => {
    const { reads, bundle } = await recordOf(REPO);
    assert.deepEqual(
      [...(await reads.inputs()).keys()],
      ['d:', 'd:apps', 'f:apps/web.ts', 'f:main.ts', 'f:package.json', 'i:images.json#dev'],
    );
    assert.deepEqual([...(await bundle.inputs()).keys()], ['f:apps/web.ts']);
    assert.equal((await reads.inputs()).get('f:package.json'), '-');
  });

  it('a revision with the same bytes for every input changes nothing', async () => {
    const inputs = await (await recordOf(REPO)).reads.inputs();
    // A folder read is its names: the root's README changing is no change of what was read.
    const next = tree('r2', { ...REPO, 'README.md': 'unrelated', 'images.json': images('1', '2') });
    assert.equal(await firstChangedInput(inputs, next, readImages(next)), undefined, "prod's entry is not dev's input");
  });

  const changes: { name: string; files: Record<string, string>; want: string }[] = [
    { name: 'an edited file', files: { ...REPO, 'apps/web.ts': 'web 2' }, want: 'f:apps/web.ts' },
    { name: 'a file added to a folder read', files: { ...REPO, 'apps/api.ts': 'api' }, want: 'd:apps' },
    { name: 'a file that appears where none was', files: { ...REPO, 'apps/package.json': '{}' }, want: 'd:apps' },
    { name: 'its own images entry', files: { ...REPO, 'images.json': images('2', '1') }, want: 'i:images.json#dev' },
    {
      name: 'an images file that is no longer JSON',
      files: { ...REPO, 'images.json': '{' },
      want: 'i:images.json#dev',
    },
  ];
  for (const c of changes)
    it(`${c.name} is a change`, async () => {
      const inputs = await (await recordOf(REPO)).reads.inputs();
      const next = tree('r2', c.files);
      assert.equal(await firstChangedInput(inputs, next, readImages(next)), c.want);
    });

  it('a file found missing is an input: one there later is a change', async () => {
    const next = tree('r2', { ...REPO, 'package.json': '{}' });
    const inputs = new Map([['f:package.json', '-']]);
    assert.equal(await firstChangedInput(inputs, next, readImages(next)), 'f:package.json');
  });

  it('the whole tree (a kustomize build) changes with any file', async () => {
    const reads = new RecordingTree(tree('r1', REPO));
    reads.readWholeTree();
    const inputs = await reads.inputs();
    const same = tree('r2', REPO);
    assert.equal(await firstChangedInput(inputs, same, readImages(same)), undefined);
    const next = tree('r2', { ...REPO, 'README.md': 'y' });
    assert.equal(await firstChangedInput(inputs, next, readImages(next)), 'r:');
  });

  it('merged inputs (a cached bundle) count as read', async () => {
    const { bundle } = await recordOf(REPO);
    const other = new RecordingTree(tree('r1', REPO));
    other.merge(await bundle.inputs());
    assert.deepEqual([...(await other.inputs()).keys()], ['f:apps/web.ts']);
  });
});

function readImages(t: SourceTree) {
  return async (file: string) => {
    const bytes = await t.readFile(file);
    if (!bytes) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch {
      return new TextDecoder().decode(bytes);
    }
  };
}
