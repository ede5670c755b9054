// An app of an environment: a cdk8s Chart with its namespace and labels. Every object in it
// carries the `keelson.dev/app` label, which status, health and pruning group by.
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { LABEL_APP } from './keys.ts';

export interface AppProps {
  /**
   * The namespace of the app's namespaced objects that do not name one.
   * @default - none: Keelson puts them in the Environment resource's `spec.targetNamespace`
   */
  readonly namespace?: string;
  /**
   * Labels on every object of the app, besides `keelson.dev/app`.
   * @default - only `keelson.dev/app`
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Drop the hash cdk8s appends to generated object names. Objects with an explicit
   * `metadata.name` are unaffected.
   * @default false
   */
  readonly disableResourceNameHashes?: boolean;
}

const APP_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class App extends Chart {
  /** The app's name: the construct id, a DNS label. */
  readonly appName: string;

  constructor(scope: Construct, name: string, props: AppProps = {}) {
    if (!APP_NAME.test(name))
      throw new Error(`app name "${name}" is not a DNS label (lowercase letters, digits and '-', at most 63)`);
    super(scope, name, {
      namespace: props.namespace,
      labels: { ...props.labels, [LABEL_APP]: name },
      disableResourceNameHashes: props.disableResourceNameHashes ?? false,
    });
    this.appName = name;
  }
}
