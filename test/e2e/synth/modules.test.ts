// A deploy repository written as the ES modules its authors run under Node: a top-level
// `await` (of a promise, of a dynamic import of the repository's own file) synthesizes as it
// would under `cdk8s synth`; one that rejects fails with the repository's words and the line of
// the `await`; `import.meta` is an empty object, never a syntax error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { SynthesisError } from '../../../operator/src/core/synthesis-check.ts';
import { deployRepo, removeDeployRepos } from './deploy-repo-fixture.ts';

const synthesizer = new Synthesizer({
  cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
  size: 1,
  timeoutMs: 4000,
});

/** A main.ts whose top level runs `top`, then defines dev with one ConfigMap of `data`. */
function repo(top: string, data: string, more: Record<string, string> = {}) {
  return deployRepo({
    'main.ts': [
      `import { App, defineEnvironments } from '@keelson/cdk8s-app';`,
      `import * as kplus from 'cdk8s-plus-27';`,
      top,
      `export default defineEnvironments({`,
      `  dev: (env) => { new kplus.ConfigMap(new App(env, 'api'), 'cm', { metadata: { name: 'cm' }, data: ${data} }); },`,
      `});`,
      '',
    ].join('\n'),
    ...more,
  });
}

async function dataOf(tree: ReturnType<typeof repo>): Promise<unknown> {
  const { result } = await synthesizer.synthesize({ tree }, 'dev');
  return result.apps[0]!.objects[0]!.data;
}

describe('deploy repositories as ES modules', () => {
  before(() => synthesizer.start());
  after(async () => {
    await synthesizer.stop();
    removeDeployRepos();
  });

  it('a top-level await of a promise', async () => {
    const tree = repo(`const replicas = await Promise.resolve(3);`, `{ replicas: String(replicas) }`);
    assert.deepEqual(await dataOf(tree), { replicas: '3' });
  });

  it("a top-level await of a dynamic import of the repository's own file", async () => {
    const tree = repo(`const { region } = await import('./lib/settings.ts');`, `{ region }`, {
      'lib/settings.ts': `export const region = await Promise.resolve('eu-west-1');\n`,
    });
    assert.deepEqual(await dataOf(tree), { region: 'eu-west-1' });
  });

  it("a top-level await that rejects fails at its line, in the repository's words", async () => {
    const tree = repo(`await Promise.reject(new Error('the settings service is down'));`, `{}`);
    const err = await synthesizer.synthesize({ tree }, 'dev').then(
      () => assert.fail('synthesized'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SynthesisError, String(err));
    assert.equal(err.reason, 'EvaluationFailed');
    assert.match(err.message, /^main\.ts:3:\d+: the settings service is down/);
  });

  it('a top-level await that never settles fails when the synthesis runs out of time', async () => {
    const tree = repo(`await new Promise(() => {});`, `{}`);
    const err = await synthesizer.synthesize({ tree }, 'dev').then(
      () => assert.fail('synthesized'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SynthesisError, String(err));
    assert.equal(err.reason, 'TimedOut', err.message);
    // The pool serves the next request.
    assert.deepEqual(await dataOf(repo('', `{ a: 'b' }`)), { a: 'b' });
  });

  it('import.meta is an empty object', async () => {
    const tree = repo(`const url = String((import.meta as { url?: string }).url);`, `{ url }`);
    assert.deepEqual(await dataOf(tree), { url: 'undefined' });
  });
});
