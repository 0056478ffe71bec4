/**
 * Market events in the journal's 14-slot layout (engine/ring/event-codec.ts:
 * [0] type [1] marketId [2] causeSeq [3..13] the sink call's arguments), restricted
 * to the journaled types (records.ts `isJournaledEventType`).
 *
 *  - EventQueue: a FIFO of such records (one per market in ExchangeState).
 *  - MarketEventCapture: a MarketEventSink that appends one market's journaled
 *    events to its queue, tagged with the market id and the current cause seq.
 *  - JournalEventTap: an EventStreamHandler (the runtime's drain) that appends the
 *    journaled events it sees to a JournalWriter.
 *  - settleEventRecord: replays one record onto a MarketEventSink (the ledger's R2).
 *
 * The argument order of every type is EventEncoder's, so a captured record and the
 * record the worker put in its ring are slot-for-slot equal (tested).
 */
import type { MarketEventSink } from '../engine/events.js';
import { EVENT_RECORD_LENGTH, EventType, type EventStreamHandler } from '../engine/ring/event-codec.js';
import type { JournalWriter } from './journal-writer.js';

const L = EVENT_RECORD_LENGTH;

export class EventQueue {
  buffer = new Float64Array(64 * L);
  /** Record index of the oldest queued record. */
  head = 0;
  /** Record index one past the newest. */
  tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
  }

  /** Slot offset of the head record (size must be > 0). */
  headOffset(): number {
    return this.head * L;
  }

  shift(): void {
    this.head++;
    if (this.head === this.tail) this.clear();
  }

  push(type: number, marketId: number, causeSeq: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number): void {
    if ((this.tail + 1) * L > this.buffer.length) this.#makeRoom();
    const b = this.buffer;
    const o = this.tail * L;
    b[o] = type;
    b[o + 1] = marketId;
    b[o + 2] = causeSeq;
    b[o + 3] = a0;
    b[o + 4] = a1;
    b[o + 5] = a2;
    b[o + 6] = a3;
    b[o + 7] = a4;
    b[o + 8] = a5;
    b[o + 9] = a6;
    b[o + 10] = a7;
    b[o + 11] = a8;
    b[o + 12] = a9;
    b[o + 13] = a10;
    this.tail++;
  }

  #makeRoom(): void {
    const n = this.size;
    if (this.head > 0 && n * 2 <= this.buffer.length / L) {
      this.buffer.copyWithin(0, this.head * L, this.tail * L);
    } else {
      const b = new Float64Array(this.buffer.length * 2);
      b.set(this.buffer.subarray(this.head * L, this.tail * L));
      this.buffer = b;
    }
    this.head = 0;
    this.tail = n;
  }
}

/** Where captures read the seq of the command being processed. */
export interface CauseContext {
  causeSeq: number;
}

/** One market's sink: journaled event types go to `queue`, the rest are dropped. */
export class MarketEventCapture implements MarketEventSink {
  constructor(
    readonly marketId: number,
    readonly queue: EventQueue,
    private readonly ctx: CauseContext,
  ) {}

  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.queue.push(EventType.REJECT, this.marketId, this.ctx.causeSeq, seq, orderId, accountId, code, side, preheldLots, 0, 0, 0, 0, 0);
  }
  onAccept(): void {}
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.queue.push(EventType.FILL, this.marketId, this.ctx.causeSeq, mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.queue.push(EventType.CANCEL, this.marketId, this.ctx.causeSeq, orderId, accountId, side, remainingLots, reason, flags, 0, 0, 0, 0, 0);
  }
  onRest(): void {}
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.queue.push(EventType.MODIFY, this.marketId, this.ctx.causeSeq, o, a, s, p, oldR, newR, pre, f, rq ? 1 : 0, 0, 0);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.queue.push(EventType.REDUCE, this.marketId, this.ctx.causeSeq, orderId, accountId, side, oldRemainingLots, newRemainingLots, flags, 0, 0, 0, 0, 0);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.queue.push(EventType.TRIGGER, this.marketId, this.ctx.causeSeq, orderId, accountId, markPriceTicks, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  onLevel(): void {}
  onMark(): void {}
}

/**
 * The runtime's tap: sits in the drain after settlement (R2) and appends every
 * journaled event, in the order the gateway applied them, to the journal.
 */
export class JournalEventTap implements EventStreamHandler {
  #marketId = 0;
  #causeSeq = 0;
  constructor(private readonly writer: JournalWriter) {}

  setContext(marketId: number, causeSeq: number): void {
    this.#marketId = marketId;
    this.#causeSeq = causeSeq;
  }
  onDone(): void {}
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.writer.appendMarketEvent(EventType.REJECT, this.#marketId, this.#causeSeq, seq, orderId, accountId, code, side, preheldLots, 0, 0, 0, 0, 0);
  }
  onAccept(): void {}
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.writer.appendMarketEvent(EventType.FILL, this.#marketId, this.#causeSeq, mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.writer.appendMarketEvent(EventType.CANCEL, this.#marketId, this.#causeSeq, orderId, accountId, side, remainingLots, reason, flags, 0, 0, 0, 0, 0);
  }
  onRest(): void {}
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.writer.appendMarketEvent(EventType.MODIFY, this.#marketId, this.#causeSeq, o, a, s, p, oldR, newR, pre, f, rq ? 1 : 0, 0, 0);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.writer.appendMarketEvent(EventType.REDUCE, this.#marketId, this.#causeSeq, orderId, accountId, side, oldRemainingLots, newRemainingLots, flags, 0, 0, 0, 0, 0);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.writer.appendMarketEvent(EventType.TRIGGER, this.#marketId, this.#causeSeq, orderId, accountId, markPriceTicks, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  onLevel(): void {}
  onMark(): void {}
}

/** Replays one 14-slot record at slot offset `o` onto a sink (types the ledger ignores included). */
export function settleEventRecord(sink: MarketEventSink, r: Float64Array, o: number): void {
  const a = o + 3;
  switch (r[o]) {
    case EventType.REJECT:
      sink.onReject(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5]);
      return;
    case EventType.FILL:
      sink.onFill(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5], r[a + 6], r[a + 7], r[a + 8], r[a + 9], r[a + 10]);
      return;
    case EventType.CANCEL:
      sink.onCancel(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5]);
      return;
    case EventType.MODIFY:
      sink.onModify(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5], r[a + 6], r[a + 7], r[a + 8] !== 0);
      return;
    case EventType.REDUCE:
      sink.onReduce(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5]);
      return;
    case EventType.TRIGGER:
      sink.onTrigger(r[a], r[a + 1], r[a + 2]);
      return;
    case EventType.ACCEPT:
      sink.onAccept(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4], r[a + 5], r[a + 6] !== 0);
      return;
    case EventType.REST:
      sink.onRest(r[a], r[a + 1], r[a + 2], r[a + 3], r[a + 4]);
      return;
    case EventType.LEVEL:
      sink.onLevel(r[a], r[a + 1], r[a + 2], r[a + 3]);
      return;
    case EventType.MARK:
      sink.onMark(r[a]);
      return;
    default:
      throw new Error(`event record of unknown type ${r[o]}`);
  }
}
