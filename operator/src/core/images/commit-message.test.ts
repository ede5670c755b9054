import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorFrom,
  ciRunFrom,
  commitMessage,
  committerFrom,
  DEFAULT_AUTHOR,
  describeChanges,
  retryDelayMs,
} from './commit-message.ts';

const change = (environment: string, name: string, from: string, to: string) => ({ environment, name, from, to });

describe('ciRunFrom', () => {
  it('prefers GITHUB_RUN_URL, then the URL GitHub Actions variables make, then GitLab’s CI_PIPELINE_URL', () => {
    const github = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '42' };
    assert.equal(ciRunFrom({ ...github, GITHUB_RUN_URL: 'https://ci.example/run/1' }), 'https://ci.example/run/1');
    assert.equal(ciRunFrom(github), 'https://github.com/acme/shop/actions/runs/42');
    assert.equal(
      ciRunFrom({ CI_PIPELINE_URL: 'https://gitlab.example/acme/shop/-/pipelines/7' }),
      'https://gitlab.example/acme/shop/-/pipelines/7',
    );
    assert.equal(ciRunFrom({ GITHUB_RUN_ID: '42' }), 'GitHub Actions run 42');
    assert.equal(ciRunFrom({ GITHUB_RUN_URL: '' }), undefined);
    assert.equal(ciRunFrom({}), undefined);
  });
});

describe('authorFrom / committerFrom', () => {
  it('reads GIT_AUTHOR_* and GIT_COMMITTER_*, else keelson-ci', () => {
    assert.deepEqual(authorFrom({}), DEFAULT_AUTHOR);
    assert.equal(DEFAULT_AUTHOR.name, 'keelson-ci');
    const env = { GIT_AUTHOR_NAME: 'CI Bot', GIT_AUTHOR_EMAIL: 'ci@acme.example' };
    assert.deepEqual(authorFrom(env), { name: 'CI Bot', email: 'ci@acme.example' });
    assert.deepEqual(committerFrom(env), { name: 'CI Bot', email: 'ci@acme.example' });
    assert.deepEqual(committerFrom({ ...env, GIT_COMMITTER_NAME: 'Other' }), {
      name: 'Other',
      email: 'ci@acme.example',
    });
  });
});

describe('commitMessage', () => {
  it('names one image, its environments, each old and new reference, and the CI run', () => {
    const changes = [change('dev', 'api', 'a/api:1.4', 'a/api:1.5'), change('prod', 'api', 'a/api:1.3', 'a/api:1.5')];
    assert.equal(
      commitMessage({ changes }, 'https://github.com/acme/shop/actions/runs/42'),
      [
        'set-image api=a/api:1.5 (dev, prod)',
        '',
        'dev.api: a/api:1.4 -> a/api:1.5',
        'prod.api: a/api:1.3 -> a/api:1.5',
        '',
        'CI run: https://github.com/acme/shop/actions/runs/42',
        '',
      ].join('\n'),
    );
  });

  it('names several images in the subject; no CI run, no line', () => {
    const changes = [change('dev', 'api', 'a/api:1', 'a/api:2'), change('dev', 'web', 'a/web:1', 'a/web:2')];
    assert.equal(
      commitMessage({ changes }),
      'set-image api, web\n\ndev.api: a/api:1 -> a/api:2\ndev.web: a/web:1 -> a/web:2\n',
    );
  });

  it('takes the subject of --message', () => {
    const changes = [change('dev', 'api', 'a/api:1', 'a/api:2')];
    assert.match(commitMessage({ changes }, undefined, 'release 2'), /^release 2\n\ndev\.api: a\/api:1 -> a\/api:2\n$/);
  });
});

describe('describeChanges', () => {
  it('groups environments per image and reference', () => {
    assert.equal(
      describeChanges([
        { environment: 'dev', name: 'api', to: 'a/api:2' },
        { environment: 'prod', name: 'api', to: 'a/api:2' },
        { environment: 'dev', name: 'web', to: 'a/web:3' },
      ]),
      'api=a/api:2 (dev, prod), web=a/web:3 (dev)',
    );
  });
});

describe('retryDelayMs', () => {
  it('doubles from 100 ms up to 2 s, half of it random', () => {
    assert.equal(retryDelayMs(1, 0), 50);
    assert.equal(retryDelayMs(1, 0.999), 100);
    assert.equal(retryDelayMs(3, 0), 200);
    assert.equal(retryDelayMs(10, 0), 1000);
    assert.equal(retryDelayMs(10, 0.9999), 2000);
  });
});
