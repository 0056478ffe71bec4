/**
 * The daemon's own view of a step, from its Prometheus /metrics: the
 * `perpd_ack_latency_micros` histogram (WebSocket message received → ACK sent,
 * measured inside the gateway) sampled before and after the step. Its buckets are
 * coarse (10, 25, 50, 100, 250, 500 µs …), so percentiles are given as "≤ bucket
 * bound". Comparing it with the generator's figure splits the latency into the
 * server's part and the rest (network stack, scheduling on the shared cores, the
 * generator's own wake-ups). The journal's commit histogram
 * (`perpd_journal_commit_micros`) comes from the same scrape: with a sync journal
 * no ack can leave before its group's commit, so its p50 is the latency floor.
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

function parseCounter(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** What one scrape of the daemon's /metrics gives the e2e step. */
export interface ServerScrape {
  ack?: PromHistogram;
  /** perpd_journal_commit_micros: start of a group's LMDB write → its acknowledgement. */
  journalCommit?: PromHistogram;
  journalCommits?: number;
  journalRecords?: number;
}

export async function scrapeServer(port: number): Promise<ServerScrape> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return {
      ack: parseHistogram(text, 'perpd_ack_latency_micros'),
      journalCommit: parseHistogram(text, 'perpd_journal_commit_micros'),
      journalCommits: parseCounter(text, 'perpd_journal_commits_total'),
      journalRecords: parseCounter(text, 'perpd_journal_records_total'),
    };
  } catch {
    return {};
  }
}

/** The journal during a step: commits, records per commit, and commit-time percentile bounds (the sync journal's latency floor). */
export interface JournalStepSummary {
  commits: number;
  recordsPerCommit: number;
  commitP50LeUs: number | null;
  commitP99LeUs: number | null;
}

export function journalDelta(before: ServerScrape, after: ServerScrape): JournalStepSummary | undefined {
  const h = histogramDelta(before.journalCommit, after.journalCommit);
  if (!h || after.journalCommits === undefined) return undefined;
  const commits = after.journalCommits - (before.journalCommits ?? 0);
  const records = (after.journalRecords ?? 0) - (before.journalRecords ?? 0);
  return { commits, recordsPerCommit: commits ? Math.round(records / commits) : 0, commitP50LeUs: h.p50LeUs, commitP99LeUs: h.p99LeUs };
}
