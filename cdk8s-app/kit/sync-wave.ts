// Sync waves: objects of a lower wave are applied and healthy before the next wave starts.
import type { IConstruct } from 'constructs';
import { apiObjectsOf } from './api-objects.ts';
import { ANNOTATION_SYNC_WAVE } from './keys.ts';

export class SyncWave {
  /** Puts every Kubernetes object under `target` in sync wave `wave` (an integer; the default wave is 0). */
  static set(target: IConstruct, wave: number): void {
    if (!Number.isSafeInteger(wave)) throw new Error(`sync wave must be an integer, got ${wave}`);
    for (const obj of apiObjectsOf(target, 'SyncWave.set'))
      obj.metadata.addAnnotation(ANNOTATION_SYNC_WAVE, String(wave));
  }
}
