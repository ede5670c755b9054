// An environment of the deploy repository (`dev`, `prod`, …): a cdk8s App whose charts are
// the apps it runs. Keelson builds one environment at a time, by name.
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { Images, type ImagesFileContent } from './images.ts';

export interface EnvironmentProps {
  /** The environment's name, as an Environment resource asks for it in `spec.environment`. */
  readonly name: string;
  /**
   * The deploy repository's images file (environment → image name → reference).
   * @default {} — no images: `image()` throws
   */
  readonly images?: ImagesFileContent;
  /**
   * Where `synth()` writes manifests when the environment is synthesized by the cdk8s CLI
   * instead of Keelson. Keelson never writes files.
   * @default - $CDK8S_OUTDIR, else 'dist' (what the cdk8s CLI expects)
   */
  readonly outdir?: string;
}

export class Environment extends Cdk8sApp {
  /** Tells an Environment from any other construct, across copies of the kit. */
  static isEnvironment(x: unknown): x is Environment {
    return typeof x === 'object' && x !== null && ENVIRONMENT in x;
  }

  /** The environment's name: `dev`, `prod`, … */
  readonly name: string;
  /** This environment's entries of the images file. */
  readonly images: Images;

  constructor(props: EnvironmentProps) {
    super({ outdir: props.outdir });
    this.name = props.name;
    this.images = new Images(props.images ?? {}, props.name);
    Object.defineProperty(this, ENVIRONMENT, { value: true });
  }

  /** The image reference of `name` in this environment, from the images file. */
  image(name: string): string {
    return this.images.ref(name);
  }

  /** The apps of the environment: its top-level charts, in the order they were added. */
  get apps(): readonly Chart[] {
    return this.node.children.filter((c): c is Chart => Chart.isChart(c));
  }
}

const ENVIRONMENT = Symbol.for('keelson.dev/Environment');
