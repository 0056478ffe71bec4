/**
 * What one generator process measures during one step: latency histograms (ns) and
 * counters, serialisable so the orchestrator can merge the processes' results.
 *
 *  ack      scheduled send time → first answer carrying the op's requestId
 *           (ACCEPTED / REJECTED / CANCELLED / MODIFIED / ERROR), every measured op;
 *  ackKind  the same per op kind (place, cancel, ioc, modify);
 *  fill     scheduled send time of an IOC → its first taker FILL (IOCs that traded);
 *  sendLag  scheduled → actual send time: the generator's own lateness, included in
 *           the figures above (it is how coordinated omission is avoided).
 */
import { Histogram, type SerializedHistogram } from '../lib/histogram.js';
import type { RowSchedule } from './row-schedule.js';
import { OP_KIND_NAMES } from './workload.js';

export interface StepCounters {
  /** Ops scheduled in the measured window (after the warm-up). */
  measuredOps: number;
  /** Ops written to sockets (warm-up included). */
  sent: number;
  measuredSent: number;
  measuredAcked: number;
  /** Measured ops answered with a load-shedding reject (OVERLOADED, RATE_LIMITED) or an ERROR frame: answered, not served. */
  shed: number;
  /** Measured ops without an answer when the drain ended (recorded at the drain end). */
  unanswered: number;
  /** Measured ops never sent (socket backpressure until the end). */
  unsent: number;
  /** CANCEL / MODIFY sent as CANCEL_BY_CLOID because the target's order id was not known yet. */
  fallbacks: number;
  /** IOCs whose first taker fill was seen (measured). */
  iocFilled: number;
  /** Measured IOCs answered (filled or not). */
  iocAcked: number;
  /** Answers for requestIds of an earlier step. */
  late: number;
  /** Server messages and bytes received during the step (all kinds). */
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
  /** Ticks where a connection's socket buffer was full and sending waited. */
  backpressureWaits: number;
  disconnects: number;
  /** performance.now() values of this process (ms), relative to the step start. */
  firstMeasuredSendMs: number;
  lastMeasuredSendMs: number;
  lastMeasuredAckMs: number;
}

export interface SerializedStep {
  counters: StepCounters;
  rejects: Record<string, number>;
  errors: Record<string, number>;
  ack: SerializedHistogram;
  ackKind: Record<string, SerializedHistogram>;
  fill: SerializedHistogram;
  sendLag: SerializedHistogram;
}

export function emptyCounters(): StepCounters {
  return {
    measuredOps: 0,
    sent: 0,
    measuredSent: 0,
    measuredAcked: 0,
    shed: 0,
    unanswered: 0,
    unsent: 0,
    fallbacks: 0,
    iocFilled: 0,
    iocAcked: 0,
    late: 0,
    messagesIn: 0,
    bytesIn: 0,
    bytesOut: 0,
    backpressureWaits: 0,
    disconnects: 0,
    firstMeasuredSendMs: Infinity,
    lastMeasuredSendMs: 0,
    lastMeasuredAckMs: 0,
  };
}

export class StepRecorder {
  readonly ack = new Histogram();
  readonly ackKind = OP_KIND_NAMES.map(() => new Histogram());
  readonly fill = new Histogram();
  readonly sendLag = new Histogram();
  readonly c = emptyCounters();
  /** Keyed by engine code (binary protocol) or by a short reason (JSON API error sentences). */
  readonly rejects = new Map<number | string, number>();
  readonly errors = new Map<number | string, number>();

  /**
   * Rows [first, end) of a connection went out at `nowUs` (since the step start):
   * counts them and records how late each measured one was against its schedule.
   */
  noteSent(s: RowSchedule, first: number, end: number, nowUs: number): void {
    const c = this.c;
    c.sent += end - first;
    const nowMs = nowUs / 1000;
    for (let row = Math.max(first, s.firstMeasured); row < end; row++) {
      this.sendLag.record((nowUs - s.schedUs(row)) * 1000);
      c.measuredSent++;
      if (nowMs < c.firstMeasuredSendMs) c.firstMeasuredSendMs = nowMs;
      c.lastMeasuredSendMs = nowMs;
    }
  }

  /**
   * The step ended at `endMs`: every measured row not acknowledged (`acked[row]` 0)
   * counts as unsent (row ≥ `next`) or unanswered, with latency endMs − scheduled.
   */
  noteUnanswered(s: RowSchedule, acked: Uint8Array, kinds: ArrayLike<number>, next: number, endMs: number): void {
    for (let row = s.firstMeasured; row < s.count; row++) {
      if (acked[row] !== 0) continue;
      acked[row] = 1;
      if (row >= next) this.c.unsent++;
      else this.c.unanswered++;
      const ns = s.latencyNs(row, endMs);
      this.ack.record(ns);
      this.ackKind[kinds[row]].record(ns);
    }
  }

  reject(code: number | string): void {
    this.rejects.set(code, (this.rejects.get(code) ?? 0) + 1);
  }

  error(code: number | string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  serialize(): SerializedStep {
    const byCode = (m: Map<number | string, number>): Record<string, number> =>
      Object.fromEntries([...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, v]) => [String(k), v]));
    return {
      counters: { ...this.c, firstMeasuredSendMs: Number.isFinite(this.c.firstMeasuredSendMs) ? this.c.firstMeasuredSendMs : 0 },
      rejects: byCode(this.rejects),
      errors: byCode(this.errors),
      ack: this.ack.serialize(),
      ackKind: Object.fromEntries(OP_KIND_NAMES.map((n, i) => [n, this.ackKind[i].serialize()])),
      fill: this.fill.serialize(),
      sendLag: this.sendLag.serialize(),
    };
  }
}
