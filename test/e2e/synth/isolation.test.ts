// The sandbox itself: a worker process can read nothing outside its scratch directory, start
// no process, write no file and sees no environment variable; code of one deploy repository
// never runs in a worker that another repository's code has touched, nor waits for it;
// intrinsics are frozen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerProcess } from '../../../operator/src/adapters/synth/worker-process.ts';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { deployRepo, mainWith, removeDeployRepos } from './deploy-repo-fixture.ts';

const scratch = mkdtempSync(join(tmpdir(), 'keelson-scratch-'));
const outside = mkdtempSync(join(tmpdir(), 'keelson-outside-'));
const secret = join(outside, 'token');
writeFileSync(secret, 'SERVICE-ACCOUNT-TOKEN');

/** A stand-in runtime that tries what deploy-repo code must not manage, with every Node API at hand, and reports. */
const probe = `
const fs = require('node:fs');
const attempt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.code || e.message; } };
process.send({ type: 'ready', exports: { results: [
  attempt(() => fs.readFileSync(${JSON.stringify(secret)}, 'utf8')),
  attempt(() => fs.readFileSync('/etc/hostname', 'utf8')),
  attempt(() => fs.writeFileSync(${JSON.stringify(join(scratch, 'written'))}, 'x')),
  attempt(() => require('node:child_process').execFileSync('/bin/true')),
  attempt(() => new (require('node:worker_threads').Worker)('1', { eval: true })),
  JSON.stringify(Object.keys(process.env)),
  process.cwd(),
] } });
`;

const synthesizer = new Synthesizer({
  cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
  size: 2,
  timeoutMs: 5000,
});

describe('the synthesis sandbox', () => {
  before(() => synthesizer.start());
  after(async () => {
    await synthesizer.stop();
    removeDeployRepos();
    for (const dir of [scratch, outside]) rmSync(dir, { recursive: true, force: true });
  });

  it('a worker process can read only its scratch directory, spawn nothing, write nothing, and has no environment', async () => {
    writeFileSync(join(scratch, 'runtime.cjs'), probe);
    const worker = new WorkerProcess({
      entryFile: join(scratch, 'runtime.cjs'),
      scratchDir: scratch,
      heapLimitMb: 64,
      rssLimitMb: 256,
      startTimeoutMs: 10_000,
      maxStdioBytes: 65536,
    });
    const {
      exports: { results },
    } = await worker.start();
    worker.stop();
    assert.deepEqual(results, [
      'ERR_ACCESS_DENIED',
      'ERR_ACCESS_DENIED',
      'ERR_ACCESS_DENIED',
      'ERR_ACCESS_DENIED',
      'ERR_ACCESS_DENIED',
      '[]',
      scratch,
    ]);
  });

  it('code of one deploy repository never runs in a worker another repository changed', async () => {
    const polluter = deployRepo(
      mainWith(
        `(globalThis as any).leftBehind = 'from another repo'; setInterval(() => undefined, 1000); new kplus.ConfigMap(app, 'c', { metadata: { name: 'c' } });`,
      ),
    );
    const observer = deployRepo(
      mainWith(
        `new kplus.ConfigMap(app, 'c', { metadata: { name: 'c' }, data: { seen: String((globalThis as any).leftBehind) } });`,
      ),
    );
    for (let i = 0; i < 3; i++) {
      await synthesizer.synthesize({ tree: polluter }, 'dev');
      const { result } = await synthesizer.synthesize({ tree: observer }, 'dev');
      assert.deepEqual(result.apps[0]!.objects[0]!.data, { seen: 'undefined' });
    }
  });

  it('an endless loop in one deploy repository does not hold up another one', async () => {
    const spinner = deployRepo(mainWith(`for (;;) { /* spin */ }`));
    const other = deployRepo(mainWith(`new kplus.ConfigMap(app, 'c', { metadata: { name: 'c' } });`));
    const spinning = synthesizer.synthesize({ tree: spinner }, 'dev').then(
      () => 'finished',
      (e: Error) => e.message,
    );
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) await synthesizer.synthesize({ tree: other }, 'dev');
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 4000, `three syntheses beside the loop took ${Math.round(elapsed)} ms`);
    assert.match(await spinning, /did not finish within 5000 ms/);
  });

  it('a deploy repository cannot change the built-in prototypes that later synthesis uses', async () => {
    const repo = deployRepo(
      mainWith(
        `try { (Object.prototype as any).polluted = 'yes'; } catch { /* frozen */ }\n    new kplus.ConfigMap(app, 'c', { metadata: { name: 'c' }, data: { p: String(({} as any).polluted) } });`,
      ),
    );
    for (let i = 0; i < 2; i++) {
      const { result } = await synthesizer.synthesize({ tree: repo }, 'dev');
      assert.deepEqual(result.apps[0]!.objects[0]!.data, { p: 'undefined' });
    }
  });
});
