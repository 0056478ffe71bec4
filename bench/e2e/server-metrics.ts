/**
 * The daemon's own view of a step, from its Prometheus /metrics: the
 * `perpd_ack_latency_micros` histogram (WebSocket message received → ACK sent,
 * measured inside the gateway) sampled before and after the step. Its buckets are
 * coarse (10, 25, 50, 100, 250, 500 µs …), so percentiles are given as "≤ bucket
 * bound". Comparing it with the generator's figure splits the latency into the
 * server's part and the rest (network stack, scheduling on the shared cores, the
 * generator's own wake-ups).
 */

export interface PromHistogram {
  /** Upper bounds (Infinity last) and cumulative counts. */
  bounds: number[];
  cumulative: number[];
}

export function parseHistogram(text: string, name: string): PromHistogram | undefined {
  const bounds: number[] = [];
  const cumulative: number[] = [];
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}\\s+(\\S+)`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    bounds.push(m[1] === '+Inf' ? Infinity : Number(m[1]));
    cumulative.push(Number(m[2]));
  }
  return bounds.length ? { bounds, cumulative } : undefined;
}

export interface ServerAckSummary {
  count: number;
  /** Bucket upper bound (µs) holding the percentile; null when the percentile is past the last finite bound. */
  p50LeUs: number | null;
  p99LeUs: number | null;
  p999LeUs: number | null;
}

/** Percentile bounds of (after − before). */
export function histogramDelta(before: PromHistogram | undefined, after: PromHistogram | undefined): ServerAckSummary | undefined {
  if (!after) return undefined;
  const cum = after.cumulative.map((c, i) => c - (before?.cumulative[i] ?? 0));
  const total = cum[cum.length - 1] ?? 0;
  const at = (p: number): number | null => {
    if (total === 0) return null;
    const rank = Math.ceil((p / 100) * total);
    const i = cum.findIndex((c) => c >= rank);
    const b = after.bounds[i];
    return b === undefined || !Number.isFinite(b) ? null : b;
  };
  return { count: total, p50LeUs: at(50), p99LeUs: at(99), p999LeUs: at(99.9) };
}

export async function scrapeAckHistogram(port: number): Promise<PromHistogram | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return parseHistogram(await res.text(), 'perpd_ack_latency_micros');
  } catch {
    return undefined;
  }
}
