/**
 * The book benchmark: `node dist/bench/book.js [options]` (normally through
 * `npm run bench -- book`). Every measurement runs in a child process of its own
 * (bench/book-child.ts, with --expose-gc); this process only orchestrates, prints
 * progress and the table on stderr, one JSON line per workload on stdout, and writes
 * bench/results/<timestamp>/book.json. See bench/README.md.
 *
 * Options: --workloads a,b  --reps 5  --scale 1  --seed 42  --engine fast|reference
 *          --memory-orders 1000000  --baseline-memory-orders 1000000  --max-ms 20000
 *          --no-baseline  --no-memory  --quick (scale 0.1, 3 reps, 200k-order memory)
 */
import { fileURLToPath } from 'node:url';
import { perpdEngineAvailable, type PerpdEngineKind } from './adapters/perpd-book.js';
import { bookTable, emptyRow, type BookRow } from './book-report.js';
import { runChild } from './lib/child.js';
import { numberOption, parseArgs } from './lib/cli.js';
import { resultsDir, writeJson } from './lib/results.js';
import { machineLine, printMachine } from './machine.js';
import { BOOK_WORKLOADS, isBookWorkload } from './workloads/book-workloads.js';

type Json = Record<string, unknown>;

const { options } = parseArgs(process.argv.slice(2));
const quick = options.has('quick');
const reps = numberOption(options, 'reps', quick ? 3 : 5);
const scale = numberOption(options, 'scale', quick ? 0.1 : 1);
const seed = numberOption(options, 'seed', 42);
const maxMs = numberOption(options, 'max-ms', 20_000);
const memOrders = numberOption(options, 'memory-orders', quick ? 200_000 : 1_000_000);
const baseMemOrders = numberOption(options, 'baseline-memory-orders', memOrders);
const kind = (options.get('engine') ?? 'fast') as PerpdEngineKind;
const workloads = (options.get('workloads') ?? BOOK_WORKLOADS.join(',')).split(',');
const ALLOC_WORKLOADS = new Set(['exchange-core', 'match-heavy']);
const BASELINE = 'nodejs-order-book';
const child = fileURLToPath(new URL('./book-child.js', import.meta.url));

for (const w of workloads) if (!isBookWorkload(w)) throw new Error(`unknown workload "${w}" (known: ${BOOK_WORKLOADS.join(', ')})`);
if (kind !== 'fast' && kind !== 'reference') throw new Error(`--engine must be fast or reference`);
if (!perpdEngineAvailable(kind)) {
  throw new Error(`the perpd ${kind} engine is not built yet (engine/${kind === 'fast' ? 'book/fast-market' : 'reference/reference-market'}.ts); try --engine reference`);
}
const engine = `perpd-${kind}`;

const machine = printMachine();
const common = ['--seed', String(seed), '--scale', String(scale), '--max-ms', String(maxMs)];
const job = async (args: string[]): Promise<Json> => {
  const rows = await runChild(child, [...args, ...common], ['--expose-gc']);
  if (rows.length !== 1) throw new Error(`book-child ${args.join(' ')} printed ${rows.length} JSON lines`);
  return rows[0];
};
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const lat = (j: Json | null, k: string): number | null => (j ? num((j.latency as Json)[k]) : null);

const rows: BookRow[] = [];
const raw: Json[] = [];
const emit = (row: BookRow): void => {
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
};

process.stderr.write(`book: ${engine} vs ${BASELINE}; workloads ${workloads.join(', ')}; ${reps} reps; scale ${scale}; seed ${seed}\n`);
for (const [n, w] of workloads.entries()) {
  const tag = `[book ${n + 1}/${workloads.length}] ${w}`;
  process.stderr.write(`${tag}: ${engine} speed\n`);
  const p = await job(['--job', 'speed', '--engine', engine, '--workload', w, '--reps', String(reps)]);
  let b: Json | null = null;
  if (!options.has('no-baseline')) {
    process.stderr.write(`${tag}: ${BASELINE} speed\n`);
    b = await job(['--job', 'speed', '--engine', BASELINE, '--workload', w, '--reps', String(reps)]);
  }
  let al: Json | null = null;
  if (ALLOC_WORKLOADS.has(w)) {
    process.stderr.write(`${tag}: ${engine} allocation check\n`);
    al = await job(['--job', 'alloc', '--engine', engine, '--workload', w]);
  }
  raw.push({ workload: w, perpd: p, baseline: b, alloc: al });
  const row = emptyRow(w, engine);
  const counters = p.counters as Json;
  row.opsPerSec = num(p.opsPerSec);
  row.ops = num(p.ops);
  row.reps = reps;
  row.p50Ns = lat(p, 'p50Ns');
  row.p99Ns = lat(p, 'p99Ns');
  row.p999Ns = lat(p, 'p999Ns');
  row.maxNs = lat(p, 'maxNs');
  row.timerOverheadNs = num(p.timerOverheadNs);
  row.rejects = num(counters.rejects);
  row.fillsPerOp = row.ops ? Math.round(((num(counters.fills) ?? 0) / (num(p.measuredOps) ?? 1)) * 1000) / 1000 : null;
  if (b) {
    row.baselineEngine = BASELINE;
    row.baselineOpsPerSec = num(b.opsPerSec);
    row.baselineOps = num(b.ops);
    row.baselineP50Ns = lat(b, 'p50Ns');
    row.baselineP99Ns = lat(b, 'p99Ns');
    row.baselineP999Ns = lat(b, 'p999Ns');
    if (row.opsPerSec && row.baselineOpsPerSec) row.ratio = Math.round((row.opsPerSec / row.baselineOpsPerSec) * 10) / 10;
  }
  if (al) {
    row.heapGrowthBytesPerOp = num(al.heapGrowthBytesPerOp);
    row.gcCount = num(al.gcCount);
  }
  if (row.rejects) process.stderr.write(`WARNING ${w}: ${engine} rejected ${row.rejects} ops (the workload expects 0)\n`);
  if (b && num((b.counters as Json).rejects)) process.stderr.write(`WARNING ${w}: ${BASELINE} returned ${num((b.counters as Json).rejects)} errors\n`);
  emit(row);
}

if (!options.has('no-memory')) {
  const label = memOrders % 1_000_000 === 0 ? `memory-${memOrders / 1_000_000}M` : `memory-${Math.round(memOrders / 1000)}k`;
  process.stderr.write(`[book] ${label}: ${engine}\n`);
  const pm = await job(['--job', 'memory', '--engine', engine, '--orders', String(memOrders)]);
  let bm: Json | null = null;
  if (!options.has('no-baseline')) {
    process.stderr.write(`[book] ${label}: ${BASELINE}\n`);
    bm = await job(['--job', 'memory', '--engine', BASELINE, '--orders', String(baseMemOrders)]);
  }
  raw.push({ workload: label, perpd: pm, baseline: bm });
  const row = emptyRow(label, engine);
  row.bytesPerRestingOrder = num(pm.bytesPerRestingOrder);
  row.ops = num(pm.orders);
  if (bm) {
    row.baselineEngine = BASELINE;
    row.baselineBytesPerRestingOrder = num(bm.bytesPerRestingOrder);
    row.baselineOps = num(bm.orders);
    if (row.bytesPerRestingOrder && row.baselineBytesPerRestingOrder) {
      row.ratio = Math.round((row.bytesPerRestingOrder / row.baselineBytesPerRestingOrder) * 1000) / 1000;
    }
  }
  emit(row);
}

const table = bookTable(rows);
process.stderr.write(`\n${machineLine(machine)}\n${table}\n`);
const dir = resultsDir();
const file = writeJson(dir, 'book.json', {
  bench: 'book',
  command: `node ${process.argv.slice(1).join(' ')}`,
  machine,
  options: { reps, scale, seed, maxMs, memOrders, baseMemOrders, engine, workloads },
  rows,
  raw,
  table,
});
process.stderr.write(`results: ${file}\n`);
