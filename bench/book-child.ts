/**
 * One job of the book benchmark, in a process of its own (spawned by bench/book.ts):
 *   --job speed  --engine E --workload W   throughput repetitions + one latency pass
 *   --job alloc  --engine E --workload W   steady-state allocation check
 *   --job memory --engine E --orders N     bytes per resting order
 * E: perpd-fast | perpd-reference | nodejs-order-book. Prints one JSON line on stdout;
 * progress on stderr.
 */
import type { BookAdapter } from './adapters/adapter.js';
import { NodejsOrderBookAdapter } from './adapters/nodejs-order-book.js';
import { createPerpdAdapter } from './adapters/perpd-book.js';
import { allocationCheck, latencyPass, restingMemory, throughputRep, timerOverheadNs } from './book-measure.js';
import { numberOption, parseArgs } from './lib/cli.js';
import { human, median } from './lib/stats.js';
import { isBookWorkload, makeBookWorkload, makeRestingFill } from './workloads/book-workloads.js';
import type { OpStream } from './workloads/op-stream.js';

const { options } = parseArgs(process.argv.slice(2));
const job = options.get('job') ?? 'speed';
const engine = options.get('engine') ?? 'perpd-fast';
const seed = numberOption(options, 'seed', 42);
const log = (s: string): void => void process.stderr.write(`  ${s}\n`);

async function adapterFor(stream: OpStream, upTo: number): Promise<BookAdapter> {
  if (engine === 'perpd-fast') return createPerpdAdapter('fast', stream);
  if (engine === 'perpd-reference') return createPerpdAdapter('reference', stream);
  if (engine === 'nodejs-order-book') return new NodejsOrderBookAdapter(stream, upTo);
  throw new Error(`unknown engine "${engine}"`);
}

function workload() {
  const name = options.get('workload') ?? '';
  if (!isBookWorkload(name)) throw new Error(`unknown workload "${name}"`);
  return makeBookWorkload(name, seed, numberOption(options, 'scale', 1));
}

async function speed(): Promise<Record<string, unknown>> {
  const w = workload();
  const baseline = engine === 'nodejs-order-book';
  const from = baseline ? w.baselineFrom : w.measuredFrom;
  const to = from + (baseline ? w.baselineOps : w.measuredOps);
  const reps = numberOption(options, 'reps', 5);
  const maxMs = numberOption(options, 'max-ms', 20_000);
  const a = await adapterFor(w.stream, to);
  const runs = [];
  for (let k = 1; k <= reps; k++) {
    const r = throughputRep(a, from, to, maxMs);
    runs.push(r);
    log(`${w.name} ${a.name} rep ${k}/${reps}: ${human(r.opsPerSec)} ops/s (${r.ops} ops, ${r.ms.toFixed(0)} ms)`);
  }
  const counters = a.counters();
  log(`${w.name} ${a.name} latency pass (every op timed)…`);
  const lat = latencyPass(a, w.setupOps, from, to, maxMs);
  log(`${w.name} ${a.name} latency: p50 ${lat.p50Ns} ns, p99 ${lat.p99Ns} ns, p99.9 ${lat.p999Ns} ns (${lat.samples} ops)`);
  return {
    job: 'speed',
    engine: a.name,
    workload: w.name,
    summary: w.summary,
    opsPerSec: Math.round(median(runs.map((r) => r.opsPerSec))),
    repOpsPerSec: runs.map((r) => Math.round(r.opsPerSec)),
    ops: Math.min(...runs.map((r) => r.ops)),
    reps,
    latency: lat,
    timerOverheadNs: timerOverheadNs(),
    counters,
    setupOps: w.setupOps,
    warmupOps: from - w.setupOps,
    measuredOps: to - from,
    mix: w.stream.mix(from, to),
    shape: w.shape,
  };
}

async function alloc(): Promise<Record<string, unknown>> {
  const w = workload();
  const a = await adapterFor(w.stream, w.stream.count);
  log(`${w.name} ${a.name} allocation check over ${w.measuredOps} ops…`);
  const r = await allocationCheck(a, w.measuredFrom, w.measuredFrom + w.measuredOps);
  log(`${w.name} ${a.name} heap growth ${r.heapGrowthBytesPerOp} B/op, ${r.gcCount} GCs`);
  return { job: 'alloc', engine: a.name, workload: w.name, ...r, rejects: a.counters().rejects };
}

async function memory(): Promise<Record<string, unknown>> {
  const n = numberOption(options, 'orders', 1_000_000);
  const stream = makeRestingFill(n, seed);
  const a = await adapterFor(stream, 0);
  log(`memory ${a.name}: placing ${n} resting orders…`);
  const m = restingMemory(a, n);
  log(`memory ${a.name}: ${m.bytesPerRestingOrder} B/order (heap ${human(m.heapUsedDelta)}B, external ${human(m.externalDelta)}B, ${m.resting} resting, ${m.ms.toFixed(0)} ms)`);
  return { job: 'memory', engine: a.name, ...m };
}

const jobs: Record<string, () => Promise<Record<string, unknown>>> = { speed, alloc, memory };
const run = jobs[job];
if (!run) throw new Error(`unknown job "${job}"`);
process.stdout.write(`${JSON.stringify(await run())}\n`);
