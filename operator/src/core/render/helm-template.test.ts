import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HelmArgumentError, parseHelmTemplate } from './helm-template.ts';
import { OutsideRepositoryError, resolveRepositoryPath } from './repository-path.ts';

describe('parseHelmTemplate', () => {
  it('reads what cdk8s Helm passes: values file, repo, version, namespace, flags, release and chart', () => {
    const request = parseHelmTemplate(
      [
        '-f',
        '@file:0',
        '--repo',
        'https://charts.example/',
        '--version',
        '1.2.0',
        '--namespace',
        'web',
        '--include-crds',
        '--set',
        'a=b',
        '--kube-version=1.33.0',
        'web',
        'podinfo',
      ],
      'envs',
    );
    assert.deepEqual(request, {
      releaseName: 'web',
      namespace: 'web',
      valueFiles: ['@file:0'],
      chart: { type: 'repository', repository: 'https://charts.example', name: 'podinfo', version: '1.2.0' },
      flags: ['--include-crds', '--set', 'a=b', '--kube-version', '1.33.0'],
    });
  });

  it('an oci:// chart takes its version and no repo', () => {
    assert.deepEqual(parseHelmTemplate(['--version', 'v0.3.0', 'c', 'oci://registry.example/charts/cache'], '').chart, {
      type: 'oci',
      reference: 'oci://registry.example/charts/cache',
      version: 'v0.3.0',
    });
  });

  it('a local chart is a tree path, relative to the deploy repository or absolute under the repository root', () => {
    assert.deepEqual(parseHelmTemplate(['r', '../charts/web'], 'deploy/envs').chart, {
      type: 'local',
      path: 'deploy/charts/web',
    });
    assert.deepEqual(parseHelmTemplate(['r', '/keelson/repo/charts/web'], 'deploy').chart, {
      type: 'local',
      path: 'charts/web',
    });
  });

  const refused: [string, string[], RegExp][] = [
    [
      'a flag that runs a program',
      ['--post-renderer', 'sh', 'r', 'c'],
      /--post-renderer is not allowed: it runs a program/,
    ],
    ['a flag that reads files', ['--set-file', 'a=/etc/passwd', 'r', 'c'], /--set-file is not allowed/],
    ['credentials in the repository', ['--password=x', 'r', 'c'], /--password is not allowed: credentials come from/],
    ['an unknown flag', ['--wait', 'r', 'c'], /--wait is not supported/],
    [
      'a version range',
      ['--repo', 'https://x', '--version', '~1.2', 'r', 'c'],
      /"~1\.2" of chart "c" is not one exact version/,
    ],
    ['no version', ['--repo', 'https://x', 'r', 'c'], /chart "c" has no version/],
    [
      'a repo that is not a URL',
      ['--repo', 'bitnami', '--version', '1.0.0', 'r', 'c'],
      /repo "bitnami" .* is not an http\(s\):\/\/ URL/,
    ],
    [
      'a version of a local chart',
      ['--version', '1.0.0', 'r', './c'],
      /is a folder of the repository: it takes no version/,
    ],
    ['a local chart outside the repository', ['r', '../../c'], /"\.\.\/\.\.\/c" is outside the repository/],
    ['a flag without its value', ['r', 'c', '--namespace'], /--namespace needs a value/],
    ['no chart', ['r'], /expected a release name and a chart, got 1/],
  ];
  for (const [name, args, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseHelmTemplate(args, 'deploy'),
        (err: Error) => {
          assert.ok(err instanceof HelmArgumentError || err instanceof OutsideRepositoryError, String(err));
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

describe('resolveRepositoryPath', () => {
  it('resolves relative and rooted paths to tree paths', () => {
    assert.equal(resolveRepositoryPath('a/./b/../c.yaml', 'deploy'), 'deploy/a/c.yaml');
    assert.equal(resolveRepositoryPath('../shared/x.yaml', 'deploy'), 'shared/x.yaml');
    assert.equal(resolveRepositoryPath('/keelson/repo', 'deploy'), '');
  });
  it('refuses paths that leave the repository', () => {
    assert.throws(() => resolveRepositoryPath('../../x', 'deploy'), OutsideRepositoryError);
    assert.throws(() => resolveRepositoryPath('/etc/passwd', ''), /"\/etc\/passwd" is outside the repository/);
    assert.throws(() => resolveRepositoryPath('/keelson/repository-evil/x', ''), OutsideRepositoryError);
  });
});
