// The messages between the operator and a synthesis worker process (over the IPC channel).
import type { RawSynthesizedApp, SynthesisFailureReason } from '../../core/synthesis-check.ts';
import type { CodeCacheState } from './code-cache.ts';
import type { TreeEntry } from '../../core/source.ts';

/** The file name the deploy repository's bundle runs under; stack frames in it are mapped back to sources. */
export const BUNDLE_FILE = 'keelson-deploy-repo.js';

/** The packages a deploy repository may import; the worker provides them. */
export const PROVIDED_MODULES = ['cdk8s', 'cdk8s-plus-27', 'constructs', '@keelson/cdk8s-app', 'path'] as const;

export interface WorkerLimits {
  /** Bytes the deploy repository may print before the synthesis fails. */
  readonly maxLogBytes: number;
  /** Bytes of JSON the result may have before the synthesis fails. */
  readonly maxResultBytes: number;
}

export interface WorkerRequest {
  /** Unguessable, so code left running in the worker cannot answer a later request. */
  readonly id: string;
  /** `synth` renders one environment; `list` names every environment and its apps; `code-cache` warms up and returns the V8 code cache (no deploy-repo code). */
  readonly op: 'synth' | 'list' | 'code-cache';
  /** The deploy repository bundled as a CommonJS function body. */
  readonly code: string;
  /** The entry point's path, for messages. */
  readonly entry: string;
  readonly environment?: string;
  /** The parsed images file, or undefined when the deploy repository has none. */
  readonly images?: unknown;
  readonly limits: WorkerLimits;
  /** The repository's files and renders this synthesis asked for in an earlier run. */
  readonly host?: HostSupply;
  /**
   * The repository's own packages (its package.json and lockfile): the vendor bundle's id, and
   * its code when the worker asked for it (a worker keeps the last one it loaded).
   */
  readonly vendor?: { readonly id: string; readonly code?: string };
}

export interface EnvironmentListing {
  readonly name: string;
  readonly apps: readonly string[];
}

/** A position in the bundle: line and column, 1-based. */
export interface BundlePosition {
  readonly line: number;
  readonly column: number;
}

export interface WorkerApp extends Omit<RawSynthesizedApp, 'sources'> {
  /** Where each object was created, in the bundle, parallel to objects. */
  readonly sites: readonly (BundlePosition | null)[];
}

export type WorkerMessage =
  | {
      readonly type: 'ready';
      readonly exports: Readonly<Record<string, readonly string[]>>;
      readonly codeCache?: CodeCacheState;
    }
  | {
      readonly type: 'code-cache';
      readonly id: string;
      readonly data: string;
      readonly logs: string;
      readonly retire?: string;
    }
  | {
      readonly type: 'result';
      readonly id: string;
      readonly logs: string;
      readonly retire?: string;
      readonly needs?: HostNeeds;
      readonly apps?: readonly WorkerApp[];
      readonly environments?: readonly EnvironmentListing[];
    }
  | {
      readonly type: 'failure';
      readonly id: string;
      readonly logs: string;
      readonly retire?: string;
      readonly needs?: HostNeeds;
      readonly reason: SynthesisFailureReason;
      readonly message: string;
      readonly stack?: string;
      /** Where the construct the error is about was created, when the stack does not say. */
      readonly site?: BundlePosition;
    };

/** A path of the repository as the worker's host `fs` sees it. */
export type HostPath =
  | { readonly type: 'file'; readonly text: string }
  | { readonly type: 'dir'; readonly entries: readonly TreeEntry[] }
  | { readonly type: 'missing' };

/** In a render request's args, a file the construct wrote (helm's values) is `@file:<n>`, its text in `files`. */
export const RENDER_FILE_PREFIX = '@file:';

/** What a run asked the operator to render: `helm template <args>` or `kustomize build <tree path> <args>`. */
export interface RenderNeed {
  /** Identifies the request within the deploy repository (tool, args, files, cwd). */
  readonly key: string;
  readonly tool: 'helm' | 'kustomize';
  readonly args: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  /** The deploy repository's folder in the tree, which relative paths are relative to. */
  readonly cwd: string;
}

/** A render's output, or why it failed; `unavailable` when a chart repository or registry could not be reached (worth retrying). */
export type RenderOutcome = { readonly stdout: string } | { readonly error: string; readonly unavailable?: boolean };

/** What the operator hands the worker's host modules for one request. */
export interface HostSupply {
  /** The deploy repository's folder in the tree. */
  readonly cwd: string;
  /** Repository paths (tree paths) asked for before, resolved. */
  readonly paths: Readonly<Record<string, HostPath>>;
  /** Renders asked for before, by key. */
  readonly renders: Readonly<Record<string, RenderOutcome>>;
}

/** What a run asked for and was not given: the operator supplies it and runs again. */
export interface HostNeeds {
  readonly paths: readonly string[];
  readonly renders: readonly RenderNeed[];
  /** The vendor bundle's code: this worker has not loaded it. */
  readonly vendor?: boolean;
}
