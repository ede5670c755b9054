import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from './registry.ts';
import { GitMetrics } from './git-metrics.ts';

describe('GitMetrics', () => {
  it('counts requests by repository, kind and result and records their duration', async () => {
    const registry = createRegistry();
    const metrics = new GitMetrics(registry);
    metrics.observe({ repository: 'https://h/r.git', kind: 'ls-refs', result: 'success', seconds: 0.02 });
    metrics.observe({ repository: 'https://h/r.git', kind: 'ls-refs', result: 'success', seconds: 0.03 });
    metrics.observe({ repository: 'https://h/r.git', kind: 'fetch', result: 'AuthenticationFailed', seconds: 0.1 });
    const text = await registry.metrics();
    assert.match(
      text,
      /keelson_git_requests_total\{repository="https:\/\/h\/r\.git",kind="ls-refs",result="success"\} 2/,
    );
    assert.match(
      text,
      /keelson_git_requests_total\{repository="https:\/\/h\/r\.git",kind="fetch",result="AuthenticationFailed"\} 1/,
    );
    assert.match(
      text,
      /keelson_git_request_duration_seconds_count\{repository="https:\/\/h\/r\.git",kind="ls-refs"\} 2/,
    );
  });
});
