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
import { EventEncoder, decodeEvents, type EventStreamHandler } from '../engine/ring/event-codec.js';

export type PublishHandler = EventStreamHandler & { onDrainEnd?(): void };

interface HeldBatch {
  enc: EventEncoder;
  seq: number;
  eventCursor: number;
}

export class DurablePublisher implements PublishHandler {
  readonly #inner: PublishHandler;
  readonly #position: () => { seq: number; eventCursor: number };
  readonly #held: HeldBatch[] = [];
  readonly #pool: EventEncoder[] = [];
  #current: EventEncoder;
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
    this.#current = new EventEncoder(1024);
  }

  /** Batches waiting for the journal. */
  get heldBatches(): number {
    return this.#held.length;
  }

  /** The journal's acknowledged watermark moved (JournalWriter onDurable): publish what it covers. */
  release(ackedSeq: number, ackedEventCursor: number): void {
    this.#ackedSeq = ackedSeq;
    this.#ackedCursor = ackedEventCursor;
    let n = 0;
    while (n < this.#held.length) {
      const b = this.#held[n];
      if (b.seq > ackedSeq || b.eventCursor > ackedEventCursor) break;
      decodeEvents(b.enc.buffer, b.enc.count, this.#inner);
      this.released += b.enc.count;
      b.enc.clear();
      if (this.#pool.length < 16) this.#pool.push(b.enc);
      n++;
    }
    if (n > 0) {
      this.#held.splice(0, n);
      this.#inner.onDrainEnd?.();
    }
  }

  onDrainEnd(): void {
    const enc = this.#current;
    if (enc.count === 0) return;
    const { seq, eventCursor } = this.#position();
    this.#held.push({ enc, seq, eventCursor });
    if (this.#held.length > this.maxHeldBatches) this.maxHeldBatches = this.#held.length;
    this.#current = this.#pool.pop() ?? new EventEncoder(1024);
    // Already covered (e.g. nothing new was appended since the last acknowledgement).
    if (seq <= this.#ackedSeq && eventCursor <= this.#ackedCursor) this.release(this.#ackedSeq, this.#ackedCursor);
  }

  setContext(marketId: number, causeSeq: number): void {
    // One scope per event: the worker already coalesced LEVEL events per command.
    this.#current.begin(marketId, causeSeq);
  }
  onDone(code: number): void {
    this.#current.end(code);
  }
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.#current.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.#current.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
  }
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.#current.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.#current.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.#current.onRest(orderId, accountId, side, priceTicks, remainingLots);
  }
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.#current.onModify(o, a, s, p, oldR, newR, pre, f, rq);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.#current.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.#current.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.#current.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    this.#current.onMark(markPriceTicks);
  }
}
