import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { BookAdapter } from './adapters/adapter.js';
import { summariseLatencies, type LatencySummary } from './lib/stats.js';

/**
 * The measuring loops of the book benchmark. Clock: performance.now(), a double in
 * ms with sub-µs resolution (same cost as process.hrtime.bigint() here, ~55 ns per
 * read, and plain double arithmetic). Each read boxes a small heap object, so the
 * per-op latency pass triggers a young-generation GC about every 20k ops: that
 * lands in `max`, not in p99.9. The throughput loop reads the clock once per 1,024
 * ops; the allocation check never reads it.
 */

const CHUNK = 1024; // ops between two clock checks of the time cap

/** Full GC when the process runs with --expose-gc (between repetitions, never inside timing). */
export function collect(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/**
 * Applies ops [from, to), stopping early once `deadline` (performance.now() ms) has
 * passed; returns the index reached. The same function runs setup, warm-up and the
 * timed part, so the timed part enters code that is already optimised (no on-stack
 * replacement inside the measurement). The clock is read once per 1,024 ops.
 */
export function runOps(a: BookAdapter, from: number, to: number, deadline: number): number {
  let i = from;
  while (i < to) {
    const end = Math.min(to, i + CHUNK);
    for (; i < end; i++) a.step(i);
    if (performance.now() > deadline) break;
  }
  return i;
}

/** Applies ops [from, to) untimed (setup and warm-up). */
export function applyRange(a: BookAdapter, from: number, to: number): void {
  runOps(a, from, to, Infinity);
}

export interface ThroughputRep {
  ops: number;
  ms: number;
  opsPerSec: number;
}

/**
 * One throughput repetition: fresh book, setup + warm-up untimed, full GC, then ops
 * [from, to) timed as a whole. `maxMs` caps a slow engine: it stops early and the
 * ops it actually ran are reported.
 */
export function throughputRep(a: BookAdapter, from: number, to: number, maxMs: number): ThroughputRep {
  a.reset();
  applyRange(a, 0, from);
  collect();
  const t0 = performance.now();
  const end = runOps(a, from, to, t0 + maxMs);
  const ms = performance.now() - t0;
  const ops = end - from;
  return { ops, ms, opsPerSec: (ops * 1000) / ms };
}

function timeEach(a: BookAdapter, from: number, to: number, ns: Float64Array, deadline: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const t0 = performance.now();
    a.step(i);
    const t1 = performance.now();
    ns[n++] = (t1 - t0) * 1e6;
    if ((n & (CHUNK - 1)) === 0 && t1 > deadline) break;
  }
  return n;
}

/**
 * Latency pass: fresh book, setup untimed, warm-up [warmFrom, from) run through the
 * same per-op timing loop (figures discarded, so that loop is optimised too), full
 * GC, then every op in [from, to) timed on its own: clock read before and after
 * `step`. Each figure includes one clock read (timerOverheadNs). It is the service
 * time of a closed loop, not an open-loop response time.
 */
export function latencyPass(a: BookAdapter, warmFrom: number, from: number, to: number, maxMs: number): LatencySummary {
  a.reset();
  applyRange(a, 0, warmFrom);
  const ns = new Float64Array(Math.max(to - from, from - warmFrom));
  timeEach(a, warmFrom, from, ns, Infinity);
  collect();
  const n = timeEach(a, from, to, ns, performance.now() + maxMs);
  return summariseLatencies(ns.subarray(0, n));
}

/** Median cost of two back-to-back clock reads, in ns: what the latency figures carry on top of the op. */
export function timerOverheadNs(samples = 200_000): number {
  const d = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const t1 = performance.now();
    d[i] = (t1 - t0) * 1e6;
  }
  return summariseLatencies(d).p50Ns;
}

/** Ops [from, to) with no clock reads at all (a double from the clock may be boxed: 16 bytes). */
function applyPlain(a: BookAdapter, from: number, to: number): void {
  for (let i = from; i < to; i++) a.step(i);
}

export interface AllocationCheck {
  ops: number;
  heapGrowthBytes: number;
  heapGrowthBytesPerOp: number;
  gcCount: number;
  /** Non-zero growth per V8 heap space (new_space = young objects, code_space = JIT code…). */
  growthBySpace: Record<string, number>;
}

function spaceUsage(): Map<string, number> {
  return new Map(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
}

/**
 * "No allocation in the matching loop in steady state": after setup + warm-up, full
 * GC, then run [from, to) untimed and compare V8's used heap and count GC events
 * (PerformanceObserver 'gc' entries). Both near zero = nothing allocated per op; any
 * growth or GC means something on the path (engine, sink or adapter) allocates.
 */
export async function allocationCheck(a: BookAdapter, from: number, to: number): Promise<AllocationCheck> {
  a.reset();
  applyPlain(a, 0, from);
  let gcCount = 0;
  const obs = new PerformanceObserver((list) => {
    gcCount += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  collect();
  await new Promise((r) => setTimeout(r, 50)); // deliver the entries of collect() before counting
  gcCount = 0;
  const s0 = spaceUsage();
  const h0 = v8.getHeapStatistics().used_heap_size;
  applyPlain(a, from, to);
  const h1 = v8.getHeapStatistics().used_heap_size;
  const s1 = spaceUsage();
  await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
  obs.disconnect();
  const ops = to - from;
  const growthBySpace: Record<string, number> = {};
  for (const [name, used] of s1) if (used !== s0.get(name)) growthBySpace[name] = used - (s0.get(name) ?? 0);
  return { ops, heapGrowthBytes: h1 - h0, heapGrowthBytesPerOp: Math.round(((h1 - h0) / ops) * 1000) / 1000, gcCount, growthBySpace };
}

export interface MemoryFigure {
  orders: number;
  resting: number;
  heapUsedDelta: number;
  externalDelta: number;
  bytesPerRestingOrder: number;
  ms: number;
}

/**
 * Bytes per resting order: full GC, read process.memoryUsage(), build a fresh book
 * and apply the `n` resting-only places of `stream`, full GC, read again. Counted:
 * heapUsed (JS objects) + external (which includes arrayBuffers: typed-array
 * backing stores live there). Requires --expose-gc.
 */
export function restingMemory(a: BookAdapter, n: number): MemoryFigure {
  collect();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  a.reset();
  applyRange(a, 0, n);
  const ms = performance.now() - t0;
  collect();
  const m1 = process.memoryUsage();
  const resting = a.counters().resting;
  const heapUsedDelta = m1.heapUsed - m0.heapUsed;
  const externalDelta = m1.external - m0.external;
  return { orders: n, resting, heapUsedDelta, externalDelta, bytesPerRestingOrder: Math.round(((heapUsedDelta + externalDelta) / n) * 10) / 10, ms };
}
