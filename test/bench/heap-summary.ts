// Where a V8 heap snapshot's memory is: the self size of its nodes summed by kind and
// constructor (strings, arrays, closures, compiled code, each class of object), largest
// first. What docs/operations.md's memory breakdown is made from:
//   KEELSON_BENCH_HEAP=/tmp/heap KEELSON_BENCH_ENVIRONMENTS=1000 make bench BENCH=fleet
//   node test/bench/heap-summary.ts /tmp/heap/*.heapsnapshot [top]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarizeHeap(file: string): { total: number; rows: { what: string; bytes: number; count: number }[] } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const by = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const size = snap.nodes[i + sizeAt]!;
    total += size;
    // Objects by constructor; everything else (strings, arrays, code…) by its kind alone.
    const what = type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + nameAt]!]}` : type;
    const row = by.get(what) ?? { bytes: 0, count: 0 };
    row.bytes += size;
    row.count++;
    by.set(what, row);
  }
  const rows = [...by].map(([what, r]) => ({ what, ...r })).sort((a, b) => b.bytes - a.bytes);
  return { total, rows };
}

if (import.meta.main) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: heap-summary.ts <file.heapsnapshot> [top]');
  const { total, rows } = summarizeHeap(file);
  console.log(`${file}: ${(total / 2 ** 20).toFixed(1)} MiB in all`);
  for (const r of rows.slice(0, Number(top)))
    console.log(`${(r.bytes / 2 ** 20).toFixed(1).padStart(8)} MiB ${String(r.count).padStart(9)}  ${r.what}`);
}
