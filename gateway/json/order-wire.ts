/**
 * Hyperliquid order wires → engine order fields, and engine outcomes → Hyperliquid's
 * per-order statuses and error sentences.
 *
 *   {a, b, p, s, r, t: {limit: {tif}}, c?}
 *     Gtc → LIMIT GTC; Alo → LIMIT GTC post-only; Ioc and FrontendMarket → LIMIT IOC
 *     (Hyperliquid's market orders are IOC limits at a slippage price).
 *   {…, t: {trigger: {isMarket, triggerPx, tpsl}}}
 *     tpsl "sl" → STOP, "tp" → TAKE_PROFIT (the engine's trigger directions are
 *     Hyperliquid's: a sell stop fires at mark ≤ triggerPx, a sell take-profit at
 *     mark ≥ triggerPx, buys the opposite). isMarket → a MARKET order when fired
 *     (bounded by the price band; p is still checked against the grid), else a GTC
 *     LIMIT at p.
 *   r → reduce-only; c (0x + 32 hex) → cloid words (little-endian int32, as the
 *   binary protocol).
 */
import { CancelReason, Code, codeName } from '../../engine/codes.js';
import { OrderFlag, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import type { MarketGrid } from './market-grid.js';
import type { CommandOutcome } from './json-router.js';

const CLOID_RE = /^0x[0-9a-fA-F]{32}$/;
const TIFS = new Set(['Gtc', 'Ioc', 'Alo', 'FrontendMarket']);

/** An order ready for the engine (everything but account, seq and OCO partner). */
export interface PlaceSpec {
  grid: MarketGrid;
  side: number;
  orderType: number;
  tif: number;
  flags: number;
  stpMode: number;
  priceTicks: number;
  sizeLots: number;
  triggerKind: number;
  triggerPriceTicks: number;
  cloid: readonly [number, number, number, number] | null;
  /** As sent, lower case (echoed in statuses). */
  cloidHex: string | null;
  /** "tp" | "sl" for trigger orders. */
  tpsl: string | null;
}

/** A wire whose shape is wrong: the whole request is refused (Hyperliquid fails to deserialize it). */
export class WireShapeError extends Error {}

/** The cloid's four little-endian int32 words, or null for none. */
export function cloidWords(hex: string): readonly [number, number, number, number] {
  const b = Buffer.from(hex.slice(2), 'hex');
  return [b.readInt32LE(0), b.readInt32LE(4), b.readInt32LE(8), b.readInt32LE(12)];
}

export function isCloid(v: unknown): v is string {
  return typeof v === 'string' && CLOID_RE.test(v);
}

/** Checks the shape of one order wire; throws WireShapeError naming the field. */
export function mustOrderWireShape(o: unknown, where: string): asserts o is Record<string, unknown> {
  const fail = (what: string): never => {
    throw new WireShapeError(`Failed to deserialize ${where}: ${what}.`);
  };
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail('expected an object {a, b, p, s, r, t, c?}');
  const w = o as Record<string, unknown>;
  if (!Number.isSafeInteger(w.a) || (w.a as number) < 0) fail('"a" (asset index) must be a non-negative integer');
  if (typeof w.b !== 'boolean') fail('"b" (is buy) must be a boolean');
  if (typeof w.p !== 'string') fail('"p" (price) must be a decimal string');
  if (typeof w.s !== 'string') fail('"s" (size) must be a decimal string');
  if (typeof w.r !== 'boolean') fail('"r" (reduce only) must be a boolean');
  if (w.c !== undefined && w.c !== null && !isCloid(w.c)) fail('"c" (cloid) must be 0x followed by 32 hex characters');
  const t = w.t as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object') fail('"t" must be {limit: {tif}} or {trigger: {isMarket, triggerPx, tpsl}}');
  const keys = Object.keys(t!);
  if (keys.length !== 1 || (keys[0] !== 'limit' && keys[0] !== 'trigger')) fail('"t" must have exactly one of "limit" or "trigger"');
  if (t!.limit !== undefined) {
    const l = t!.limit as Record<string, unknown>;
    if (!l || typeof l !== 'object' || typeof l.tif !== 'string' || !TIFS.has(l.tif)) fail('"t.limit.tif" must be Gtc, Ioc, Alo or FrontendMarket');
  } else {
    const g = t!.trigger as Record<string, unknown>;
    if (!g || typeof g !== 'object') fail('"t.trigger" must be an object');
    if (typeof g.isMarket !== 'boolean') fail('"t.trigger.isMarket" must be a boolean');
    if (typeof g.triggerPx !== 'string') fail('"t.trigger.triggerPx" must be a decimal string');
    if (g.tpsl !== 'tp' && g.tpsl !== 'sl') fail('"t.trigger.tpsl" must be "tp" or "sl"');
  }
}

/** A shape-checked wire → PlaceSpec, or the per-order error sentence (unknown asset, off-grid price or size). */
export function toPlaceSpec(w: Record<string, unknown>, gridOf: (asset: number) => MarketGrid | undefined): PlaceSpec | string {
  const asset = w.a as number;
  const grid = gridOf(asset);
  if (grid === undefined) return `Invalid asset ${asset}: perpd lists assets 0..n−1 in meta.universe.`;
  const px = grid.tryPriceTicks(w.p, 'price');
  if (!px.ok) return `${px.error} asset=${asset}`;
  const sz = grid.trySizeLots(w.s);
  if (!sz.ok) return `${sz.error} asset=${asset}`;
  const t = w.t as { limit?: { tif: string }; trigger?: { isMarket: boolean; triggerPx: unknown; tpsl: string } };
  let orderType: number = OrderType.LIMIT;
  let tif: number = TimeInForce.GTC;
  let flags = w.r === true ? OrderFlag.REDUCE_ONLY : 0;
  let triggerKind: number = TriggerKind.NONE;
  let triggerPriceTicks = 0;
  let tpsl: string | null = null;
  if (t.limit) {
    if (t.limit.tif === 'Alo') flags |= OrderFlag.POST_ONLY;
    else if (t.limit.tif === 'Ioc' || t.limit.tif === 'FrontendMarket') tif = TimeInForce.IOC;
  } else {
    const trig = t.trigger!;
    const tp = grid.tryPriceTicks(trig.triggerPx, 'trigger price');
    if (!tp.ok) return `${tp.error} asset=${asset}`;
    triggerPriceTicks = tp.value;
    triggerKind = trig.tpsl === 'tp' ? TriggerKind.TAKE_PROFIT : TriggerKind.STOP;
    tpsl = trig.tpsl;
    if (trig.isMarket) {
      orderType = OrderType.MARKET;
      tif = TimeInForce.IOC; // a market order never rests (the engine refuses MARKET with GTC)
    }
  }
  const cloidHex = isCloid(w.c) ? w.c.toLowerCase() : null;
  return {
    grid,
    side: w.b === true ? Side.BUY : Side.SELL,
    orderType,
    tif,
    flags,
    stpMode: StpMode.DEFAULT,
    priceTicks: orderType === OrderType.MARKET ? 0 : px.value,
    sizeLots: sz.value,
    triggerKind,
    triggerPriceTicks,
    cloid: cloidHex === null ? null : cloidWords(cloidHex),
    cloidHex,
    tpsl,
  };
}

/** Hyperliquid's sentence for an engine refusal of an order operation. */
export function orderErrorMessage(code: number, grid: MarketGrid | undefined, asset: number, bbo?: string): string {
  const a = ` asset=${asset}`;
  switch (code) {
    case Code.INSUFFICIENT_MARGIN:
    case Code.INSUFFICIENT_COLLATERAL:
      return `Insufficient margin to place order.${a}`;
    case Code.POSITION_LIMIT_EXCEEDED:
      return `Order would exceed the maximum position size.${a}`;
    case Code.REDUCE_ONLY_WOULD_INCREASE:
      return `Reduce only order would increase position.${a}`;
    case Code.POST_ONLY_WOULD_CROSS:
      return `Post only order would have immediately matched, bbo was ${bbo ?? 'unknown'}.${a}`;
    case Code.PRICE_OUT_OF_BAND:
      return `Order price cannot be more than ${grid ? grid.spec.priceBandPpm / 10_000 : '?'}% away from the reference price.${a}`;
    case Code.INVALID_PRICE:
      return `Order has invalid price.${a}`;
    case Code.INVALID_SIZE:
    case Code.SIZE_BELOW_MIN:
    case Code.SIZE_ABOVE_MAX:
      return `Order has invalid size (${codeName(code)}).${a}`;
    case Code.INVALID_TRIGGER_PRICE:
    case Code.TRIGGER_ALREADY_CROSSED:
      return `Invalid TP/SL price.${a}`;
    case Code.MARKET_HALTED:
      return `Trading is halted.${a}`;
    case Code.TOO_MANY_OPEN_ORDERS:
      return `Too many open orders.${a}`;
    case Code.DUPLICATE_CLOID:
      return `Duplicate cloid: an open order already uses it.${a}`;
    case Code.UNKNOWN_ORDER:
    case Code.NOT_OWNER:
      return `Order was never placed, already canceled, or filled.${a}`;
    case Code.ORDER_NOT_MODIFIABLE:
      return `Cannot modify canceled or filled order.${a}`;
    case Code.OVERLOADED:
      return `perpd is overloaded (the market's command ring is full); retry.${a}`;
    case Code.UNKNOWN_MARKET:
      return `Invalid asset ${asset}.`;
    case Code.UNKNOWN_ACCOUNT:
      return `Account unavailable.${a}`;
    default:
      return `Order rejected (${codeName(code)}).${a}`;
  }
}

/** Why an order that was accepted left without resting or filling. */
function cancelMessage(reason: number, asset: number): string {
  const a = ` asset=${asset}`;
  switch (reason) {
    case CancelReason.IOC_REMAINDER:
    case CancelReason.MARKET_REMAINDER:
      return `Order could not immediately match against any resting orders.${a}`;
    case CancelReason.REDUCE_ONLY:
      return `Reduce only order would increase position.${a}`;
    case CancelReason.STP_TAKER:
    case CancelReason.STP_MAKER:
      return `Order would have matched the user's own resting order (self-trade prevention).${a}`;
    default:
      return `Order was canceled before it could rest (reason ${reason}).${a}`;
  }
}

export type OrderStatusWire =
  | { resting: { oid: number; cloid?: string } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: string } }
  | { error: string };

/** Hyperliquid's status of one placed (or modified) order from what its command did. */
export function placeStatus(o: CommandOutcome, oid: number, grid: MarketGrid, asset: number, cloidHex: string | null, bbo: () => string): OrderStatusWire {
  const withCloid = <T extends object>(x: T): T => (cloidHex !== null ? { ...x, cloid: cloidHex } : x);
  if (o.timedOut) return { error: `No answer from the engine in time; query orderStatus for oid ${oid}.` };
  if (o.rejectCode !== 0) return { error: orderErrorMessage(o.rejectCode, grid, asset, o.rejectCode === Code.POST_ONLY_WOULD_CROSS ? bbo() : undefined) };
  if (o.doneCode !== Code.OK) return { error: orderErrorMessage(o.doneCode, grid, asset) };
  if (o.isTrigger || o.rested || (o.modified && !o.cancelled && o.filledLots === 0)) return { resting: withCloid({ oid }) };
  if (o.filledLots > 0) {
    return { filled: withCloid({ totalSz: grid.szOf(o.filledLots), avgPx: grid.avgPxOf(o.notionalTickLots, BigInt(o.filledLots)), oid }) };
  }
  if (o.cancelled) return { error: cancelMessage(o.cancelReason, asset) };
  return { error: `Order was not accepted.${' asset=' + asset}` };
}
