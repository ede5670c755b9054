// The chart's alerting rules with the real promtool: the rule file is valid, and its unit
// tests (test/alerts/keelson-alerts.test.yaml) pass: each alert fires on the series that
// should wake someone and stays quiet on the others. The chart ships this same file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/kube.ts';

const run = promisify(execFile);
const RULES = join(REPO_ROOT, 'charts', 'keelson', 'rules', 'keelson-alerts.yaml');

describe('alerting rules (promtool)', () => {
  it('is a valid rule file', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', RULES]);
    assert.match(stdout, /SUCCESS: 10 rules found/);
  });

  it('passes its unit tests', async () => {
    const { stdout } = await run('promtool', [
      'test',
      'rules',
      join(REPO_ROOT, 'test', 'alerts', 'keelson-alerts.test.yaml'),
    ]).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    assert.match(stdout, /SUCCESS/);
  });
});
