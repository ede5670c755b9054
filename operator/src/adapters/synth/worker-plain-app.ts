// Inside the synthesis worker: plain cdk8s apps, the way `cdk8s init` makes them — a main.ts
// that builds `new App()`, adds charts and calls `app.synth()`, with no kit. `synth()` is
// captured instead of writing dist/: the worker then renders every chart of the app, in the
// order `cdk8s synth` writes them, one Keelson app per chart. The environment's name reaches
// the code through cdk8s's (constructs') context: `app.node.tryGetContext('environment')`.
import type * as cdk8s from 'cdk8s';
import type * as constructs from 'constructs';

/** The context key whose value is the Environment's spec.environment. */
export const ENVIRONMENT_CONTEXT = 'environment';

const patched = new WeakSet<object>();
let captured: cdk8s.App[] = [];
let environment = '';

/** Makes `synth()` of this cdk8s's App record the app, and the context answer with the environment. */
export function capturePlainApps(cdk8sModule: typeof cdk8s, constructsModule: typeof constructs): void {
  const app = cdk8sModule.App.prototype as unknown as { synth(): void };
  if (!patched.has(app)) {
    patched.add(app);
    app.synth = function (this: cdk8s.App) {
      if (!captured.includes(this)) captured.push(this);
    };
  }
  const node = constructsModule.Node.prototype as unknown as { tryGetContext(key: string): unknown };
  if (!patched.has(node)) {
    patched.add(node);
    const tryGetContext = node.tryGetContext;
    node.tryGetContext = function (this: constructs.Node, key: string) {
      const value: unknown = tryGetContext.call(this, key);
      return value === undefined && key === ENVIRONMENT_CONTEXT && environment !== '' ? environment : value;
    };
  }
}

/** Starts a request: no app synthesized yet, and the environment the context gives. */
export function beginPlainCapture(name: string): void {
  captured = [];
  environment = name;
}

/** The apps whose synth() the deploy repository called, in order. */
export function capturedApps(): readonly cdk8s.App[] {
  return captured;
}

/**
 * The charts of an app as `cdk8s synth` writes them: validated, dependencies resolved (what
 * `synthYaml` does before it writes), in the app's order.
 */
export function chartsOf(app: cdk8s.App): readonly cdk8s.Chart[] {
  app.synthYaml();
  return app.charts;
}
