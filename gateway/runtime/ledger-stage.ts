import type { Command } from '../../engine/command.js';
import type { MarketEventSink } from '../../engine/events.js';
import type { Ledger } from '../../engine/ledger/ledger.js';
import type { EventStreamHandler } from '../../engine/ring/event-codec.js';
import type { RiskStage } from './engine-runtime.js';

/**
 * Routes the event stream to the ledger's per-market settlement sink (R2) and
 * exposes the ledger's pre-trade check (R1) as the runtime's risk stage.
 */
export class LedgerStage implements RiskStage, EventStreamHandler {
  readonly settlement: EventStreamHandler = this;
  readonly #ledger: Ledger;
  readonly #sinks = new Map<number, MarketEventSink>();
  #sink: MarketEventSink | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
    for (const m of ledger.markets) this.#sinks.set(m.marketId, ledger.settlementSink(m.marketId));
  }

  tryPreTrade(cmd: Command): number {
    return this.#ledger.tryPreTrade(cmd);
  }

  setContext(marketId: number): void {
    this.#sink = this.#sinks.get(marketId);
    if (this.#sink === undefined) throw new Error(`event for market ${marketId}, which the ledger does not know`);
  }
  onDone(): void {}
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.#sink!.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.#sink!.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
  }
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.#sink!.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.#sink!.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.#sink!.onRest(orderId, accountId, side, priceTicks, remainingLots);
  }
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.#sink!.onModify(o, a, s, p, oldR, newR, pre, f, rq);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.#sink!.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.#sink!.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.#sink!.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    this.#sink!.onMark(markPriceTicks);
  }
}
