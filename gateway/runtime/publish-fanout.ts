import type { EventStreamHandler } from '../../engine/ring/event-codec.js';

/** A publication handler as the runtime takes it: the event stream plus the end of each drain batch. */
export type PublishHandler = EventStreamHandler & { onDrainEnd?(): void };

/**
 * Forwards the (already settled) event stream to several publication handlers, in
 * the order given: the binary report router and the JSON (Hyperliquid-dialect)
 * router both see every event. A handler that throws stops the stream, as it
 * would without the fan-out.
 */
export class PublishFanout implements PublishHandler {
  readonly #h: readonly PublishHandler[];

  constructor(handlers: readonly PublishHandler[]) {
    this.#h = [...handlers];
  }

  setContext(marketId: number, causeSeq: number): void {
    for (const h of this.#h) h.setContext(marketId, causeSeq);
  }
  onDone(code: number): void {
    for (const h of this.#h) h.onDone(code);
  }
  /** Durability: a worker's snapshot mark, for the handlers that take it (the journal). */
  onSnapshotMark(cutSeq: number): void {
    for (const h of this.#h) h.onSnapshotMark?.(cutSeq);
  }
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    for (const h of this.#h) h.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    for (const h of this.#h) h.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
  }
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    for (const h of this.#h) h.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    for (const h of this.#h) h.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    for (const h of this.#h) h.onRest(orderId, accountId, side, priceTicks, remainingLots);
  }
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    for (const h of this.#h) h.onModify(o, a, s, p, oldR, newR, pre, f, rq);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    for (const h of this.#h) h.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    for (const h of this.#h) h.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    for (const h of this.#h) h.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    for (const h of this.#h) h.onMark(markPriceTicks);
  }
  onDrainEnd(): void {
    for (const h of this.#h) h.onDrainEnd?.();
  }
}
