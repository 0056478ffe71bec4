/**
 * Holds the output side back until the journal has made it safe (docs/durability.md,
 * "Ack rule"): every event the runtime drains is recorded here instead of going to
 * the real publisher (report router, market data); at the end of each drain batch
 * the batch is stamped with the journal position it depends on (the last seq
 * sequenced and the last event cursor appended so far), and it is replayed onto the
 * real publisher once the journal's acknowledged watermark covers that position.
 *
 * So no execution report, fill, acknowledgement or book update leaves the process
 * before the command that caused it, and every journaled event settled before it,
 * is durable (sync mode) or committed (async mode). Batches are released in order.
 * Cost: each event is encoded once more (14 doubles) and decoded at release.
 */
import { EVENT_RECORD_LENGTH, EventEncoder, decodeEvents, type EventStreamHandler } from '../engine/ring/event-codec.js';

export type PublishHandler = EventStreamHandler & { onDrainEnd?(): void };

/**
 * Held events are compacted to the front of the buffer once this many released
 * records sit before the first held one (a release normally empties the buffer; this
 * only bounds the case where releases never catch up completely).
 */
const COMPACT_AFTER_RECORDS = 65_536;

export class DurablePublisher implements PublishHandler {
  readonly #inner: PublishHandler;
  readonly #position: () => { seq: number; eventCursor: number };
  /**
   * Every held event, in drain order, in ONE growable buffer: the runtime may drain
   * thousands of times per second in small batches (it drains from the submit path
   * under load), so a batch must cost a boundary, not a buffer.
   */
  readonly #events = new EventEncoder(4096);
  /** First held (not yet released) record in #events. */
  #readAt = 0;
  /** Batch boundaries, 3 numbers each: end record (exclusive), seq and event cursor the batch depends on. */
  #bounds: number[] = [];
  #boundsHead = 0;
  #releasing = false;
  #ackedSeq = 0;
  #ackedCursor = 0;
  /** Events published (released) so far, and the largest number of batches held at once. */
  released = 0;
  maxHeldBatches = 0;

  /** `position()`: where the journal's appends are now (JournalWriter lastSeq / lastEventCursor). */
  constructor(inner: PublishHandler, position: () => { seq: number; eventCursor: number }, acked: { seq: number; eventCursor: number }) {
    this.#inner = inner;
    this.#position = position;
    this.#ackedSeq = acked.seq;
    this.#ackedCursor = acked.eventCursor;
  }

  /** Batches waiting for the journal. */
  get heldBatches(): number {
    return (this.#bounds.length - this.#boundsHead) / 3;
  }

  /** The journal's acknowledged watermark moved (JournalWriter onDurable): publish what it covers. */
  release(ackedSeq: number, ackedEventCursor: number): void {
    this.#ackedSeq = ackedSeq;
    this.#ackedCursor = ackedEventCursor;
    if (this.#releasing) return; // a handler drained events meanwhile: the outer loop below sees them
    this.#releasing = true;
    try {
      this.#releaseCovered();
    } finally {
      this.#releasing = false;
    }
  }

  #releaseCovered(): void {
    const bounds = this.#bounds;
    const ev = this.#events;
    let released = false;
    while (this.#boundsHead < bounds.length) {
      const h = this.#boundsHead;
      if (bounds[h + 1] > this.#ackedSeq || bounds[h + 2] > this.#ackedCursor) break;
      const end = bounds[h];
      this.#boundsHead = h + 3;
      const from = this.#readAt;
      this.#readAt = end;
      decodeEvents(ev.buffer.subarray(from * EVENT_RECORD_LENGTH), end - from, this.#inner);
      this.released += end - from;
      released = true;
    }
    if (this.#boundsHead === bounds.length) {
      this.#bounds.length = 0;
      this.#boundsHead = 0;
      if (this.#readAt === ev.count) {
        ev.clear();
        this.#readAt = 0;
      }
    }
    if (this.#readAt >= COMPACT_AFTER_RECORDS) this.#compact();
    if (released) this.#inner.onDrainEnd?.();
  }

  /** Moves the held records to the front of the buffer. */
  #compact(): void {
    const ev = this.#events;
    const shift = this.#readAt;
    ev.buffer.copyWithin(0, shift * EVENT_RECORD_LENGTH, ev.count * EVENT_RECORD_LENGTH);
    ev.count -= shift;
    this.#readAt = 0;
    const rest = this.#bounds.slice(this.#boundsHead);
    for (let i = 0; i < rest.length; i += 3) rest[i] -= shift;
    this.#bounds = rest;
    this.#boundsHead = 0;
  }

  onDrainEnd(): void {
    const end = this.#events.count;
    const bounds = this.#bounds;
    const lastEnd = bounds.length > this.#boundsHead ? bounds[bounds.length - 3] : this.#readAt;
    if (end === lastEnd) return;
    const { seq, eventCursor } = this.#position();
    bounds.push(end, seq, eventCursor);
    if (this.heldBatches > this.maxHeldBatches) this.maxHeldBatches = this.heldBatches;
    // Already covered (e.g. nothing new was appended since the last acknowledgement).
    if (seq <= this.#ackedSeq && eventCursor <= this.#ackedCursor) this.release(this.#ackedSeq, this.#ackedCursor);
  }

  setContext(marketId: number, causeSeq: number): void {
    // One scope per event: the worker already coalesced LEVEL events per command.
    this.#events.begin(marketId, causeSeq);
  }
  onDone(code: number): void {
    this.#events.end(code);
  }
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.#events.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.#events.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
  }
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.#events.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.#events.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.#events.onRest(orderId, accountId, side, priceTicks, remainingLots);
  }
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.#events.onModify(o, a, s, p, oldR, newR, pre, f, rq);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.#events.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.#events.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.#events.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    this.#events.onMark(markPriceTicks);
  }
}
