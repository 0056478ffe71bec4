/**
 * Orders of the naive reference book: one plain object per live order. Nothing here
 * is optimised; every value is stored in the most direct form so the reference can
 * be read against docs/matching.md line by line.
 */
import type { OrderView } from '../market-engine.js';
import { OrderFlag, Side, TriggerKind } from '../types.js';

export interface RefOrder {
  id: number;
  account: number;
  side: number;
  orderType: number;
  tif: number;
  flags: number;
  stpMode: number;
  /** Limit price; 0 for MARKET orders (they ignore the command's price). */
  price: number;
  remaining: number;
  filled: number;
  cloid: [number, number, number, number];
  /** The PLACE command's tsUs; never changes (docs/matching.md, "State hash"). */
  tsUs: number;
  /** NONE once the order is on the book (a fired trigger is an ordinary order). */
  triggerKind: number;
  triggerPrice: number;
  /** Live OCO partner's id, 0 if none. Only parked triggers have partners. */
  oco: number;
}

export function isReduceOnly(o: { flags: number }): boolean {
  return (o.flags & OrderFlag.REDUCE_ONLY) !== 0;
}

export function isPostOnly(o: { flags: number }): boolean {
  return (o.flags & OrderFlag.POST_ONLY) !== 0;
}

export function hasCloid(c: readonly number[]): boolean {
  return c[0] !== 0 || c[1] !== 0 || c[2] !== 0 || c[3] !== 0;
}

export function sameCloid(a: readonly number[], b: readonly number[]): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** True for triggers that fire "when mark ≥ trigger" (BUY STOP, SELL TAKE_PROFIT). */
export function firesAtOrAbove(side: number, triggerKind: number): boolean {
  return (side === Side.BUY && triggerKind === TriggerKind.STOP) || (side === Side.SELL && triggerKind === TriggerKind.TAKE_PROFIT);
}

/** The table of docs/matching.md, "Triggers". */
export function triggerConditionHolds(side: number, triggerKind: number, triggerPrice: number, mark: number): boolean {
  return firesAtOrAbove(side, triggerKind) ? mark >= triggerPrice : mark <= triggerPrice;
}

/** A price `p` crosses the opposite level price `q`: BUY `q <= p`, SELL `q >= p`. */
export function crosses(side: number, p: number, q: number): boolean {
  return side === Side.BUY ? q <= p : q >= p;
}

export function toView(o: RefOrder): OrderView {
  return {
    orderId: o.id,
    accountId: o.account,
    side: o.side,
    orderType: o.orderType,
    tif: o.tif,
    flags: o.flags,
    stpMode: o.stpMode,
    priceTicks: o.price,
    remainingLots: o.remaining,
    filledLots: o.filled,
    tsUs: o.tsUs,
    cloid: [o.cloid[0], o.cloid[1], o.cloid[2], o.cloid[3]],
    triggerKind: o.triggerKind,
    triggerPriceTicks: o.triggerPrice,
    ocoOrderId: o.oco,
  };
}
