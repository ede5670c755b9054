// The runtime tree the image is built from holds production code and dependencies only,
// and the keelson command runs from it against the real control plane.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { runtimeTree, type RuntimeTree } from '../../harness/runtime-tree.ts';

const run = promisify(execFile);
let tree: RuntimeTree;

function walk(dir: string, skip: (path: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skip(path)) continue;
    if (statSync(path).isDirectory()) walk(path, skip, out);
    else out.push(path);
  }
  return out;
}

describe('runtime tree', () => {
  before(async () => {
    tree = await runtimeTree();
  });

  it('has no development tools, tests or test data', () => {
    for (const dev of ['typescript', 'oxlint', 'node']) {
      assert.ok(!existsSync(join(tree.dir, 'node_modules', dev, 'package.json')), `${dev} is a development dependency`);
    }
    const ours = walk(tree.dir, (p) => p.includes('node_modules'));
    const rel = ours.map((p) => relative(tree.dir, p));
    assert.ok(rel.some((p) => p === 'operator/src/cli/main.ts'));
    assert.ok(
      rel.some((p) => p.startsWith('cdk8s-app/kit/')),
      'the kit synthesis provides is there',
    );
    assert.deepEqual(
      rel.filter((p) => p.endsWith('.test.ts') || p.includes('testdata') || p.startsWith('test/')),
      [],
    );
  });

  it('runs the keelson command against the control plane', async () => {
    const { stdout } = await run(process.execPath, [tree.bin, '--help'], { env: process.env });
    assert.match(stdout, /Commands:/);
    const list = await run(process.execPath, [tree.bin, 'list', '-A', '-o', 'json'], { env: process.env });
    assert.match(list.stdout, /"kind": "List"/);
  });
});
