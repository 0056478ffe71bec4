/**
 * Benchmark dispatcher: `node dist/bench/run.js <name> [options]` runs one benchmark,
 * `node dist/bench/run.js` (no name) runs the quick version of every benchmark in
 * turn. Each benchmark runs in a child process of its own. All benchmarks of one
 * invocation write into the same bench/results/<timestamp>/ directory.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { timestamp } from './lib/results.js';

interface Benchmark {
  /** Compiled script beside this file. */
  script: string;
  nodeFlags: string[];
  /** Arguments that make it quick (for the no-name suite). */
  quickArgs: string[];
  about: string;
}

/** Add ring, frames, journal, e2e… here as they are written. */
const BENCHMARKS: Record<string, Benchmark> = {
  book: { script: 'book.js', nodeFlags: ['--expose-gc'], quickArgs: ['--quick'], about: 'order book: perpd vs nodejs-order-book (throughput, latency, memory, allocation)' },
  wait: { script: 'wait.js', nodeFlags: [], quickArgs: ['--quick'], about: 'worker waiting strategy: ring round trip and pipelined throughput per spin budget' },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(10)} ${b.about}`);
  return ['usage: node dist/bench/run.js [name] [options]   (no name: quick run of all)', ...names].join('\n');
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
  let failed = 0;
  for (const n of Object.keys(BENCHMARKS)) {
    process.stderr.write(`== ${n} (quick) ==\n`);
    if ((await runOne(n, [...BENCHMARKS[n].quickArgs, ...rest], stamp)) !== 0) failed++;
  }
  process.exitCode = failed ? 1 : 0;
} else if (!(name in BENCHMARKS)) {
  process.stderr.write(`unknown benchmark "${name}"\n${usage()}\n`);
  process.exitCode = 2;
} else {
  process.exitCode = await runOne(name, args, stamp);
}
