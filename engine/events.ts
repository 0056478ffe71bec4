/**
 * Market engine outputs. A market engine reports everything it does through one
 * sink, as calls with numeric arguments: no event objects are allocated on the
 * matching path. The runtime's sink writes fixed-layout records into a ring; the
 * ledger's settlement (R2) consumes fills and cancels; tests record them.
 *
 * Order of calls for one command is part of the contract (docs/matching.md): the
 * reference book and the fast book must produce identical sequences.
 */
export interface MarketEventSink {
  /**
   * The command was refused; nothing changed. `side`/`sizeLots`/`preheldLots` echo
   * the command so the ledger can release exactly what R1 held.
   */
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void;

  /**
   * A PLACE passed validation. `sizeLots` is the accepted size (a reduce-only order
   * may have been shrunk to the position). `isTrigger` = parked off-book.
   */
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void;

  /**
   * One fill per maker order touched. Price is the maker's. Remaining sizes are after
   * this fill (0 = that order is done). `makerFlags`/`takerFlags` are OrderFlag bits
   * of each order (the ledger needs REDUCE_ONLY to keep its pending counts).
   */
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
  ): void;

  /** An order (resting, trigger, or the unfilled rest of an incoming one) is gone. */
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void;

  /** The incoming order's unfilled rest now rests on the book. */
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void;

  /**
   * MODIFY applied. `requeued` = it lost queue priority (price change or size increase).
   * Followed by fills/rest/cancel events if requeued.
   */
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
  ): void;

  /** A reduce-only order was shrunk to the position (keeps its queue place). */
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void;

  /** A trigger order fired; the events of its execution follow. */
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void;

  /** Aggregate of one price level after a change (market data). totalLots 0 = level gone. */
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void;

  /** Mark price applied (emitted before any trigger fires). */
  onMark(markPriceTicks: number): void;
}

/** A sink that ignores everything (benchmarks of the book alone). */
export class NullSink implements MarketEventSink {
  onReject(): void {}
  onAccept(): void {}
  onFill(): void {}
  onCancel(): void {}
  onRest(): void {}
  onModify(): void {}
  onReduce(): void {}
  onTrigger(): void {}
  onLevel(): void {}
  onMark(): void {}
}

/** Events as plain objects, for tests and the differential checker. */
export type RecordedEvent =
  | { e: 'reject'; seq: number; orderId: number; accountId: number; code: number; side: number; preheldLots: number }
  | { e: 'accept'; orderId: number; accountId: number; side: number; priceTicks: number; sizeLots: number; flags: number; isTrigger: boolean }
  | {
      e: 'fill';
      makerOrderId: number;
      makerAccountId: number;
      takerOrderId: number;
      takerAccountId: number;
      takerSide: number;
      priceTicks: number;
      sizeLots: number;
      makerRemainingLots: number;
      takerRemainingLots: number;
      makerFlags: number;
      takerFlags: number;
    }
  | { e: 'cancel'; orderId: number; accountId: number; side: number; remainingLots: number; reason: number; flags: number }
  | { e: 'rest'; orderId: number; accountId: number; side: number; priceTicks: number; remainingLots: number }
  | {
      e: 'modify';
      orderId: number;
      accountId: number;
      side: number;
      newPriceTicks: number;
      oldRemainingLots: number;
      newRemainingLots: number;
      preheldLots: number;
      flags: number;
      requeued: boolean;
    }
  | { e: 'reduce'; orderId: number; accountId: number; side: number; oldRemainingLots: number; newRemainingLots: number; flags: number }
  | { e: 'trigger'; orderId: number; accountId: number; markPriceTicks: number }
  | { e: 'level'; side: number; priceTicks: number; totalLots: number; orderCount: number }
  | { e: 'mark'; markPriceTicks: number };

export class RecordingSink implements MarketEventSink {
  events: RecordedEvent[] = [];
  /** Set false to skip level events (they are derivable and noisy in some tests). */
  recordLevels = true;

  take(): RecordedEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.events.push({ e: 'reject', seq, orderId, accountId, code, side, preheldLots });
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.events.push({ e: 'accept', orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger });
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
    this.events.push({
      e: 'fill',
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
    });
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.events.push({ e: 'cancel', orderId, accountId, side, remainingLots, reason, flags });
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.events.push({ e: 'rest', orderId, accountId, side, priceTicks, remainingLots });
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
    this.events.push({ e: 'modify', orderId, accountId, side, newPriceTicks, oldRemainingLots, newRemainingLots, preheldLots, flags, requeued });
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.events.push({ e: 'reduce', orderId, accountId, side, oldRemainingLots, newRemainingLots, flags });
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.events.push({ e: 'trigger', orderId, accountId, markPriceTicks });
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    if (this.recordLevels) this.events.push({ e: 'level', side, priceTicks, totalLots, orderCount });
  }
  onMark(markPriceTicks: number): void {
    this.events.push({ e: 'mark', markPriceTicks });
  }
}

/** Forwards every call to several sinks (e.g. ledger settlement + output ring). */
export class TeeSink implements MarketEventSink {
  constructor(
    private readonly a: MarketEventSink,
    private readonly b: MarketEventSink,
  ) {}
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.a.onReject(seq, orderId, accountId, code, side, preheldLots);
    this.b.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.a.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
    this.b.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
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
    this.a.onFill(makerOrderId, makerAccountId, takerOrderId, takerAccountId, takerSide, priceTicks, sizeLots, makerRemainingLots, takerRemainingLots, makerFlags, takerFlags);
    this.b.onFill(makerOrderId, makerAccountId, takerOrderId, takerAccountId, takerSide, priceTicks, sizeLots, makerRemainingLots, takerRemainingLots, makerFlags, takerFlags);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.a.onCancel(orderId, accountId, side, remainingLots, reason, flags);
    this.b.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.a.onRest(orderId, accountId, side, priceTicks, remainingLots);
    this.b.onRest(orderId, accountId, side, priceTicks, remainingLots);
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
    this.a.onModify(orderId, accountId, side, newPriceTicks, oldRemainingLots, newRemainingLots, preheldLots, flags, requeued);
    this.b.onModify(orderId, accountId, side, newPriceTicks, oldRemainingLots, newRemainingLots, preheldLots, flags, requeued);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.a.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
    this.b.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.a.onTrigger(orderId, accountId, markPriceTicks);
    this.b.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.a.onLevel(side, priceTicks, totalLots, orderCount);
    this.b.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    this.a.onMark(markPriceTicks);
    this.b.onMark(markPriceTicks);
  }
}
