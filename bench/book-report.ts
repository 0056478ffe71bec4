import { human } from './lib/stats.js';

/** One JSON line per workload (stdout), as documented in bench/README.md. */
export interface BookRow {
  bench: 'book';
  workload: string;
  engine: string;
  baselineEngine: string | null;
  opsPerSec: number | null;
  baselineOpsPerSec: number | null;
  /** perpd / baseline: throughput (higher is better) or, for memory-1M, bytes (lower is better). */
  ratio: number | null;
  p50Ns: number | null;
  p99Ns: number | null;
  p999Ns: number | null;
  maxNs: number | null;
  baselineP50Ns: number | null;
  baselineP99Ns: number | null;
  baselineP999Ns: number | null;
  bytesPerRestingOrder: number | null;
  baselineBytesPerRestingOrder: number | null;
  heapGrowthBytesPerOp: number | null;
  gcCount: number | null;
  ops: number | null;
  baselineOps: number | null;
  reps: number | null;
  timerOverheadNs: number | null;
  rejects: number | null;
  fillsPerOp: number | null;
}

export function emptyRow(workload: string, engine: string): BookRow {
  return {
    bench: 'book',
    workload,
    engine,
    baselineEngine: null,
    opsPerSec: null,
    baselineOpsPerSec: null,
    ratio: null,
    p50Ns: null,
    p99Ns: null,
    p999Ns: null,
    maxNs: null,
    baselineP50Ns: null,
    baselineP99Ns: null,
    baselineP999Ns: null,
    bytesPerRestingOrder: null,
    baselineBytesPerRestingOrder: null,
    heapGrowthBytesPerOp: null,
    gcCount: null,
    ops: null,
    baselineOps: null,
    reps: null,
    timerOverheadNs: null,
    rejects: null,
    fillsPerOp: null,
  };
}

const f = (v: number | null, unit = ''): string => (v === null ? '-' : `${human(v)}${unit}`);
const ns = (v: number | null): string => (v === null ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(0)}µs` : `${v.toFixed(0)}`);

/** The human table (markdown, so it can be pasted into bench/README.md). */
export function bookTable(rows: readonly BookRow[]): string {
  const head = '| workload | perpd ops/s | p50 / p99 / p99.9 ns | baseline ops/s (ops run) | baseline p50 / p99 / p99.9 ns | ratio | heap B/op (GCs) |';
  const lines = [head, '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    if (r.workload.startsWith('memory')) {
      lines.push(
        `| ${r.workload} | ${f(r.bytesPerRestingOrder)} B/order | | ${f(r.baselineBytesPerRestingOrder)} B/order (${f(r.baselineOps)} orders) | | ${r.ratio ?? '-'} | |`,
      );
      continue;
    }
    const alloc = r.heapGrowthBytesPerOp === null ? '-' : `${r.heapGrowthBytesPerOp} (${r.gcCount})`;
    lines.push(
      `| ${r.workload} | ${f(r.opsPerSec)} | ${ns(r.p50Ns)} / ${ns(r.p99Ns)} / ${ns(r.p999Ns)} | ${f(r.baselineOpsPerSec)} (${f(r.baselineOps)}) | ${ns(r.baselineP50Ns)} / ${ns(r.baselineP99Ns)} / ${ns(r.baselineP999Ns)} | ${r.ratio === null ? '-' : `${r.ratio}×`} | ${alloc} |`,
    );
  }
  return lines.join('\n');
}
