// The messages between the operator and a synthesis worker process (over the IPC channel).
import type { RawSynthesizedApp, SynthesisFailureReason } from '../../core/synthesis-check.ts';
import type { CodeCacheState } from './code-cache.ts';

/** The file name the deploy repository's bundle runs under; stack frames in it are mapped back to sources. */
export const BUNDLE_FILE = 'keelson-deploy-repo.js';

/** The packages a deploy repository may import; the worker provides them. */
export const PROVIDED_MODULES = ['cdk8s', 'cdk8s-plus-27', 'constructs', '@keelson/cdk8s-app'] as const;

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
  | { readonly type: 'ready'; readonly exports: Readonly<Record<string, readonly string[]>>; readonly codeCache?: CodeCacheState }
  | { readonly type: 'code-cache'; readonly id: string; readonly data: string; readonly logs: string; readonly retire?: string }
  | {
    readonly type: 'result'; readonly id: string; readonly logs: string; readonly retire?: string;
    readonly apps?: readonly WorkerApp[]; readonly environments?: readonly EnvironmentListing[];
  }
  | {
    readonly type: 'failure'; readonly id: string; readonly logs: string; readonly retire?: string;
    readonly reason: SynthesisFailureReason; readonly message: string; readonly stack?: string;
    /** Where the construct the error is about was created, when the stack does not say. */
    readonly site?: BundlePosition;
  };
