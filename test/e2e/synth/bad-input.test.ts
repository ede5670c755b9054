// Every bad deploy repository the synthesis issue lists, through the operator's synthesizer:
// each fails with a SynthesisError that says what and where (file:line), returns nothing to
// apply, and the same worker pool then synthesizes a valid repository.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { SynthesisError, type SynthesisFailureReason } from '../../../operator/src/core/synthesis-check.ts';
import { deployRepo, mainWith, removeDeployRepos, VALID } from './deploy-repo-fixture.ts';

const outside = mkdtempSync(join(tmpdir(), 'keelson-outside-'));
const secretFile = join(outside, 'token');
writeFileSync(secretFile, 'eyJhbGciOi-SERVICE-ACCOUNT-TOKEN');

const synthesizer = new Synthesizer({
  cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
  size: 2,
  heapLimitMb: 160,
  rssLimitMb: 600,
  timeoutMs: 6000,
});

interface BadInput {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly environment?: string;
  readonly reason: SynthesisFailureReason;
  readonly message: RegExp;
  /** file:line:column the error must point at. */
  readonly location?: RegExp;
}

const cases: BadInput[] = [
  {
    name: 'a syntax error',
    files: mainWith(`new kplus.ConfigMap(app, 'cm', { data: { a: 'b' } );`),
    reason: 'BuildFailed',
    message: /main\.ts:7:\d+: Expected "}" but found "\)"/,
    location: /^main\.ts:7:/,
  },
  {
    name: 'a construct type that does not exist (named import)',
    files: {
      ...mainWith(`new Deploymnt(app, 'd');`),
      'main.ts': mainWith(`new Deploymnt(app, 'd');`)['main.ts']!.replace(
        `import * as kplus from 'cdk8s-plus-27';`,
        `import { Deploymnt } from 'cdk8s-plus-27';`,
      ),
    },
    reason: 'BuildFailed',
    message: /main\.ts:2:10: No matching export in "cdk8s-plus-27" for import "Deploymnt"/,
    location: /^main\.ts:2:10$/,
  },
  {
    name: 'a construct type that does not exist (namespace import)',
    files: mainWith(`new kplus.Deploymnt(app, 'd', {});`),
    reason: 'BuildFailed',
    message: /main\.ts:7:\d+: Import "Deploymnt" will always be undefined/,
  },
  {
    name: 'an import of a package Keelson does not provide',
    files: mainWith(`_.noop();`, `import _ from 'lodash';`),
    reason: 'BuildFailed',
    message: /main\.ts:3:\d+: package "lodash" is not provided/,
  },
  {
    name: 'an import of a file that does not exist',
    files: mainWith(`x();`, `import { x } from './lib/missing.ts';`),
    reason: 'BuildFailed',
    message: /main\.ts:3:\d+: cannot find "\.\/lib\/missing\.ts"/,
  },
  {
    name: 'a throw at import time, in another file',
    files: {
      ...mainWith('', `import './lib/config.ts';`),
      'lib/config.ts': `\nthrow new Error('config is broken');\n`,
    },
    reason: 'EvaluationFailed',
    message: /^lib\/config\.ts:2:7: config is broken/,
    location: /^lib\/config\.ts:2:7$/,
  },
  {
    name: 'an error from cdk8s-plus inside a builder, located at the caller',
    files: mainWith(
      `new kplus.Deployment(app, 'd', { containers: [{ image: 'x', ports: [{ number: 80 }, { number: 80 }] }] });`,
    ),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: Port with number 80 and protocol TCP already exists/,
  },
  {
    name: 'a construct cdk8s cannot render, located where it was created',
    files: mainWith(`new kplus.Deployment(app, 'empty', { metadata: { name: 'x' } });`),
    reason: 'EvaluationFailed',
    message:
      /^main\.ts:7:5: Failed serializing construct at path 'api\/empty\/Resource'.*PodSpec must have at least 1 container/,
    location: /^main\.ts:7:5$/,
  },
  {
    name: 'an infinite loop',
    files: mainWith(`for (;;) { /* spin */ }`),
    reason: 'TimedOut',
    message: /did not finish within 6000 ms/,
  },
  {
    name: 'an endless allocation',
    files: mainWith(`const hoard: number[][] = []; for (let i = 0; ; i++) hoard.push(new Array(1e6).fill(i));`),
    reason: 'MemoryExceeded',
    message: /memory|MiB/,
  },
  {
    name: 'a call to process.exit',
    files: mainWith(`process.exit(3);`),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:13: process\.exit\(\) is not allowed/,
  },
  {
    name: 'reading the service-account token through a Node built-in import',
    files: mainWith('', `import { readFileSync } from 'node:fs'; readFileSync(${JSON.stringify(secretFile)});`),
    reason: 'BuildFailed',
    message: /"node:fs" is a Node\.js built-in module/,
  },
  {
    name: 'reading the service-account token through process.getBuiltinModule',
    files: mainWith(`(process as any).getBuiltinModule('fs').readFileSync(${JSON.stringify(secretFile)}, 'utf8');`),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: process\.getBuiltinModule is not available during synthesis/,
  },
  {
    name: 'reading the real service-account token path',
    files: mainWith(
      `(process as any).getBuiltinModule('fs').readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token');`,
    ),
    reason: 'EvaluationFailed',
    message: /process\.getBuiltinModule is not available/,
  },
  {
    name: 'reading an environment variable',
    files: mainWith(
      `new kplus.ConfigMap(app, 'cm', { data: { home: process.env.KUBERNETES_SERVICE_HOST ?? 'none' } });`,
    ),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: process\.env\.KUBERNETES_SERVICE_HOST: environment variables are not available/,
  },
  {
    name: 'spawning a process',
    files: mainWith(`(process as any).getBuiltinModule('child_process').execSync('id');`),
    reason: 'EvaluationFailed',
    message: /process\.getBuiltinModule is not available/,
  },
  {
    name: 'spawning a process through an import',
    files: mainWith('', `import { execSync } from 'child_process'; execSync('id');`),
    reason: 'BuildFailed',
    message: /"child_process" is a Node\.js built-in module/,
  },
  {
    name: 'opening a socket with fetch',
    files: mainWith(`void fetch('http://127.0.0.1:1/');`),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: ReferenceError: fetch is not defined/,
  },
  {
    name: "opening a socket through the main module's require",
    files: mainWith(`(process as any).mainModule.require('net').connect(9, '127.0.0.1');`),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: process\.mainModule is not available during synthesis/,
  },
  {
    name: 'writing to the IPC channel',
    files: mainWith(`(process as any)._send({ type: 'result', id: 'x', logs: '', apps: [] });`),
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: TypeError: process\._send is not a function/,
  },
  {
    name: 'opening a socket through a computed dynamic import',
    files: mainWith(`const m = 'node:' + 'net'; void import(m).then((net) => net.connect(1, '127.0.0.1'));`),
    reason: 'EvaluationFailed',
    message: /dynamic import|import\(\)/i,
  },
  {
    name: 'printing 100 MB',
    files: mainWith(`const mb = 'x'.repeat(1024 * 1024); for (let i = 0; i < 100; i++) console.log(mb);`),
    reason: 'OutputTooLarge',
    message: /printed \d+ characters, over the limit of 1048576/,
  },
  {
    name: 'two objects with the same name',
    files: mainWith(
      `new kplus.ConfigMap(app, 'a', { metadata: { name: 'same' } });\n    new kplus.ConfigMap(app, 'b', { metadata: { name: 'same' } });`,
    ),
    reason: 'InvalidOutput',
    message: /ConfigMap same is defined twice: app "api" \(main\.ts:7:\d+\) and app "api" \(main\.ts:8:\d+\)/,
  },
  {
    name: 'an unknown environment',
    files: VALID,
    environment: 'staging',
    reason: 'UnknownEnvironment',
    message: /no environment "staging" \(it defines: dev\)/,
  },
  {
    name: 'a module that exports nothing',
    files: { 'main.ts': `import { App } from '@keelson/cdk8s-app';\nconst unused = App;\n` },
    reason: 'NoEnvironments',
    message: /main\.ts exports no environments/,
  },
  {
    name: 'a builder that returns objects instead of adding apps',
    files: { 'main.ts': `export default { dev: () => [{ kind: 'Pod', name: 'x' }] };\n` },
    reason: 'InvalidOutput',
    message: /environment "dev" returned an array of 1/,
  },
  {
    name: 'an API object that is not a Kubernetes object',
    files: mainWith(
      `new ApiObject(app, 'x', { apiVersion: '', kind: 'Widget' });`,
      `import { ApiObject } from 'cdk8s';`,
    ),
    reason: 'InvalidOutput',
    message: /app "api", object #1 \(main\.ts:7:\d+\): a Widget without apiVersion/,
  },
  {
    name: 'an images file that is not JSON',
    files: { ...VALID, 'images.json': '{ "dev": ' },
    reason: 'BuildFailed',
    message: /images\.json: not valid JSON/,
  },
  {
    name: 'an image the images file lacks',
    files: {
      ...mainWith(`new kplus.Deployment(app, 'd', { containers: [{ image: env.image('api') }] });`),
      'images.json': '{ "dev": { "web": "web:1" } }',
    },
    reason: 'EvaluationFailed',
    message: /^main\.ts:7:\d+: images\.json has no image "api" for environment "dev" \(it has: web\)/,
  },
];

describe('synthesis of bad deploy repositories', () => {
  before(() => synthesizer.start());
  after(async () => {
    await synthesizer.stop();
    removeDeployRepos();
    rmSync(outside, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.name}: fails with ${c.reason}, then the pool serves the next request`, async () => {
      const tree = deployRepo(c.files);
      const err = await synthesizer.synthesize({ tree }, c.environment ?? 'dev').then(
        (r) => assert.fail(`synthesis succeeded: ${JSON.stringify(r.result).slice(0, 300)}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof SynthesisError, `not a SynthesisError: ${String(err)}`);
      assert.equal(err.reason, c.reason, err.message);
      assert.match(err.message, c.message);
      if (c.location) assert.match(err.location ?? '', c.location);
      assert.doesNotMatch(err.message, /SERVICE-ACCOUNT-TOKEN/);
      const next = await synthesizer.synthesize({ tree: deployRepo(VALID) }, 'dev');
      assert.deepEqual(
        next.result.apps.map((a) => a.objects.map((o) => o.metadata.name)),
        [['settings']],
      );
    });
  }
});
