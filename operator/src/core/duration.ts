// Durations as Kubernetes and Flux write them (`30s`, `5m`, `1h30m`, `250ms`), and the
// jitter that keeps many objects with the same interval from polling in lockstep.

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go-style duration; throws on anything else. */
export function parseDuration(text: string): number {
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    total += Number.parseFloat(m[1]!) * units[m[2]!]!;
    matched += m[0].length;
  }
  if (text.length === 0 || matched !== text.length)
    throw new Error(`"${text}" is not a duration (examples: 30s, 5m, 1h30m)`);
  return Math.round(total);
}

/** `interval` spread by up to ±`fraction` using `random`, a number in [0, 1) the caller draws. */
export function withJitter(intervalMs: number, random: number, fraction = 0.1): number {
  return Math.max(0, Math.round(intervalMs * (1 + fraction * (2 * random - 1))));
}

/** A short human form: 90000 → "1m30s", 500 → "500ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
