// Maps positions in the deploy repository's bundle back to its files, so every message names
// `apps/api.ts:31:11` rather than a line of generated code.
import { SourceMap, type SourceMapPayload } from 'node:module';
import { BUNDLE_FILE, type BundlePosition } from './protocol.ts';

const FRAME = new RegExp(`${BUNDLE_FILE.replace(/\./g, '\\.')}:(\\d+):(\\d+)`, 'g');

export class SourcePositions {
  private readonly map: SourceMap;

  constructor(mapJson: string) {
    this.map = new SourceMap(JSON.parse(mapJson) as SourceMapPayload);
  }

  /** `file:line:column` of a bundle position, or undefined when it maps to no source (generated code). */
  locate(position: BundlePosition | null | undefined): string | undefined {
    if (!position) return undefined;
    // The segment the position falls in, as written (findOrigin would add the distance from
    // the segment's start, which for esbuild's maps lands past the expression).
    const entry = this.map.findEntry(position.line - 1, position.column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry.originalSource || entry.originalLine === undefined) return undefined;
    return `${entry.originalSource.replace(/^(tree|provided):/, '')}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  }

  /**
   * The deploy repository's frames of a stack, mapped to its files; frames of Keelson's runtime
   * (cdk8s, the kit, the worker) are left out. Returns the frames and the first one's location.
   */
  mapStack(stack: string): { frames: string[]; location?: string } {
    const frames: string[] = [];
    let location: string | undefined;
    for (const line of stack.split('\n')) {
      if (!/^\s+at /.test(line)) continue;
      FRAME.lastIndex = 0;
      const match = FRAME.exec(line);
      if (!match) continue;
      const mapped = this.locate({ line: Number(match[1]), column: Number(match[2]) });
      if (!mapped) continue;
      location ??= mapped;
      const fn = /^\s+at (?:new )?([^\s(]+) \(/.exec(line)?.[1];
      frames.push(
        fn && fn !== 'Object.<anonymous>' && !fn.startsWith('__')
          ? `at ${line.includes(' new ') ? 'new ' : ''}${fn} (${mapped})`
          : `at ${mapped}`,
      );
    }
    return location === undefined ? { frames } : { frames, location };
  }
}
