// Builds one environment of a deploy repository and renders each app to Kubernetes objects.
// Keelson's synthesis worker calls this; so can a test, or a script that runs the cdk8s CLI.
import { Chart } from 'cdk8s';
import { Environment } from './environment.ts';
import { DefinitionError, UnknownEnvironmentError, describeValue, type EnvironmentsDefinition } from './definition.ts';
import type { ImagesFileContent } from './images.ts';

export interface SynthesizeOptions {
  /** The environment to build. */
  readonly environment: string;
  /**
   * The images file's contents.
   * @default {}
   */
  readonly images?: ImagesFileContent;
}

/** One app (top-level chart) and the objects it renders to, as plain JSON. */
export interface AppManifests {
  readonly name: string;
  readonly objects: readonly unknown[];
}

/** Builds the environment (constructs only, nothing rendered). */
export function buildEnvironment(definition: EnvironmentsDefinition, options: SynthesizeOptions): Environment {
  const builder = Object.hasOwn(definition, options.environment) ? definition[options.environment] : undefined;
  if (!builder) throw new UnknownEnvironmentError(options.environment, Object.keys(definition));
  const env = new Environment({ name: options.environment, images: options.images });
  const returned: unknown = builder(env);
  if (returned !== undefined) {
    const what = returned instanceof Promise ? 'a Promise (builders are synchronous)' : describeValue(returned);
    throw new DefinitionError(
      `environment "${options.environment}" returned ${what}: a builder adds apps to the environment and returns nothing`,
    );
  }
  if (env.apps.length === 0)
    throw new DefinitionError(`environment "${options.environment}" has no apps: add at least one App (a cdk8s Chart)`);
  return env;
}

/** Builds the environment and renders each app, nested charts included, to plain JSON objects. */
export function synthesizeEnvironment(definition: EnvironmentsDefinition, options: SynthesizeOptions): AppManifests[] {
  const env = buildEnvironment(definition, options);
  return env.apps.map((app) => ({
    name: app.node.id,
    objects: app.node
      .findAll()
      .filter((c): c is Chart => Chart.isChart(c))
      .flatMap((chart) => chart.toJson()),
  }));
}

/** Environment name → its apps' names, building each environment without rendering it. */
export function listEnvironments(
  definition: EnvironmentsDefinition,
  images?: ImagesFileContent,
): { name: string; apps: string[] }[] {
  return Object.keys(definition).map((name) => ({
    name,
    apps: buildEnvironment(definition, { environment: name, images }).apps.map((a) => a.node.id),
  }));
}
