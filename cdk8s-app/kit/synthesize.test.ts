import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { App } from './app.ts';
import { defineEnvironments, definitionOf, type EnvironmentsDefinition } from './definition.ts';
import { listEnvironments, synthesizeEnvironment } from './synthesize.ts';

const images = { dev: { api: 'example.com/api:1' }, prod: { api: 'example.com/api:2' } };
const definition = defineEnvironments({
  dev: (env) => {
    new kplus.ConfigMap(new App(env, 'api'), 'cm', { data: { image: env.image('api') } });
  },
  prod: (env) => {
    const app = new App(env, 'api', { namespace: 'shop' });
    new kplus.ConfigMap(app, 'cm', { data: { image: env.image('api') } });
    new kplus.ConfigMap(new Chart(app, 'nested'), 'more');
    new App(env, 'jobs');
    new kplus.ConfigMap(env.apps[1]!, 'cm');
  },
});

describe('synthesizeEnvironment', () => {
  it('renders each app with its label, namespace and the environment’s image', () => {
    const [api] = synthesizeEnvironment(definition, { environment: 'prod', images });
    const cm = api!.objects[0] as {
      metadata: { namespace: string; labels: Record<string, string> };
      data: Record<string, string>;
    };
    assert.equal(cm.metadata.namespace, 'shop');
    assert.equal(cm.metadata.labels['keelson.dev/app'], 'api');
    assert.equal(cm.data.image, 'example.com/api:2');
  });

  it('includes the objects of nested charts in their app', () => {
    const apps = synthesizeEnvironment(definition, { environment: 'prod', images });
    assert.deepEqual(
      apps.map((a) => [a.name, a.objects.length]),
      [
        ['api', 2],
        ['jobs', 1],
      ],
    );
  });

  const failures: { name: string; definition: EnvironmentsDefinition; environment: string; error: RegExp }[] = [
    {
      name: 'an environment that is not defined names the ones that are',
      definition,
      environment: 'staging',
      error: /no environment "staging" \(it defines: dev, prod\)/,
    },
    {
      name: 'an image missing from the images file is named',
      definition: {
        dev: (env) => {
          env.image('web');
        },
      },
      environment: 'dev',
      error: /no image "web" for environment "dev"/,
    },
    {
      name: 'a builder that returns objects is refused',
      definition: { dev: (() => [{ kind: 'Pod' }]) as never },
      environment: 'dev',
      error: /returned an array of 1/,
    },
    {
      name: 'an async builder is refused',
      definition: { dev: (async () => undefined) as never },
      environment: 'dev',
      error: /Promise/,
    },
    {
      name: 'an environment with no apps is refused',
      definition: { dev: () => undefined },
      environment: 'dev',
      error: /has no apps/,
    },
  ];
  for (const c of failures) {
    it(c.name, () => {
      assert.throws(() => synthesizeEnvironment(c.definition, { environment: c.environment, images }), c.error);
    });
  }
});

describe('listEnvironments', () => {
  it('lists each environment with its apps', () => {
    assert.deepEqual(listEnvironments(definition, images), [
      { name: 'dev', apps: ['api'] },
      { name: 'prod', apps: ['api', 'jobs'] },
    ]);
  });
});

describe('definitionOf', () => {
  const cases: { name: string; exports: unknown; error?: RegExp }[] = [
    { name: 'takes the default export', exports: { default: { dev: () => undefined } } },
    { name: 'takes an export named environments', exports: { environments: { dev: () => undefined } } },
    { name: 'refuses a module that exports nothing', exports: {}, error: /main\.ts exports no environments/ },
    { name: 'refuses a default export that is not an object', exports: { default: 42 }, error: /got a number/ },
    {
      name: 'refuses an environment that is not a function',
      exports: { default: { dev: {} } },
      error: /"dev" must be a function/,
    },
    {
      name: 'refuses an environment name that is not a DNS label',
      exports: { default: { Dev: () => undefined } },
      error: /"Dev" is not a DNS label/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) assert.throws(() => definitionOf(c.exports, 'main.ts'), c.error);
      else assert.ok(definitionOf(c.exports, 'main.ts'));
    });
  }
});
