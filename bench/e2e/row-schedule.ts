/**
 * The open-loop schedule of one connection's rows in a step (the rule of
 * e2e/load-connection.ts, shared with e2e/json-connection.ts): a generator process
 * sends its ops at a fixed interval I; op k goes at k × I after the step start on
 * connection k mod C, so row j of connection c is due at (j × C + c) × I, whatever
 * happened to earlier ops. Rows due before the warm-up ends are sent but not measured.
 */
export class RowSchedule {
  count = 0;
  t0Ms = 0;
  intervalUs = 1;
  stride = 1;
  phase = 0;
  /** First measured row. */
  firstMeasured = 0;

  begin(count: number, t0Ms: number, intervalUs: number, stride: number, phase: number, warmupUs: number): void {
    this.count = count;
    this.t0Ms = t0Ms;
    this.intervalUs = intervalUs;
    this.stride = stride;
    this.phase = phase;
    this.firstMeasured = Math.min(count, Math.max(0, Math.ceil((warmupUs / intervalUs - phase) / stride)));
  }

  /** When row is due, µs after the step start. */
  schedUs(row: number): number {
    return (row * this.stride + this.phase) * this.intervalUs;
  }

  /** Rows due by `nowUs` (since the step start): [0, dueEnd). */
  dueEnd(nowUs: number): number {
    const slots = nowUs / this.intervalUs - this.phase;
    if (slots < 0) return 0;
    return Math.min(this.count, Math.floor(slots / this.stride) + 1);
  }

  /** Latency of `row` answered at `atMs` (performance.now()), ns from its scheduled time. */
  latencyNs(row: number, atMs: number): number {
    return (atMs - this.t0Ms) * 1e6 - this.schedUs(row) * 1000;
  }
}
