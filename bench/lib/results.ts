import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** <repo>/bench/results (this file runs as <repo>/dist/bench/lib/results.js). */
const RESULTS_ROOT = fileURLToPath(new URL('../../../bench/results/', import.meta.url));

/**
 * bench/results/<timestamp>/ (gitignored), returned relative to the working directory
 * when inside it; one directory per run, shared by the benchmarks of that run.
 */
export function resultsDir(stamp = process.env.PERPD_BENCH_STAMP ?? timestamp()): string {
  const abs = join(RESULTS_ROOT, stamp);
  const rel = relative(process.cwd(), abs);
  const dir = rel.startsWith('..') ? abs : rel;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** 2025-01-31T12-34-56 (wall clock: only names the output directory). */
export function timestamp(): string {
  return new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

export function writeJson(dir: string, file: string, value: unknown): string {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
