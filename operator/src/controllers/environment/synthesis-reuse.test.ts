import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceTree } from '../../core/source.ts';
import type { SynthesisResult } from '../../core/synthesis.ts';
import { RecordingTree } from '../../core/synthesis-inputs.ts';
import { SynthesisReuse } from './synthesis-reuse.ts';

function tree(revision: string, files: Record<string, string>): SourceTree {
  return {
    revision,
    readFile: async (path) => (path in files ? new TextEncoder().encode(files[path]) : undefined),
    readDir: async () => undefined,
  };
}

/** A synthesis that reads `reads` of the tree and counts its runs. */
function synthesizer(reads: string[]) {
  const runs: string[] = [];
  return {
    runs,
    run: (t: SourceTree) => async () => {
      runs.push(t.revision);
      const recorder = new RecordingTree(t);
      for (const path of reads) await recorder.readFile(path);
      const result: SynthesisResult = { environment: 'dev', apps: [{ name: t.revision, objects: [] }] };
      return { result, inputs: await recorder.inputs() };
    },
  };
}

describe('synthesis reuse', () => {
  const dev = { 'dev.ts': 'dev 1', 'prod.ts': 'prod 1' };

  it("a revision that changes none of the environment's inputs reuses its last result", async () => {
    const reuse = new SynthesisReuse(8);
    const s = synthesizer(['dev.ts']);
    const r1 = tree('r1', dev);
    assert.deepEqual(await reuse.synthesize('repo|.|dev', r1, s.run(r1)), {
      result: { environment: 'dev', apps: [{ name: 'r1', objects: [] }] },
      changed: 'no earlier synthesis',
    });
    const r2 = tree('r2', { ...dev, 'prod.ts': 'prod 2' });
    const reused = await reuse.synthesize('repo|.|dev', r2, s.run(r2));
    assert.equal(reused.reusedFrom, 'r1');
    assert.equal(reused.result.apps[0]!.name, 'r1', "r1's objects");
    assert.deepEqual(s.runs, ['r1']);
    assert.equal(await reuse.touches('repo|.|dev', tree('r4', { ...dev, 'prod.ts': 'prod 4' })), false);
    assert.equal(await reuse.touches('repo|.|dev', tree('r5', { ...dev, 'dev.ts': 'dev 5' })), true);
    assert.equal(await reuse.touches('repo|.|prod', r2), true, 'nothing to compare with');
    const r3 = tree('r3', { ...dev, 'dev.ts': 'dev 3' });
    const fresh = await reuse.synthesize('repo|.|dev', r3, s.run(r3));
    assert.equal(fresh.changed, 'f:dev.ts');
    assert.deepEqual(s.runs, ['r1', 'r3']);
  });

  it('a failed synthesis is not remembered, and a directory on disk always synthesizes', async () => {
    const reuse = new SynthesisReuse(8);
    const r1 = tree('r1', dev);
    await assert.rejects(
      reuse.synthesize('repo|.|dev', r1, async () => {
        throw new Error('boom');
      }),
    );
    assert.equal(reuse.size, 0);
    const s = synthesizer(['dev.ts']);
    const dir = tree('dir:/tmp/deploy', dev);
    await reuse.synthesize('repo|.|dev', dir, s.run(dir));
    await reuse.synthesize('repo|.|dev', dir, s.run(dir));
    assert.deepEqual(s.runs, ['dir:/tmp/deploy', 'dir:/tmp/deploy']);
  });

  it('keeps at most its bound, the least recently used out first', async () => {
    const reuse = new SynthesisReuse(2);
    const s = synthesizer([]);
    for (const env of ['a', 'b', 'a', 'c']) await reuse.synthesize(env, tree('r1', {}), s.run(tree('r1', {})));
    assert.equal(reuse.size, 2);
    assert.deepEqual(s.runs, ['r1', 'r1', 'r1'], 'a was reused; b and c synthesized');
    await reuse.synthesize('b', tree('r2', {}), s.run(tree('r2', {})));
    assert.equal(s.runs.length, 4, 'b was dropped');
  });

  it('follows a bound that grows with the fleet: nothing is dropped while there is room for every scope', async () => {
    let fleet = 2;
    const reuse = new SynthesisReuse(() => fleet);
    const s = synthesizer([]);
    for (const env of ['a', 'b']) await reuse.synthesize(env, tree('r1', {}), s.run(tree('r1', {})));
    fleet = 3;
    await reuse.synthesize('c', tree('r1', {}), s.run(tree('r1', {})));
    assert.equal(reuse.size, 3, 'the third scope did not push the first out');
    for (const env of ['a', 'b', 'c']) await reuse.synthesize(env, tree('r2', {}), s.run(tree('r2', {})));
    assert.deepEqual(s.runs, ['r1', 'r1', 'r1'], 'every scope reused its synthesis at r2');
  });
});
