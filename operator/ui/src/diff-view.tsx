// The diff between live and desired state: unified, or side by side.
import { useState } from 'preact/hooks';
import { diffStat, parseDiff, sideBySide, type DiffLine } from './diff.ts';

function Line(props: { line: DiffLine | undefined }) {
  if (!props.line) return <td class="d-empty" />;
  const { kind, text } = props.line;
  return (
    <td class={`d-${kind}`}>
      {kind === 'add' ? (
        <span class="sr-only">added: </span>
      ) : kind === 'del' ? (
        <span class="sr-only">removed: </span>
      ) : null}
      {text}
    </td>
  );
}

export function DiffView(props: { text: string; idPrefix: string }) {
  const [split, setSplit] = useState(false);
  const lines = parseDiff(props.text);
  if (lines.length === 0) return <p class="empty">No differences.</p>;
  const stat = diffStat(lines);
  return (
    <div class="diff">
      <div class="diff-bar">
        <span>
          <span class="d-add-count">+{stat.added}</span> <span class="d-del-count">−{stat.removed}</span> lines
        </span>
        <label class="check">
          <input
            type="checkbox"
            checked={split}
            onChange={(e) => setSplit(e.currentTarget.checked)}
            id={`${props.idPrefix}-split`}
          />
          Side by side
        </label>
      </div>
      <div class="scroll diff-scroll" tabIndex={0} aria-label="Differences">
        {split ? (
          <table class="diff-table split">
            <thead class="sr-only">
              <tr>
                <th scope="col">Live</th>
                <th scope="col">Desired</th>
              </tr>
            </thead>
            <tbody>
              {sideBySide(lines).map((row, i) =>
                row.header ? (
                  <tr key={i}>
                    <td colSpan={2} class={`d-${row.header.kind}`}>
                      {row.header.text}
                    </td>
                  </tr>
                ) : (
                  <tr key={i}>
                    <Line line={row.left} />
                    <Line line={row.right} />
                  </tr>
                ),
              )}
            </tbody>
          </table>
        ) : (
          <table class="diff-table">
            <tbody>
              {lines.map((line, i) => (
                <tr key={i}>
                  <Line line={line} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
