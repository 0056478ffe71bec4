/**
 * Benchmark dispatcher. Each benchmark runs in a child process of its own; all
 * benchmarks of one invocation write into the same bench/results/<timestamp>/
 * directory, and a suite ends with its summary.md.
 *
 *   node dist/bench/run.js <name> [options]   one benchmark (its default size)
 *   node dist/bench/run.js                     the quick suite (`npm run bench`, < 3 min here)
 *   node dist/bench/run.js --full              every benchmark at full size (`npm run bench:full`)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resultsDir, timestamp } from './lib/results.js';
import { writeSummary } from './lib/summary.js';
import { machineInfo, machineLine } from './machine.js';

interface Benchmark {
  /** Compiled script beside this file. */
  script: string;
  nodeFlags: string[];
  /** Arguments that make it quick (for the no-name suite). */
  quickArgs: string[];
  /** Arguments of the full run (`--full` suite). */
  fullArgs: string[];
  /** Part of the quick suite (the suite must stay under 3 minutes on the 2-core machines). */
  inQuickSuite: boolean;
  about: string;
}

/** One entry per benchmark (bench/README.md describes each). */
const BENCHMARKS: Record<string, Benchmark> = {
  book: { script: 'book.js', nodeFlags: ['--expose-gc'], quickArgs: ['--quick'], fullArgs: [], inQuickSuite: true, about: 'order book: perpd vs nodejs-order-book (throughput, latency, memory, allocation)' },
  micro: { script: 'micro.js', nodeFlags: [], quickArgs: ['--quick'], fullArgs: [], inQuickSuite: true, about: 'tinybench micro benchmarks: book per order type, ring, frames, JSON parse, journal append' },
  'e2e-binary': { script: 'e2e.js', nodeFlags: [], quickArgs: ['--quick'], fullArgs: ['--full'], inQuickSuite: true, about: 'end to end through the binary gateway: open-loop latency, sweep to the knee, echo baseline, engine/echo' },
  'e2e-json': { script: 'e2e-json.js', nodeFlags: [], quickArgs: ['--quick'], fullArgs: ['--full'], inQuickSuite: true, about: 'end to end through the JSON API (Hyperliquid dialect): pre-signed actions as WebSocket posts, open-loop latency, saturation' },
  journal: { script: 'journal.js', nodeFlags: ['--max-old-space-size=8192'], quickArgs: ['--quick'], fullArgs: [], inQuickSuite: false, about: 'LMDB journal: appends/s sync and async, read and replay rate, restart with 1 M resting orders' },
  wait: { script: 'wait.js', nodeFlags: [], quickArgs: ['--quick'], fullArgs: [], inQuickSuite: false, about: 'worker waiting strategy: ring round trip and pipelined throughput per spin budget' },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(10)} ${b.about}`);
  return [
    'usage: node dist/bench/run.js [name] [options]   (no name: the quick suite; --full: every benchmark at full size)',
    ...names,
    'compare two runs: node dist/bench/compare.js <resultsDirA|commit> <resultsDirB|commit>',
  ].join('\n');
}

function runOne(name: string, args: string[], stamp: string): Promise<number> {
  const b = BENCHMARKS[name];
  const script = fileURLToPath(new URL(`./${b.script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...b.nodeFlags, script, ...args], {
      stdio: 'inherit',
      env: { ...process.env, PERPD_BENCH_STAMP: stamp },
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const [name, ...args] = process.argv.slice(2);
const stamp = process.env.PERPD_BENCH_STAMP ?? timestamp();
if (name === '--help' || name === '-h' || name === 'help') {
  process.stderr.write(`${usage()}\n`);
} else if (name === undefined || name.startsWith('--')) {
  const rest = name === undefined ? [] : [name, ...args];
  const full = rest.includes('--full');
  const passOn = rest.filter((a) => a !== '--full');
  const names = Object.keys(BENCHMARKS).filter((n) => full || BENCHMARKS[n].inQuickSuite);
  const t0 = Date.now();
  let failed = 0;
  for (const [i, n] of names.entries()) {
    const b = BENCHMARKS[n];
    process.stderr.write(`== [${i + 1}/${names.length}] ${n} (${full ? 'full' : 'quick'}; ${Math.round((Date.now() - t0) / 1000)} s so far) ==\n`);
    if ((await runOne(n, [...(full ? b.fullArgs : b.quickArgs), ...passOn], stamp)) !== 0) {
      failed++;
      process.stderr.write(`== ${n} FAILED ==\n`);
    }
  }
  const summary = writeSummary(resultsDir(stamp), `perpd benchmarks (${full ? 'full' : 'quick'} suite)`, machineLine(machineInfo()));
  process.stderr.write(`== suite done in ${Math.round((Date.now() - t0) / 1000)} s${failed ? `, ${failed} failed` : ''}; ${summary ?? 'no results'} ==\n`);
  process.exitCode = failed ? 1 : 0;
} else if (!(name in BENCHMARKS)) {
  process.stderr.write(`unknown benchmark "${name}"\n${usage()}\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await runOne(name, args, stamp);
  writeSummary(resultsDir(stamp), `perpd benchmarks (${name})`, machineLine(machineInfo()));
}
