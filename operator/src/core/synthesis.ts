// What synthesis of a deploy repository yields: the objects of each app of one environment.
import type { KubeObject } from './manifest.ts';

export interface SynthesizedApp {
  readonly name: string;
  readonly objects: readonly KubeObject[];
}

export interface SynthesisResult {
  readonly environment: string;
  readonly apps: readonly SynthesizedApp[];
}

/** A pass reference carried by a synthesized Secret (never a value). */
export interface PassReference {
  /** The entry's path in the store, without `.gpg`: `prod/db`. */
  readonly path: string;
  /** A `key: value` field of the entry; absent means the first line (the password). */
  readonly field?: string;
}
