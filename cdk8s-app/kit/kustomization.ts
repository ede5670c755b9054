// A Kustomize overlay of the deploy repository, rendered with `kustomize build` and included
// like cdk8s's own Helm construct includes a chart: its objects are API objects of the
// scope, then owned, ordered, pruned and health-checked like any other. In Keelson the
// operator runs the build outside the synthesis sandbox; under plain `cdk8s synth` or a unit
// test it runs the `kustomize` on the PATH.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Include } from 'cdk8s';
import type { Construct } from 'constructs';

export interface KustomizationProps {
  /** The folder holding kustomization.yaml, relative to the deploy repository's folder: `overlays/prod`. */
  readonly path: string;
  /**
   * The kustomize program, outside Keelson.
   * @default 'kustomize'
   */
  readonly kustomizeExecutable?: string;
}

const MAX_OUTPUT = 10 * 1024 * 1024;

export class Kustomization extends Include {
  /** The folder that was built. */
  readonly path: string;

  constructor(scope: Construct, id: string, props: KustomizationProps) {
    const program = props.kustomizeExecutable ?? 'kustomize';
    const build = spawnSync(program, ['build', props.path], { maxBuffer: MAX_OUTPUT });
    if (build.error)
      throw new Error(`cannot run "${program}" to build the kustomization "${props.path}": ${build.error.message}`);
    if (build.status !== 0)
      throw new Error(`kustomize build "${props.path}" failed: ${build.stderr.toString().trim()}`);
    const file = join(mkdtempSync(join(tmpdir(), 'keelson-kustomize-')), 'build.yaml');
    writeFileSync(file, build.stdout);
    super(scope, id, { url: file });
    this.path = props.path;
  }
}
