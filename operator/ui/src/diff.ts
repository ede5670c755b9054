// A unified diff (text/x-diff) as lines to style, and as side-by-side rows: each run of
// removed lines paired with the run of added lines after it.
export type LineKind = 'file' | 'hunk' | 'add' | 'del' | 'ctx';

export interface DiffLine {
  readonly kind: LineKind;
  readonly text: string;
}

export interface SideRow {
  /** A file or hunk header spans both sides. */
  readonly header?: DiffLine;
  readonly left?: DiffLine;
  readonly right?: DiffLine;
}

export function parseDiff(text: string): DiffLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: DiffLine[] = [];
  let inHunk = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // A section starts with "--- <old>" and "+++ <new>" (and maybe a "diff ..." line before).
    const header =
      line.startsWith('diff ') ||
      (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) ||
      (line.startsWith('+++ ') && out.at(-1)?.kind === 'file');
    if (header) inHunk = false;
    else if (line.startsWith('@@')) inHunk = true;
    const kind: LineKind = header
      ? 'file'
      : line.startsWith('@@')
        ? 'hunk'
        : !inHunk
          ? 'file'
          : line.startsWith('+')
            ? 'add'
            : line.startsWith('-')
              ? 'del'
              : 'ctx';
    out.push({ kind, text: line });
  }
  return out;
}

export function sideBySide(lines: readonly DiffLine[]): SideRow[] {
  const rows: SideRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) {
      const left = dels[i];
      const right = adds[i];
      rows.push({ ...(left ? { left } : {}), ...(right ? { right } : {}) });
    }
    dels = [];
    adds = [];
  };
  for (const line of lines) {
    if (line.kind === 'del') {
      if (adds.length) flush();
      dels.push(line);
    } else if (line.kind === 'add') {
      adds.push(line);
    } else {
      flush();
      if (line.kind === 'ctx') rows.push({ left: line, right: line });
      else rows.push({ header: line });
    }
  }
  flush();
  return rows;
}

/** Counts of added and removed lines: "+3 −1". */
export function diffStat(lines: readonly DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === 'add').length,
    removed: lines.filter((l) => l.kind === 'del').length,
  };
}
