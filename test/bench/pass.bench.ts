// Decrypting pass entries: a store of 500 entries made by pass (each for an RSA-2048 and an
// ed25519/cv25519 recipient), read through the pass adapter (OpenPGP.js). Per-entry time
// cold (empty cache) and cached, for each key type, against the reference measured in the
// same run: `pass show` (gpg) per entry, what an Argo CD pass plugin does.
import { join } from 'node:path';
import { DecryptionKey } from '../../operator/src/adapters/pass/decryption-key.ts';
import { EntryCache } from '../../operator/src/adapters/pass/entry-cache.ts';
import { PassStore } from '../../operator/src/adapters/pass/pass-store.ts';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { GpgHome, PassStoreDir, type GpgKey } from '../harness/pass-store.ts';
import { percentile, report, type Measurement } from './report.ts';

const ENTRIES = 500;
const REFERENCE_SAMPLE = 50;

const home = new GpgHome();
try {
  const rsa = home.generateKey({ type: 'rsa', name: 'Bench RSA' });
  const ecc = home.generateKey({ type: 'ed25519', name: 'Bench ECC', passphrase: 'bench passphrase' });
  const store = new PassStoreDir(home, join(home.dir, 'store'));
  store.init([rsa, ecc]);
  const paths = Array.from({ length: ENTRIES }, (_, i) => `app-${String(i % 25).padStart(2, '0')}/secret-${i}`);
  const made = performance.now();
  for (const [i, path] of paths.entries())
    store.insert(path, `pw-${i}-${'x'.repeat(24)}\nuser: user-${i}\nurl: https://svc-${i}.example/\n`);
  console.log(`made ${ENTRIES} entries with pass in ${((performance.now() - made) / 1000).toFixed(1)} s`);

  const measurements: Measurement[] = [];
  for (const [label, key] of [
    ['RSA-2048', rsa],
    ['ed25519/cv25519', ecc],
  ] as const) {
    const reference = referencePerEntry(store, paths.slice(0, REFERENCE_SAMPLE), key);
    measurements.push({
      name: `${label}: reference, pass show (gpg), mean of ${REFERENCE_SAMPLE}`,
      value: reference,
      unit: 'ms/entry',
    });
    measurements.push(...(await measureKey(label, key, store.dir, paths, reference)));
  }
  report('pass', measurements);
} finally {
  home.dispose();
}

function referencePerEntry(store: PassStoreDir, sample: readonly string[], key: GpgKey): number {
  const t0 = performance.now();
  for (const path of sample) store.show(path, key);
  return (performance.now() - t0) / sample.length;
}

async function measureKey(
  label: string,
  gpgKey: GpgKey,
  dir: string,
  paths: readonly string[],
  reference: number,
): Promise<Measurement[]> {
  const t0 = performance.now();
  const key = await DecryptionKey.load({ privateKey: gpgKey.privateKey, passphrase: gpgKey.passphrase });
  const loadMs = performance.now() - t0;
  const cache = new EntryCache();
  const store = new PassStore({ tree: new DirectoryTree(dir), key, cache });
  const cold = await timeEach(store, paths);
  const cached = await timeEach(store, paths);
  if (cache.size !== paths.length) throw new Error(`expected ${paths.length} cached entries, found ${cache.size}`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [
    { name: `${label}: load and unlock the key`, value: loadMs, unit: 'ms' },
    { name: `${label}: cold, mean per entry (${paths.length})`, value: mean(cold), unit: 'ms/entry' },
    { name: `${label}: cold, p50 per entry`, value: percentile(cold, 50), unit: 'ms/entry' },
    { name: `${label}: cold, p99 per entry`, value: percentile(cold, 99), unit: 'ms/entry' },
    { name: `${label}: cold, ratio to pass show`, value: mean(cold) / reference, unit: 'x' },
    {
      name: `${label}: cached, mean per entry (file read and blob id included)`,
      value: mean(cached) * 1000,
      unit: 'µs/entry',
    },
    { name: `${label}: cached, ratio to cold`, value: mean(cached) / mean(cold), unit: 'x' },
    { name: `${label}: all ${paths.length} entries cold`, value: cold.reduce((a, b) => a + b, 0), unit: 'ms' },
  ];
}

/** Reads every entry once, timing each; returns the samples in milliseconds, sorted. */
async function timeEach(store: PassStore, paths: readonly string[]): Promise<number[]> {
  const samples: number[] = [];
  for (const path of paths) {
    const t0 = performance.now();
    await store.readEntry(path);
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}
