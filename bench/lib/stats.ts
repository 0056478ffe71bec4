/** Small statistics helpers for benchmark figures (no dependencies, no allocation in loops). */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in [0, 100]) of an already sorted array. */
export function percentileSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface LatencySummary {
  samples: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  meanNs: number;
}

/** Sorts `ns` in place and summarises it. */
export function summariseLatencies(ns: Float64Array): LatencySummary {
  ns.sort();
  let sum = 0;
  for (let i = 0; i < ns.length; i++) sum += ns[i];
  return {
    samples: ns.length,
    p50Ns: round1(percentileSorted(ns, 50)),
    p99Ns: round1(percentileSorted(ns, 99)),
    p999Ns: round1(percentileSorted(ns, 99.9)),
    maxNs: round1(ns.length ? ns[ns.length - 1] : NaN),
    meanNs: round1(ns.length ? sum / ns.length : NaN),
  };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Human number: 1234567 → "1.23 M". */
export function human(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return a >= 100 ? v.toFixed(0) : v.toFixed(1);
}
