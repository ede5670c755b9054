// One Application per source type (testdata/application-*.yaml, checked against
// testdata/appproject.yaml) to a GitRepository, an Environment and what the deploy code
// renders; every field converted or listed, and what is emitted valid against the schemas.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TypeRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EnvironmentSpec } from '../../api/v1alpha1/environment.ts';
import { GitRepositorySpec } from '../../api/v1alpha1/git-repository.ts';
import { importArgoCd, ImportError, type ConvertOptions, type InputFile } from './index.ts';

// StringEnum is an Unsafe schema (CRDs take no const): check it as the API server does, by its enum.
if (!TypeRegistry.Has('Unsafe')) {
  TypeRegistry.Set('Unsafe', (schema: TSchema & { enum?: unknown[] }, value) => {
    return !schema.enum || schema.enum.includes(value);
  });
}

const fixture = (file: string): InputFile => ({
  file,
  text: readFileSync(join(import.meta.dirname, 'testdata', file), 'utf8'),
});
const DEPLOY_REPO = 'https://git.example.com/platform/deploy.git';
const OPTIONS: ConvertOptions = { deployPath: 'deploy', deployRepo: { url: DEPLOY_REPO } };
const IN_DEPLOY = { sourceRef: { name: 'deploy' }, path: 'deploy' };
const IN_EXAMPLE_APPS = { sourceRef: { name: 'argocd-example-apps' }, path: 'deploy' };
const EXAMPLE_APPS = 'https://github.com/argoproj/argocd-example-apps.git';

function importOne(inputs: InputFile[], options: ConvertOptions = OPTIONS) {
  return importArgoCd([...inputs, fixture('appproject.yaml')], options).applications[0]!;
}

interface Case {
  readonly git: object;
  readonly env: object;
  readonly renders: readonly string[];
  readonly notCarried: readonly string[];
}

const CASES: Record<string, Case> = {
  'application-helm.yaml': {
    git: { url: DEPLOY_REPO },
    env: {
      ...IN_DEPLOY,
      environment: 'podinfo',
      targetNamespace: 'podinfo',
      sync: {
        automated: { prune: true, selfHeal: true },
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
      },
      retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
      historyLimit: 5,
      deletionPolicy: 'Delete',
    },
    renders: ['helm podinfo'],
    notCarried: ['spec.project', 'spec.syncPolicy.syncOptions[2]', 'spec.ignoreDifferences[1].jqPathExpressions'],
  },
  'application-helm-oci.yaml': {
    git: { url: DEPLOY_REPO },
    env: { ...IN_DEPLOY, environment: 'redis', targetNamespace: 'cache', sync: { automated: {} } },
    renders: ['helm redis'],
    notCarried: [],
  },
  'application-helm-git.yaml': {
    git: { url: EXAMPLE_APPS },
    env: { ...IN_EXAMPLE_APPS, environment: 'helm-guestbook', targetNamespace: 'helm-guestbook' },
    renders: ['helm helm-guestbook'],
    notCarried: [
      'metadata.annotations["notifications.argoproj.io/subscribe.on-sync-succeeded.slack"]',
      'spec.source.targetRevision',
      'spec.source.helm.valueFiles',
    ],
  },
  'application-directory.yaml': {
    git: { url: EXAMPLE_APPS, ref: { tag: 'v1.0.0' } },
    env: {
      ...IN_EXAMPLE_APPS,
      environment: 'guestbook',
      targetNamespace: 'guestbook',
      sync: { options: ['Validate=false'] },
    },
    renders: ['include manifests'],
    notCarried: ['spec.project', 'spec.source.directory.recurse', 'spec.source.directory.exclude'],
  },
  'application-kustomize.yaml': {
    git: { url: EXAMPLE_APPS, ref: { commit: '53e28ff20cc530b9ada2173fbbd64d48338583ba' } },
    env: {
      ...IN_EXAMPLE_APPS,
      environment: 'kustomize-guestbook',
      targetNamespace: 'kustomize-guestbook',
      sync: { automated: { prune: true }, allowEmpty: true },
      retry: { limit: 100 },
    },
    renders: ['kustomization kustomize'],
    notCarried: [
      'spec.source.kustomize.namePrefix',
      'spec.source.kustomize.images',
      'spec.source.kustomize.commonLabels',
      'spec.syncPolicy.retry.limit',
    ],
  },
  'application-plugin.yaml': {
    git: { url: 'https://git.example.com/platform/billing.git', ref: { branch: 'main' } },
    env: {
      sourceRef: { name: 'billing' },
      path: 'deploy',
      environment: 'billing',
      targetNamespace: 'billing',
      sync: { automated: { selfHeal: true } },
    },
    renders: [],
    notCarried: ['spec.source.plugin', 'spec.destination'],
  },
  'application-multi-source.yaml': {
    git: { url: DEPLOY_REPO },
    env: { ...IN_DEPLOY, environment: 'prometheus', targetNamespace: 'monitoring' },
    renders: ['helm prometheus'],
    notCarried: ['spec.project', 'spec.sources[0].helm.valueFiles', 'spec.sources[1].ref'],
  },
};

describe('convertApplication on fixtures', () => {
  for (const [file, expected] of Object.entries(CASES)) {
    it(`${file}: resources, renders and the fields not carried over`, () => {
      const app = importOne([fixture(file)]);
      const [git, env] = app.resources;
      assert.deepEqual(git.spec, expected.git);
      assert.deepEqual(env.spec, expected.env);
      assert.deepEqual(
        app.renders.map((r) => `${r.kind} ${r.id}`),
        expected.renders,
      );
      assert.deepEqual(
        app.notes.notCarried.map((n) => n.field),
        expected.notCarried,
      );
    });
    it(`${file}: emits only fields the schemas have, with valid values`, () => {
      const [git, env] = importOne([fixture(file)]).resources;
      for (const [schema, spec] of [
        [GitRepositorySpec, git.spec],
        [EnvironmentSpec, env.spec],
      ] as const) {
        const errors = [...Value.Errors(schema, spec)].map((e) => `${e.path}: ${e.message}`);
        assert.ok(Value.Check(schema, spec), errors.join('; '));
        assert.deepEqual(Value.Clean(schema, structuredClone(spec)), spec, 'a field the schema does not have');
      }
    });
  }

  it("renders the Helm chart of podinfo with values merged in Argo CD's order and the release namespace", () => {
    const [helm] = importOne([fixture('application-helm.yaml')]).renders;
    assert.deepEqual(helm, {
      kind: 'helm',
      id: 'podinfo',
      chart: 'podinfo',
      repo: 'https://stefanprodan.github.io/podinfo',
      version: '6.7.1',
      releaseName: 'podinfo',
      namespace: 'podinfo',
      helmFlags: ['--include-crds'],
      values: {
        replicaCount: 2,
        ingress: {
          enabled: true,
          className: 'nginx',
          hosts: [{ host: 'podinfo.example.com', paths: [{ path: '/', pathType: 'ImplementationSpecific' }] }],
        },
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
        image: { tag: '6.7.1' },
        podAnnotations: { 'prometheus.io/scrape': 'true' },
      },
    });
  });

  it('names an OCI chart by its full reference, without repo', () => {
    const [helm] = importOne([fixture('application-helm-oci.yaml')]).renders;
    assert.equal(helm?.kind === 'helm' && helm.chart, 'oci://registry-1.docker.io/bitnamicharts/redis');
    assert.equal(helm?.kind === 'helm' && helm.repo, undefined);
  });

  it("names paths of the repository from the deploy code's folder", () => {
    const at = (deployPath: string) => {
      return importOne([fixture('application-directory.yaml')], { ...OPTIONS, deployPath }).renders[0];
    };
    assert.deepEqual(at('deploy'), { kind: 'include', id: 'manifests', url: '../guestbook' });
    assert.deepEqual(at('.'), { kind: 'include', id: 'manifests', url: 'guestbook' });
    assert.deepEqual(at('guestbook/keelson'), { kind: 'include', id: 'manifests', url: '..' });
  });
});

const APP = (spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web }
spec:
  destination: { server: https://kubernetes.default.svc, namespace: web }
${spec}`;

describe('convertApplication on edge cases', () => {
  it('lists a field it does not know, by its path', () => {
    const spec =
      '  source: { repoURL: https://g.example.com/r.git, path: k8s, directory: { wat: 1 } }\n' + '  novel: true\n';
    const app = importOne([{ file: 'a.yaml', text: APP(spec) }]);
    const unknown = app.notes.notCarried.filter((n) => n.reason.endsWith('not known to keelson import'));
    assert.deepEqual(
      unknown.map((n) => n.field),
      ['spec.source.directory.wat', 'spec.novel'],
    );
  });

  it('pins a chart version range to the version Argo CD last synced, and lists one it cannot pin', () => {
    const spec = '  source: { repoURL: https://charts.example.com, chart: web, targetRevision: "1.2.*" }\n';
    const pinned = importOne([{ file: 'a.yaml', text: `${APP(spec)}status: { sync: { revision: 1.2.7 } }\n` }]);
    assert.equal(pinned.renders[0]?.kind === 'helm' && pinned.renders[0].version, '1.2.7');
    const ranged = importOne([{ file: 'a.yaml', text: APP(spec) }]);
    assert.deepEqual(
      ranged.notes.notCarried.map((n) => n.field),
      ['spec.source.targetRevision'],
    );
  });

  it('takes the source type from a checkout when the manifest does not say', () => {
    const text = APP('  source: { repoURL: https://g.example.com/r.git, path: overlays/prod }\n');
    const pathKind = (_url: string, path: string) => (path === 'overlays/prod' ? ('kustomize' as const) : undefined);
    const app = importOne([{ file: 'a.yaml', text }], { ...OPTIONS, pathKind });
    assert.deepEqual(app.renders, [{ kind: 'kustomization', id: 'kustomize', path: '../overlays/prod' }]);
  });

  it('renders the sources of one Git repository and lists one of another repository', () => {
    const text = APP(`  sources:
    - { repoURL: https://g.example.com/a.git, path: base }
    - { repoURL: https://charts.example.com, chart: db, targetRevision: 1.0.0 }
    - { repoURL: https://g.example.com/b.git, path: extra }
`);
    const app = importOne([{ file: 'a.yaml', text }]);
    assert.deepEqual(
      app.renders.map((r) => r.kind),
      ['include', 'helm'],
    );
    assert.deepEqual(
      app.notes.notCarried.map((n) => n.field),
      ['spec.sources[0].targetRevision', 'spec.sources[2]'],
    );
    assert.deepEqual(app.resources[0].spec, { url: 'https://g.example.com/a.git' });
  });

  const git = (rest: string) => `  source: { repoURL: https://g.example.com/r.git, ${rest} }\n`;
  const invalid: [string, string, ConvertOptions, RegExp][] = [
    [
      'a chart-only Application without a deploy repository',
      '  source: { repoURL: https://charts.example.com, chart: web, targetRevision: 1.0.0 }\n',
      { deployPath: 'deploy' },
      /its sources are chart repositories, not Git: .*--deploy-repo/,
    ],
    [
      'two source types',
      git('path: k, helm: {}, kustomize: {}'),
      OPTIONS,
      /spec\.source\.kustomize: a source takes one of helm and kustomize/,
    ],
    [
      'values that are not YAML',
      git('path: k, helm: { values: "a: [" }'),
      OPTIONS,
      /spec\.source\.helm\.values: not YAML values/,
    ],
    ['a path out of the repository', git('path: ../other'), OPTIONS, /spec\.source\.path: "\.\.\/other" leaves/],
    [
      'a Git URL Keelson cannot fetch',
      '  source: { repoURL: "git://g.example.com/r.git", path: k }\n',
      OPTIONS,
      /"git:\/\/g\.example\.com\/r\.git" is not a Git URL/,
    ],
    [
      'a wrongly typed field',
      `${git('path: k')}  syncPolicy: { syncOptions: CreateNamespace=true }\n`,
      OPTIONS,
      /spec\.syncPolicy\.syncOptions: must be a list of strings/,
    ],
  ];
  for (const [what, spec, options, message] of invalid) {
    it(`refuses ${what}, naming the document`, () => {
      assert.throws(
        () => importOne([{ file: 'a.yaml', text: APP(spec) }], options),
        (err: unknown) => {
          assert.ok(err instanceof ImportError, String(err));
          assert.match(err.message, /^a\.yaml, document 1 \(Application "web"\): /);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it('refuses two Applications that would be one environment', () => {
    const text = APP('  source: { repoURL: https://g.example.com/r.git, path: k }\n');
    assert.throws(
      () =>
        importArgoCd(
          [
            { file: 'a.yaml', text },
            { file: 'b.yaml', text },
          ],
          OPTIONS,
        ),
      /b\.yaml, document 1 \(Application "web"\): its environment "web" is already Application "web"'s \(a\.yaml/,
    );
  });

  it('refuses input without an Application', () => {
    const projectOnly = () => importArgoCd([fixture('appproject.yaml')], OPTIONS);
    assert.throws(projectOnly, /no Argo CD Application in appproject\.yaml$/);
  });
});
