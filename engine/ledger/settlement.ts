import type { MarketEventSink } from '../events.js';
import { OrderFlag, Side } from '../types.js';
import type { LedgerState } from './ledger-state.js';
import { reconcileOrderMargin } from './order-margin.js';
import { settleFillSide } from './fill-settlement.js';

/**
 * R2: settlement of one market's events. One instance per market (the sink calls
 * carry no market id). Keeps the ledger's pending counts equal to the remaining size
 * of the account's live non-reduce-only orders in that market, mirrors position
 * sizes from fills, and moves money (fill-settlement.ts).
 *
 *   onReject  pending[side] −= preheldLots (exactly what R1 added)
 *   onCancel  non-reduce-only: pending[side] −= remaining
 *   onModify  non-reduce-only: pending[side] += (new − old) − preheldLots
 *             reduce-only:     pending[side] −= preheldLots (R1 could not know the flag)
 *   onFill    taker side, then maker side (so a maker rebate is paid after the taker fee)
 *
 * Each change is followed by a reconcile of that slot's order-margin hold. Other
 * events (accept, rest, reduce, trigger, level, mark) move no money: accepted and
 * resting sizes were counted in R1, and reduce-only orders are never counted.
 *
 * An event naming an account the ledger does not have is a broken invariant (markets
 * only see commands R1 passed) and throws.
 */
export class MarketSettlement implements MarketEventSink {
  readonly #st: LedgerState;
  readonly #m: number;

  constructor(st: LedgerState, marketIndex: number) {
    this.#st = st;
    this.#m = marketIndex;
  }

  #mustSlot(accountId: number): number {
    if (!this.#st.hasAccount(accountId)) throw new Error(`ledger R2: market ${this.#st.specs[this.#m].marketId} reported unknown account ${accountId}`);
    return this.#st.slot(accountId, this.#m);
  }

  #addPending(accountId: number, side: number, lots: number): void {
    const p = this.#mustSlot(accountId);
    if (side === Side.BUY) this.#st.pendingBuy[p] += lots;
    else this.#st.pendingSell[p] += lots;
    reconcileOrderMargin(this.#st, accountId, p, this.#m);
  }

  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    if (preheldLots > 0) this.#addPending(accountId, side, -preheldLots);
  }

  onAccept(): void {}

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
    this.#mustSlot(takerAccountId);
    this.#mustSlot(makerAccountId);
    const spec = this.#st.specs[this.#m];
    settleFillSide(this.#st, this.#m, takerAccountId, takerSide, sizeLots, priceTicks, spec.takerFeePpm, takerFlags);
    settleFillSide(this.#st, this.#m, makerAccountId, takerSide ^ 1, sizeLots, priceTicks, spec.makerFeePpm, makerFlags);
  }

  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    if ((flags & OrderFlag.REDUCE_ONLY) === 0 && remainingLots > 0) this.#addPending(accountId, side, -remainingLots);
  }

  onRest(): void {}

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
    const delta = (flags & OrderFlag.REDUCE_ONLY) === 0 ? newRemainingLots - oldRemainingLots - preheldLots : -preheldLots;
    if (delta !== 0) this.#addPending(accountId, side, delta);
  }

  onReduce(): void {}
  onTrigger(): void {}
  onLevel(): void {}
  onMark(): void {}
}
