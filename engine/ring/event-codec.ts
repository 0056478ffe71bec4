import type { MarketEventSink } from '../events.js';

/**
 * Fixed layout of market events as 14 Float64 slots (112 bytes):
 *   [0] type  [1] marketId  [2] causeSeq (seq of the command being processed)
 *   [3..13] the sink call's arguments in declaration order (booleans as 0/1)
 *
 * After the last event of each command the worker writes DONE with the command's
 * result code in slot 3, so the consumer knows a command's output is complete.
 *
 * Level events are coalesced per command: only the last aggregate of each
 * (side, price) touched by the command is kept, at the position of its first
 * change. Market data needs the state after the command, not every step.
 */
export const EVENT_RECORD_LENGTH = 14;

export const EventType = {
  REJECT: 1,
  ACCEPT: 2,
  FILL: 3,
  CANCEL: 4,
  REST: 5,
  MODIFY: 6,
  REDUCE: 7,
  TRIGGER: 8,
  LEVEL: 9,
  MARK: 10,
  DONE: 11,
  /** Durability: the worker took its snapshot copy here (slot 3 = the cut's seq); every earlier event of it precedes. */
  SNAPSHOT_MARK: 12,
} as const;

/** What the consumer of an event stream implements: the sink calls plus context and DONE. */
export interface EventStreamHandler extends MarketEventSink {
  /** Called before each event's sink call with its market and causing command. */
  setContext(marketId: number, causeSeq: number): void;
  onDone(code: number): void;
  /** Durability: a worker's SNAPSHOT_MARK (no setContext precedes it). */
  onSnapshotMark?(cutSeq: number): void;
}

/** A MarketEventSink that encodes into a growable staging buffer. */
export class EventEncoder implements MarketEventSink {
  buffer: Float64Array;
  count = 0;
  #marketId = 0;
  #causeSeq = 0;
  #commandStart = 0;

  constructor(initialRecords = 4096) {
    this.buffer = new Float64Array(initialRecords * EVENT_RECORD_LENGTH);
  }

  /** Starts the events of one command. */
  begin(marketId: number, causeSeq: number): void {
    this.#marketId = marketId;
    this.#causeSeq = causeSeq;
    this.#commandStart = this.count;
  }

  /** Ends the command with its result code. */
  end(code: number): void {
    this.#put(EventType.DONE, code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Durability: marks the stream where this worker copied its markets for the snapshot cut at `cutSeq`. */
  snapshotMark(cutSeq: number): void {
    this.begin(0, 0);
    this.#put(EventType.SNAPSHOT_MARK, cutSeq, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Empties the staging buffer (after it was pushed to a ring). */
  clear(): void {
    this.count = 0;
    this.#commandStart = 0;
  }

  #put(type: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number): void {
    if ((this.count + 1) * EVENT_RECORD_LENGTH > this.buffer.length) {
      const b = new Float64Array(this.buffer.length * 2);
      b.set(this.buffer);
      this.buffer = b;
    }
    const b = this.buffer;
    const o = this.count * EVENT_RECORD_LENGTH;
    b[o] = type;
    b[o + 1] = this.#marketId;
    b[o + 2] = this.#causeSeq;
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
    this.count++;
  }

  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.#put(EventType.REJECT, seq, orderId, accountId, code, side, preheldLots, 0, 0, 0, 0, 0);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.#put(EventType.ACCEPT, orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger ? 1 : 0, 0, 0, 0, 0);
  }
  onFill(
    makerOrderId: number,
    makerAccountId: number,
    takerOrderId: number,
    takerAccountId: number,
    takerSide: number,
    priceTicks: number,
    sizeLots: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
    makerFlags: number,
    takerFlags: number,
  ): void {
    this.#put(
      EventType.FILL,
      makerOrderId,
      makerAccountId,
      takerOrderId,
      takerAccountId,
      takerSide,
      priceTicks,
      sizeLots,
      makerRemainingLots,
      takerRemainingLots,
      makerFlags,
      takerFlags,
    );
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.#put(EventType.CANCEL, orderId, accountId, side, remainingLots, reason, flags, 0, 0, 0, 0, 0);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.#put(EventType.REST, orderId, accountId, side, priceTicks, remainingLots, 0, 0, 0, 0, 0, 0);
  }
  onModify(
    orderId: number,
    accountId: number,
    side: number,
    newPriceTicks: number,
    oldRemainingLots: number,
    newRemainingLots: number,
    preheldLots: number,
    flags: number,
    requeued: boolean,
  ): void {
    this.#put(EventType.MODIFY, orderId, accountId, side, newPriceTicks, oldRemainingLots, newRemainingLots, preheldLots, flags, requeued ? 1 : 0, 0, 0);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.#put(EventType.REDUCE, orderId, accountId, side, oldRemainingLots, newRemainingLots, flags, 0, 0, 0, 0, 0);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.#put(EventType.TRIGGER, orderId, accountId, markPriceTicks, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    // Coalesce: overwrite this command's earlier record for the same level, if any.
    const b = this.buffer;
    for (let i = this.#commandStart; i < this.count; i++) {
      const o = i * EVENT_RECORD_LENGTH;
      if (b[o] === EventType.LEVEL && b[o + 3] === side && b[o + 4] === priceTicks) {
        b[o + 5] = totalLots;
        b[o + 6] = orderCount;
        return;
      }
    }
    this.#put(EventType.LEVEL, side, priceTicks, totalLots, orderCount, 0, 0, 0, 0, 0, 0, 0);
  }
  onMark(markPriceTicks: number): void {
    this.#put(EventType.MARK, markPriceTicks, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}

/** Replays `count` encoded records from `src` onto a handler. */
export function decodeEvents(src: Float64Array, count: number, h: EventStreamHandler): void {
  for (let i = 0; i < count; i++) {
    const o = i * EVENT_RECORD_LENGTH;
    if (src[o] === EventType.SNAPSHOT_MARK) {
      h.onSnapshotMark?.(src[o + 3]);
      continue;
    }
    h.setContext(src[o + 1], src[o + 2]);
    const a = o + 3;
    switch (src[o]) {
      case EventType.REJECT:
        h.onReject(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5]);
        break;
      case EventType.ACCEPT:
        h.onAccept(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5], src[a + 6] !== 0);
        break;
      case EventType.FILL:
        h.onFill(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5], src[a + 6], src[a + 7], src[a + 8], src[a + 9], src[a + 10]);
        break;
      case EventType.CANCEL:
        h.onCancel(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5]);
        break;
      case EventType.REST:
        h.onRest(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4]);
        break;
      case EventType.MODIFY:
        h.onModify(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5], src[a + 6], src[a + 7], src[a + 8] !== 0);
        break;
      case EventType.REDUCE:
        h.onReduce(src[a], src[a + 1], src[a + 2], src[a + 3], src[a + 4], src[a + 5]);
        break;
      case EventType.TRIGGER:
        h.onTrigger(src[a], src[a + 1], src[a + 2]);
        break;
      case EventType.LEVEL:
        h.onLevel(src[a], src[a + 1], src[a + 2], src[a + 3]);
        break;
      case EventType.MARK:
        h.onMark(src[a]);
        break;
      case EventType.DONE:
        h.onDone(src[a]);
        break;
      default:
        throw new Error(`corrupt event record: type ${src[o]} at index ${i}`);
    }
  }
}
