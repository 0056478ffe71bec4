import { CancelReason, Code } from '../../engine/codes.js';
import { OrderType, Side, TimeInForce, TriggerKind } from '../../engine/types.js';
import type { MarketGrid } from './market-grid.js';

/** Hyperliquid's order processing statuses that perpd produces. */
export type HlOrderStatus =
  | 'open'
  | 'filled'
  | 'canceled'
  | 'triggered'
  | 'rejected'
  | 'marginCanceled'
  | 'selfTradeCanceled'
  | 'reduceOnlyCanceled'
  | 'siblingFilledCanceled'
  | 'liquidatedCanceled'
  | 'scheduledCancel'
  | 'tickRejected'
  | 'perpMarginRejected'
  | 'reduceOnlyRejected'
  | 'badAloPxRejected'
  | 'iocCancelRejected'
  | 'badTriggerPxRejected'
  | 'marketOrderNoLiquidityRejected'
  | 'perpMaxPositionRejected';

/** What the engine's events do not carry about a PLACE, remembered from its sequenced command. */
export interface PlaceDetails {
  orderType: number;
  tif: number;
  postOnly: boolean;
  reduceOnly: boolean;
  triggerKind: number;
  triggerPxTicks: number;
  limitPxTicks: number;
  sizeLots: number;
  side: number;
  marketId: number;
  cloid: string | null;
  tsMs: number;
}

/** One order of a tracked (address-mapped) account, live or finished. Engine units. */
export interface OrderRecord {
  oid: number;
  accountId: number;
  marketId: number;
  side: number;
  /** 0 for a market order. */
  limitPxTicks: number;
  origLots: number;
  remainingLots: number;
  filledLots: number;
  orderType: number;
  tif: number;
  postOnly: boolean;
  reduceOnly: boolean;
  triggerKind: number;
  triggerPxTicks: number;
  triggered: boolean;
  cloid: string | null;
  timestampMs: number;
  status: HlOrderStatus;
  statusTimestampMs: number;
}

export function newOrderRecord(oid: number, accountId: number, d: PlaceDetails, acceptedLots: number): OrderRecord {
  return {
    oid,
    accountId,
    marketId: d.marketId,
    side: d.side,
    limitPxTicks: d.orderType === OrderType.LIMIT ? d.limitPxTicks : 0,
    origLots: acceptedLots,
    remainingLots: acceptedLots,
    filledLots: 0,
    orderType: d.orderType,
    tif: d.tif,
    postOnly: d.postOnly,
    reduceOnly: d.reduceOnly,
    triggerKind: d.triggerKind,
    triggerPxTicks: d.triggerPxTicks,
    triggered: false,
    cloid: d.cloid,
    timestampMs: d.tsMs,
    status: 'open',
    statusTimestampMs: d.tsMs,
  };
}

/** The status an order ends with when the engine cancels it for `reason`. */
export function statusForCancel(reason: number, filledLots: number, scheduled: boolean): HlOrderStatus {
  if (scheduled) return 'scheduledCancel';
  switch (reason) {
    case CancelReason.IOC_REMAINDER:
      return filledLots === 0 ? 'iocCancelRejected' : 'canceled';
    case CancelReason.MARKET_REMAINDER:
      return filledLots === 0 ? 'marketOrderNoLiquidityRejected' : 'canceled';
    case CancelReason.STP_TAKER:
    case CancelReason.STP_MAKER:
      return 'selfTradeCanceled';
    case CancelReason.REDUCE_ONLY:
      return 'reduceOnlyCanceled';
    case CancelReason.OCO:
      return 'siblingFilledCanceled';
    case CancelReason.LIQUIDATION:
      return 'liquidatedCanceled';
    case CancelReason.MARGIN:
      return 'marginCanceled';
    default:
      return 'canceled';
  }
}

/** The status of a PLACE the engine refused with `code`. */
export function statusForReject(code: number): HlOrderStatus {
  switch (code) {
    case Code.POST_ONLY_WOULD_CROSS:
      return 'badAloPxRejected';
    case Code.INSUFFICIENT_MARGIN:
      return 'perpMarginRejected';
    case Code.REDUCE_ONLY_WOULD_INCREASE:
      return 'reduceOnlyRejected';
    case Code.INVALID_TRIGGER_PRICE:
    case Code.TRIGGER_ALREADY_CROSSED:
      return 'badTriggerPxRejected';
    case Code.INVALID_PRICE:
    case Code.PRICE_OUT_OF_BAND:
      return 'tickRejected';
    case Code.FOK_CANNOT_FILL:
      return 'iocCancelRejected';
    case Code.POSITION_LIMIT_EXCEEDED:
      return 'perpMaxPositionRejected';
    default:
      return 'rejected';
  }
}

export const sideLetter = (side: number): 'B' | 'A' => (side === Side.BUY ? 'B' : 'A');

/** Hyperliquid's basic order (openOrders, orderUpdates). */
export function basicOrderView(r: OrderRecord, g: MarketGrid): Record<string, unknown> {
  const o: Record<string, unknown> = {
    coin: g.coin,
    side: sideLetter(r.side),
    limitPx: g.pxOf(r.limitPxTicks),
    sz: g.szOf(r.remainingLots),
    oid: r.oid,
    timestamp: r.timestampMs,
    origSz: g.szOf(r.origLots),
  };
  if (r.cloid !== null) o.cloid = r.cloid;
  if (r.reduceOnly) o.reduceOnly = true;
  return o;
}

function orderTypeName(r: OrderRecord): string {
  const market = r.orderType === OrderType.MARKET;
  if (r.triggerKind === TriggerKind.STOP) return market ? 'Stop Market' : 'Stop Limit';
  if (r.triggerKind === TriggerKind.TAKE_PROFIT) return market ? 'Take Profit Market' : 'Take Profit Limit';
  return market ? 'Market' : 'Limit';
}

function tifName(r: OrderRecord): string | null {
  if (r.triggerKind !== TriggerKind.NONE || r.orderType === OrderType.MARKET) return null;
  if (r.postOnly) return 'Alo';
  return r.tif === TimeInForce.IOC ? 'Ioc' : 'Gtc';
}

/** "Price above 3000" / "Price below 3000" / "N/A": when a trigger fires (docs/matching.md, Triggers). */
function triggerCondition(r: OrderRecord, g: MarketGrid): string {
  if (r.triggerKind === TriggerKind.NONE) return 'N/A';
  const firesAbove = (r.triggerKind === TriggerKind.STOP) === (r.side === Side.BUY);
  return `Price ${firesAbove ? 'above' : 'below'} ${g.pxOf(r.triggerPxTicks)}`;
}

/** Hyperliquid's frontend order (frontendOpenOrders, orderStatus). */
export function frontendOrderView(r: OrderRecord, g: MarketGrid): Record<string, unknown> {
  return {
    coin: g.coin,
    side: sideLetter(r.side),
    limitPx: g.pxOf(r.limitPxTicks),
    sz: g.szOf(r.remainingLots),
    oid: r.oid,
    timestamp: r.timestampMs,
    origSz: g.szOf(r.origLots),
    triggerCondition: triggerCondition(r, g),
    isTrigger: r.triggerKind !== TriggerKind.NONE && !r.triggered,
    triggerPx: g.pxOf(r.triggerPxTicks),
    children: [],
    isPositionTpsl: false,
    reduceOnly: r.reduceOnly,
    orderType: orderTypeName(r),
    tif: tifName(r),
    cloid: r.cloid,
  };
}

/**
 * The orders of one tracked account: live ones by oid (and by cloid), and a bounded
 * history of finished ones for orderStatus. Bounded: live orders by the engine's
 * open-order limit per market; history by `maxHistory` (oldest dropped).
 */
export class AccountOrders {
  readonly live = new Map<number, OrderRecord>();
  readonly liveByCloid = new Map<string, number>();
  readonly #history: OrderRecord[] = [];
  readonly #historyByOid = new Map<number, OrderRecord>();
  readonly #historyByCloid = new Map<string, OrderRecord>();

  constructor(readonly maxHistory: number) {}

  add(r: OrderRecord): void {
    this.live.set(r.oid, r);
    if (r.cloid !== null) this.liveByCloid.set(r.cloid, r.oid);
  }

  /** Moves a live order (or a refused one never live) to the history with its final status. */
  finish(r: OrderRecord, status: HlOrderStatus, atMs: number): void {
    r.status = status;
    r.statusTimestampMs = atMs;
    if (this.live.delete(r.oid) && r.cloid !== null && this.liveByCloid.get(r.cloid) === r.oid) this.liveByCloid.delete(r.cloid);
    this.#history.push(r);
    this.#historyByOid.set(r.oid, r);
    if (r.cloid !== null) this.#historyByCloid.set(r.cloid, r);
    if (this.#history.length > this.maxHistory) {
      const old = this.#history.shift()!;
      if (this.#historyByOid.get(old.oid) === old) this.#historyByOid.delete(old.oid);
      if (old.cloid !== null && this.#historyByCloid.get(old.cloid) === old) this.#historyByCloid.delete(old.cloid);
    }
  }

  byOid(oid: number): OrderRecord | undefined {
    return this.live.get(oid) ?? this.#historyByOid.get(oid);
  }

  byCloid(cloid: string): OrderRecord | undefined {
    const oid = this.liveByCloid.get(cloid);
    return oid !== undefined ? this.live.get(oid) : this.#historyByCloid.get(cloid);
  }

  /** Live orders, oldest first (oids increase with placement). */
  liveSorted(): OrderRecord[] {
    return [...this.live.values()].sort((a, b) => a.oid - b.oid);
  }
}
