// Small helpers shared by the benchmarks: percentiles and the results file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const median = (values) => percentile(values, 50);

/** Writes bench/results/<name>.json (git-ignored) with the machine's details beside the figures. */
export function writeResults(name, data) {
  const dir = path.join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...data }, null, 2)}\n`);
  return file;
}
