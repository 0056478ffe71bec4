/**
 * The naive reference market engine: docs/matching.md written as plainly as
 * possible. Plain objects for orders, arrays of levels kept in price priority, FIFO
 * arrays per level, linear scans, Maps keyed by id. Slow on purpose; the fast book
 * (`engine/book/`) is checked against it event for event by the differential test.
 *
 * Determinism: no clock, no randomness. Maps are only iterated where the result is
 * sorted explicitly afterwards (see `liveOrdersOf`).
 *
 * The numbered comments refer to the numbered rules of docs/matching.md.
 */
import { CancelReason, Code } from '../codes.js';
import { Op, type Command } from '../command.js';
import type { MarketEventSink } from '../events.js';
import type { L2Level, MarketEngine, MarketEngineFactory, OrderView } from '../market-engine.js';
import type { MarketSpec } from '../market-spec.js';
import { MarketStatus, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../types.js';
import { levelTotal, RefSideBook, type RefLevel } from './ref-book.js';
import { computeStateHash, mustBeConsistent } from './ref-inspect.js';
import {
  crosses,
  firesAtOrAbove,
  hasCloid,
  isPostOnly,
  isReduceOnly,
  sameCloid,
  toView,
  triggerConditionHolds,
  type RefOrder,
} from './ref-order.js';

const PPM = 1_000_000n;

/** Why an execution loop stopped before the book ran out of crossing liquidity. */
const enum StopReason {
  NONE,
  STP,
  REDUCE_ONLY,
}

export class ReferenceMarket implements MarketEngine {
  readonly spec: MarketSpec;
  readonly #sink: MarketEventSink;

  // State of one market (docs/matching.md, "State of one market").
  readonly bids = new RefSideBook(Side.BUY);
  readonly asks = new RefSideBook(Side.SELL);
  /** Parked triggers in order id order. */
  readonly triggers: RefOrder[] = [];
  /** Every live order (resting and parked) by id. */
  readonly byId = new Map<number, RefOrder>();
  /** Non-zero positions only. */
  readonly positions = new Map<number, number>();
  mark: number;
  marketStatus: number = MarketStatus.ACTIVE;

  constructor(spec: MarketSpec, sink: MarketEventSink) {
    this.spec = spec;
    this.#sink = sink;
    this.mark = spec.initialMarkPriceTicks;
  }

  // ---------------------------------------------------------------- dispatch

  process(cmd: Command): number {
    switch (cmd.op) {
      case Op.PLACE:
        return this.#processPlace(cmd);
      case Op.CANCEL:
        return this.#processCancel(cmd);
      case Op.CANCEL_BY_CLOID:
        return this.#processCancelByCloid(cmd);
      case Op.CANCEL_ALL:
        return this.#processCancelAll(cmd);
      case Op.MODIFY:
        return this.#processModify(cmd);
      case Op.SET_MARK_PRICE:
        return this.#processSetMark(cmd);
      case Op.SET_MARKET_STATUS:
        return this.#processSetStatus(cmd);
      default:
        return this.#rejectCommand(cmd, Code.UNKNOWN_OP);
    }
  }

  /** Order-level reject: echoes the command (PLACE, CANCEL*, MODIFY, unknown ops). */
  #rejectCommand(cmd: Command, code: number): number {
    this.#sink.onReject(cmd.seq, cmd.orderId, cmd.accountId, code, cmd.side, cmd.preheldLots);
    return code;
  }

  /** Market-input reject (SET_MARK_PRICE, SET_MARKET_STATUS): `(seq, 0, 0, code, 0, 0)`. */
  #rejectMarketInput(cmd: Command, code: number): number {
    this.#sink.onReject(cmd.seq, 0, 0, code, 0, 0);
    return code;
  }

  // ---------------------------------------------------------------- helpers

  #bookOf(side: number): RefSideBook {
    return side === Side.BUY ? this.bids : this.asks;
  }

  #isValidPrice(p: number): boolean {
    return Number.isSafeInteger(p) && p >= 1 && p <= this.spec.maxPriceTicks;
  }

  // Band edges in BigInt: mark × (1e6 ± ppm) can exceed 2^53 for large marks.
  bandLow(): number {
    const num = BigInt(this.mark) * (PPM - BigInt(this.spec.priceBandPpm));
    return Number((num + PPM - 1n) / PPM); // ceil; num > 0
  }

  bandHigh(): number {
    return Number((BigInt(this.mark) * (PPM + BigInt(this.spec.priceBandPpm))) / PPM); // floor
  }

  #inBand(p: number): boolean {
    return p >= this.bandLow() && p <= this.bandHigh();
  }

  reducible(account: number, side: number): number {
    const pos = this.positions.get(account) ?? 0;
    return side === Side.BUY ? Math.max(0, -pos) : Math.max(0, pos);
  }

  #movePosition(account: number, delta: number): void {
    const next = (this.positions.get(account) ?? 0) + delta;
    if (next === 0) this.positions.delete(account);
    else this.positions.set(account, next);
  }

  /** Live orders of an account in order id order (Map iteration order never leaks). */
  liveOrdersOf(account: number): RefOrder[] {
    const out: RefOrder[] = [];
    for (const o of this.byId.values()) if (o.account === account) out.push(o);
    return out.sort((a, b) => a.id - b.id);
  }

  #isResting(o: RefOrder): boolean {
    return o.triggerKind === TriggerKind.NONE;
  }

  #emitLevel(side: number, level: RefLevel): void {
    this.#sink.onLevel(side, level.price, levelTotal(level), level.orders.length);
  }

  /** Removes a live order (resting or parked) from every structure. Emits nothing. */
  #unlink(o: RefOrder): RefLevel | undefined {
    this.byId.delete(o.id);
    if (this.#isResting(o)) return this.#bookOf(o.side).remove(o);
    const i = this.triggers.indexOf(o);
    if (i < 0) throw new Error(`reference: trigger ${o.id} not parked`);
    this.triggers.splice(i, 1);
    return undefined;
  }

  /** Cancels a live order: `onCancel` (+ `onLevel` if resting), then its OCO partner. */
  #cancelLive(o: RefOrder, reason: number): void {
    const level = this.#unlink(o);
    this.#sink.onCancel(o.id, o.account, o.side, o.remaining, reason, o.flags);
    if (level) this.#emitLevel(o.side, level);
    this.#maybeCancelOcoPartner(o);
  }

  /** "Whenever an order that has a live OCO partner is cancelled or fires, the partner is cancelled right after." */
  #maybeCancelOcoPartner(o: RefOrder): void {
    if (o.oco === 0) return;
    const partner = this.byId.get(o.oco);
    o.oco = 0;
    if (!partner) return;
    partner.oco = 0;
    this.#cancelLive(partner, CancelReason.OCO);
  }

  #restOnBook(o: RefOrder): void {
    const level = this.#bookOf(o.side).append(o);
    this.byId.set(o.id, o);
    this.#sink.onRest(o.id, o.account, o.side, o.price, o.remaining);
    this.#emitLevel(o.side, level);
  }

  // ---------------------------------------------------------------- PLACE

  #processPlace(cmd: Command): number {
    const s = this.spec;
    // 1.
    if (this.marketStatus === MarketStatus.HALTED) return this.#rejectCommand(cmd, Code.MARKET_HALTED);
    // 2.
    if (
      !(cmd.side === Side.BUY || cmd.side === Side.SELL) ||
      !(cmd.orderType === OrderType.LIMIT || cmd.orderType === OrderType.MARKET) ||
      !(cmd.tif === TimeInForce.GTC || cmd.tif === TimeInForce.IOC || cmd.tif === TimeInForce.FOK) ||
      !(cmd.stpMode === StpMode.EXPIRE_TAKER || cmd.stpMode === StpMode.EXPIRE_MAKER || cmd.stpMode === StpMode.EXPIRE_BOTH) ||
      !(cmd.triggerKind === TriggerKind.NONE || cmd.triggerKind === TriggerKind.STOP || cmd.triggerKind === TriggerKind.TAKE_PROFIT) ||
      !(cmd.flags === 0 || cmd.flags === 1 || cmd.flags === 2 || cmd.flags === 3)
    ) {
      return this.#rejectCommand(cmd, Code.INVALID_ORDER_FLAGS);
    }
    const isTrigger = cmd.triggerKind !== TriggerKind.NONE;
    const isLimit = cmd.orderType === OrderType.LIMIT;
    // 3.
    if (isPostOnly(cmd) && !(isLimit && cmd.tif === TimeInForce.GTC && !isTrigger)) return this.#rejectCommand(cmd, Code.INVALID_ORDER_FLAGS);
    if (!isLimit && cmd.tif === TimeInForce.GTC) return this.#rejectCommand(cmd, Code.INVALID_ORDER_FLAGS);
    if (cmd.ocoOrderId !== 0 && !isTrigger) return this.#rejectCommand(cmd, Code.INVALID_ORDER_FLAGS);
    // 4.
    if (!Number.isSafeInteger(cmd.sizeLots) || cmd.sizeLots < 1) return this.#rejectCommand(cmd, Code.INVALID_SIZE);
    if (cmd.sizeLots < s.minOrderLots) return this.#rejectCommand(cmd, Code.SIZE_BELOW_MIN);
    if (cmd.sizeLots > s.maxOrderLots) return this.#rejectCommand(cmd, Code.SIZE_ABOVE_MAX);
    // 5.
    if (isLimit && !this.#isValidPrice(cmd.priceTicks)) return this.#rejectCommand(cmd, Code.INVALID_PRICE);
    // 6.
    if (isTrigger) {
      if (!this.#isValidPrice(cmd.triggerPriceTicks)) return this.#rejectCommand(cmd, Code.INVALID_TRIGGER_PRICE);
      if (triggerConditionHolds(cmd.side, cmd.triggerKind, cmd.triggerPriceTicks, this.mark)) {
        return this.#rejectCommand(cmd, Code.TRIGGER_ALREADY_CROSSED);
      }
    } else if (isLimit && !this.#inBand(cmd.priceTicks)) {
      return this.#rejectCommand(cmd, Code.PRICE_OUT_OF_BAND);
    }
    // 7.
    const cloid: [number, number, number, number] = [cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3];
    if (hasCloid(cloid) && this.liveOrdersOf(cmd.accountId).some((o) => sameCloid(o.cloid, cloid))) {
      return this.#rejectCommand(cmd, Code.DUPLICATE_CLOID);
    }
    // 8.
    if (this.byId.has(cmd.orderId)) return this.#rejectCommand(cmd, Code.DUPLICATE_ORDER_ID);
    // 9.
    const couldRest = (isLimit && cmd.tif === TimeInForce.GTC) || isTrigger;
    if (couldRest && this.liveOrdersOf(cmd.accountId).length >= s.maxOpenOrdersPerAccount) {
      return this.#rejectCommand(cmd, Code.TOO_MANY_OPEN_ORDERS);
    }
    // 10.
    let partner: RefOrder | undefined;
    if (cmd.ocoOrderId !== 0) {
      partner = this.byId.get(cmd.ocoOrderId);
      if (
        !partner ||
        partner.triggerKind === TriggerKind.NONE ||
        partner.account !== cmd.accountId ||
        partner.side !== cmd.side ||
        partner.oco !== 0
      ) {
        return this.#rejectCommand(cmd, Code.INVALID_OCO_PARTNER);
      }
    }
    // 11.
    let size = cmd.sizeLots;
    if (isReduceOnly(cmd) && !isTrigger) {
      const r = this.reducible(cmd.accountId, cmd.side);
      if (r === 0) return this.#rejectCommand(cmd, Code.REDUCE_ONLY_WOULD_INCREASE);
      size = Math.min(size, r);
    }
    // 12.
    if (isPostOnly(cmd)) {
      const best = this.#bookOf(cmd.side ^ 1).best();
      if (best && crosses(cmd.side, cmd.priceTicks, best.price)) return this.#rejectCommand(cmd, Code.POST_ONLY_WOULD_CROSS);
    }
    const limit = isLimit ? cmd.priceTicks : cmd.side === Side.BUY ? this.bandHigh() : this.bandLow();
    // 13.
    if (cmd.tif === TimeInForce.FOK && !isTrigger) {
      if (this.fillableQuantity(cmd.accountId, cmd.side, cmd.stpMode, limit, size) < size) {
        return this.#rejectCommand(cmd, Code.FOK_CANNOT_FILL);
      }
    }

    const price = isLimit ? cmd.priceTicks : 0;
    this.#sink.onAccept(cmd.orderId, cmd.accountId, cmd.side, price, size, cmd.flags, isTrigger);
    const o: RefOrder = {
      id: cmd.orderId,
      account: cmd.accountId,
      side: cmd.side,
      orderType: cmd.orderType,
      tif: cmd.tif,
      flags: cmd.flags,
      stpMode: cmd.stpMode,
      price,
      remaining: size,
      filled: 0,
      cloid,
      tsUs: cmd.tsUs,
      triggerKind: cmd.triggerKind,
      triggerPrice: isTrigger ? cmd.triggerPriceTicks : 0,
      oco: 0,
    };
    if (isTrigger) {
      this.#park(o);
      if (partner) {
        o.oco = partner.id;
        partner.oco = o.id;
      }
      return Code.OK;
    }
    this.#execute(o, limit);
    return Code.OK;
  }

  #park(o: RefOrder): void {
    let i = 0;
    while (i < this.triggers.length && this.triggers[i].id < o.id) i++;
    this.triggers.splice(i, 0, o);
    this.byId.set(o.id, o);
  }

  // ---------------------------------------------------------------- execution

  /**
   * Docs "Fillable quantity (FOK)": what execution would fill against the book as it
   * is, simulating the positions of maker accounts for reduce-only makers.
   */
  fillableQuantity(account: number, side: number, stpMode: number, limit: number, size: number): number {
    const simulatedDelta = new Map<number, number>();
    let sum = 0;
    for (const level of this.#bookOf(side ^ 1).levels) {
      if (!crosses(side, limit, level.price)) break;
      for (const maker of level.orders) {
        if (maker.account === account) {
          if (stpMode === StpMode.EXPIRE_MAKER) continue;
          return sum;
        }
        let c = maker.remaining;
        const delta = simulatedDelta.get(maker.account) ?? 0;
        if (isReduceOnly(maker)) {
          const pos = (this.positions.get(maker.account) ?? 0) + delta;
          const r = maker.side === Side.BUY ? Math.max(0, -pos) : Math.max(0, pos);
          c = Math.min(c, r);
          if (c === 0) continue;
        }
        sum += c;
        simulatedDelta.set(maker.account, delta + (maker.side === Side.BUY ? c : -c));
        if (sum >= size) return sum;
      }
    }
    return sum;
  }

  /**
   * Docs "Execution of an incoming order", then the reduce-only sweep. `o` is not in
   * any structure when this starts; it joins the book if it rests.
   */
  #execute(o: RefOrder, limit: number): void {
    const changed = new Set<number>();
    const opposite = this.#bookOf(o.side ^ 1);
    let stop = StopReason.NONE;
    while (o.remaining > 0) {
      const level = opposite.best();
      if (!level || !crosses(o.side, limit, level.price)) break;
      const maker = level.orders[0];
      // 1. Self-trade.
      if (maker.account === o.account) {
        if (o.stpMode === StpMode.EXPIRE_TAKER) {
          stop = StopReason.STP;
          break;
        }
        this.#cancelLive(maker, CancelReason.STP_MAKER);
        if (o.stpMode === StpMode.EXPIRE_BOTH) {
          stop = StopReason.STP;
          break;
        }
        continue;
      }
      // 2. Reduce-only maker.
      let r = Infinity;
      if (isReduceOnly(maker)) {
        r = this.reducible(maker.account, maker.side);
        if (r === 0) {
          this.#cancelLive(maker, CancelReason.REDUCE_ONLY);
          continue;
        }
      }
      // 3. Reduce-only incoming.
      let rt = Infinity;
      if (isReduceOnly(o)) {
        rt = this.reducible(o.account, o.side);
        if (rt === 0) {
          stop = StopReason.REDUCE_ONLY;
          break;
        }
      }
      // 4. Fill at the maker's price.
      const q = Math.min(o.remaining, maker.remaining, r, rt);
      this.#movePosition(o.account, o.side === Side.BUY ? q : -q);
      this.#movePosition(maker.account, o.side === Side.BUY ? -q : q);
      changed.add(o.account);
      changed.add(maker.account);
      maker.remaining -= q;
      maker.filled += q;
      o.remaining -= q;
      o.filled += q;
      this.#sink.onFill(maker.id, maker.account, o.id, o.account, o.side, maker.price, q, maker.remaining, o.remaining, maker.flags, o.flags);
      if (maker.remaining === 0) {
        this.byId.delete(maker.id);
        opposite.remove(maker);
      }
      this.#emitLevel(maker.side, level);
    }

    if (o.remaining > 0) {
      if (stop === StopReason.STP) {
        this.#sink.onCancel(o.id, o.account, o.side, o.remaining, CancelReason.STP_TAKER, o.flags);
      } else if (stop === StopReason.REDUCE_ONLY) {
        this.#sink.onCancel(o.id, o.account, o.side, o.remaining, CancelReason.REDUCE_ONLY, o.flags);
      } else if (o.orderType === OrderType.LIMIT && o.tif === TimeInForce.GTC) {
        this.#restOnBook(o);
      } else if (o.orderType === OrderType.LIMIT && o.tif === TimeInForce.IOC) {
        this.#sink.onCancel(o.id, o.account, o.side, o.remaining, CancelReason.IOC_REMAINDER, o.flags);
      } else if (o.orderType === OrderType.MARKET) {
        this.#sink.onCancel(o.id, o.account, o.side, o.remaining, CancelReason.MARKET_REMAINDER, o.flags);
      } else {
        throw new Error(`reference: FOK order ${o.id} left ${o.remaining} unfilled after its fillable check`);
      }
    }
    this.#reduceOnlySweep(changed);
  }

  /** Docs "Reduce-only sweep". */
  #reduceOnlySweep(changed: Set<number>): void {
    const accounts = [...changed].sort((a, b) => a - b);
    for (const account of accounts) {
      const candidates = this.liveOrdersOf(account).filter(isReduceOnly);
      for (const o of candidates) {
        if (this.byId.get(o.id) !== o) continue; // cancelled meanwhile (OCO)
        const r = this.reducible(account, o.side);
        if (r === 0) {
          this.#cancelLive(o, CancelReason.REDUCE_ONLY);
        } else if (o.remaining > r) {
          const old = o.remaining;
          o.remaining = r;
          this.#sink.onReduce(o.id, o.account, o.side, old, r, o.flags);
          if (this.#isResting(o)) this.#emitLevel(o.side, this.#bookOf(o.side).level(o.price)!);
        }
      }
    }
  }

  // ---------------------------------------------------------------- CANCEL*

  #processCancel(cmd: Command): number {
    const o = this.byId.get(cmd.orderId);
    if (!o) return this.#rejectCommand(cmd, Code.UNKNOWN_ORDER);
    if (o.account !== cmd.accountId) return this.#rejectCommand(cmd, Code.NOT_OWNER);
    this.#cancelLive(o, CancelReason.USER);
    return Code.OK;
  }

  #processCancelByCloid(cmd: Command): number {
    const cloid = [cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3];
    const o = hasCloid(cloid) ? this.liveOrdersOf(cmd.accountId).find((x) => sameCloid(x.cloid, cloid)) : undefined;
    if (!o) return this.#rejectCommand(cmd, Code.UNKNOWN_ORDER);
    this.#cancelLive(o, CancelReason.USER);
    return Code.OK;
  }

  #processCancelAll(cmd: Command): number {
    for (const o of this.liveOrdersOf(cmd.accountId)) {
      if (this.byId.get(o.id) !== o) continue; // already cancelled as an OCO partner
      this.#cancelLive(o, CancelReason.MASS_CANCEL);
    }
    return Code.OK;
  }

  // ---------------------------------------------------------------- MODIFY

  #processModify(cmd: Command): number {
    const s = this.spec;
    // 1.
    const o = this.byId.get(cmd.orderId);
    if (!o) return this.#rejectCommand(cmd, Code.UNKNOWN_ORDER);
    if (o.account !== cmd.accountId) return this.#rejectCommand(cmd, Code.NOT_OWNER);
    // 2.
    if (this.marketStatus === MarketStatus.HALTED) return this.#rejectCommand(cmd, Code.MARKET_HALTED);
    // 2a.
    if (cmd.side !== o.side) return this.#rejectCommand(cmd, Code.MODIFY_SIDE_MISMATCH);
    // 3.
    if (!this.#isResting(o)) return this.#rejectCommand(cmd, Code.ORDER_NOT_MODIFIABLE);
    // 4.
    const newPrice = cmd.priceTicks;
    if (!this.#isValidPrice(newPrice)) return this.#rejectCommand(cmd, Code.INVALID_PRICE);
    const priceChanged = newPrice !== o.price;
    if (priceChanged && !this.#inBand(newPrice)) return this.#rejectCommand(cmd, Code.PRICE_OUT_OF_BAND);
    // 5.
    if (cmd.sizeLots !== 0) {
      if (!Number.isSafeInteger(cmd.sizeLots) || cmd.sizeLots < 1) return this.#rejectCommand(cmd, Code.INVALID_SIZE);
      if (cmd.sizeLots < s.minOrderLots) return this.#rejectCommand(cmd, Code.SIZE_BELOW_MIN);
      if (cmd.sizeLots > s.maxOrderLots) return this.#rejectCommand(cmd, Code.SIZE_ABOVE_MAX);
    }
    // 6.
    let n = cmd.sizeLots !== 0 ? cmd.sizeLots : o.remaining;
    if (isReduceOnly(o)) {
      const r = this.reducible(o.account, o.side);
      if (r === 0) return this.#rejectCommand(cmd, Code.REDUCE_ONLY_WOULD_INCREASE);
      n = Math.min(n, r);
    }
    // 7.
    if (!isReduceOnly(o) && n > o.remaining && cmd.preheldLots < n - o.remaining) {
      return this.#rejectCommand(cmd, Code.INSUFFICIENT_MARGIN);
    }
    // 8.
    if (isPostOnly(o) && priceChanged) {
      const best = this.#bookOf(o.side ^ 1).best();
      if (best && crosses(o.side, newPrice, best.price)) return this.#rejectCommand(cmd, Code.POST_ONLY_WOULD_CROSS);
    }

    const old = o.remaining;
    if (!priceChanged && n <= old) {
      o.remaining = n;
      this.#sink.onModify(o.id, o.account, o.side, newPrice, old, n, cmd.preheldLots, o.flags, false);
      if (n < old) this.#emitLevel(o.side, this.#bookOf(o.side).level(o.price)!);
      return Code.OK;
    }
    const level = this.#unlink(o)!;
    this.#sink.onModify(o.id, o.account, o.side, newPrice, old, n, cmd.preheldLots, o.flags, true);
    this.#emitLevel(o.side, level);
    o.price = newPrice;
    o.remaining = n;
    this.#execute(o, newPrice);
    return Code.OK;
  }

  // ---------------------------------------------------------------- market inputs

  #processSetMark(cmd: Command): number {
    if (!this.#isValidPrice(cmd.value)) return this.#rejectMarketInput(cmd, Code.INVALID_PRICE);
    this.mark = cmd.value;
    this.#sink.onMark(this.mark);
    if (this.marketStatus === MarketStatus.ACTIVE) this.#fireTriggers();
    return Code.OK;
  }

  #processSetStatus(cmd: Command): number {
    if (cmd.value !== MarketStatus.ACTIVE && cmd.value !== MarketStatus.HALTED) {
      return this.#rejectMarketInput(cmd, Code.INVALID_ORDER_FLAGS);
    }
    this.marketStatus = cmd.value;
    return Code.OK;
  }

  /** Picks the next trigger to fire at the current mark (docs "Triggers"), or undefined. */
  nextTriggerToFire(): RefOrder | undefined {
    let pick: RefOrder | undefined;
    for (const t of this.triggers) {
      // id order: strict comparisons keep the lowest id on ties
      if (firesAtOrAbove(t.side, t.triggerKind) && this.mark >= t.triggerPrice && (!pick || t.triggerPrice < pick.triggerPrice)) pick = t;
    }
    if (pick) return pick;
    for (const t of this.triggers) {
      if (!firesAtOrAbove(t.side, t.triggerKind) && this.mark <= t.triggerPrice && (!pick || t.triggerPrice > pick.triggerPrice)) pick = t;
    }
    return pick;
  }

  #fireTriggers(): void {
    for (let t = this.nextTriggerToFire(); t; t = this.nextTriggerToFire()) this.#fire(t);
  }

  #fire(t: RefOrder): void {
    // 1.
    this.#unlink(t);
    t.triggerKind = TriggerKind.NONE;
    t.triggerPrice = 0;
    this.#sink.onTrigger(t.id, t.account, this.mark);
    this.#maybeCancelOcoPartner(t);
    // 2.
    if (isReduceOnly(t)) {
      const r = this.reducible(t.account, t.side);
      if (r === 0) {
        this.#sink.onCancel(t.id, t.account, t.side, t.remaining, CancelReason.REDUCE_ONLY, t.flags);
        return;
      }
      if (t.remaining > r) {
        const old = t.remaining;
        t.remaining = r;
        this.#sink.onReduce(t.id, t.account, t.side, old, r, t.flags);
      }
    }
    // 3.
    const isLimit = t.orderType === OrderType.LIMIT;
    if (isLimit && !this.#inBand(t.price)) {
      this.#sink.onCancel(t.id, t.account, t.side, t.remaining, CancelReason.PRICE_BAND, t.flags);
      return;
    }
    const limit = isLimit ? t.price : t.side === Side.BUY ? this.bandHigh() : this.bandLow();
    // 4.
    if (t.tif === TimeInForce.FOK && this.fillableQuantity(t.account, t.side, t.stpMode, limit, t.remaining) < t.remaining) {
      this.#sink.onCancel(t.id, t.account, t.side, t.remaining, CancelReason.FOK_UNFILLED, t.flags);
      return;
    }
    // 5.
    this.#execute(t, limit);
  }

  // ---------------------------------------------------------------- queries

  stateHash(): string {
    return computeStateHash(this);
  }

  validateInternalState(): void {
    mustBeConsistent(this);
  }

  positionLots(accountId: number): number {
    return this.positions.get(accountId) ?? 0;
  }

  markPriceTicks(): number {
    return this.mark;
  }

  status(): number {
    return this.marketStatus;
  }

  bestBid(): number {
    return this.bids.bestPrice();
  }

  bestAsk(): number {
    return this.asks.bestPrice();
  }

  l2(side: number, depth: number): L2Level[] {
    return this.#bookOf(side)
      .levels.slice(0, Math.max(0, depth))
      .map((l) => ({ priceTicks: l.price, totalLots: levelTotal(l), orderCount: l.orders.length }));
  }

  openOrders(accountId: number): OrderView[] {
    return this.liveOrdersOf(accountId).map(toView);
  }

  order(orderId: number): OrderView | undefined {
    const o = this.byId.get(orderId);
    return o ? toView(o) : undefined;
  }

  liveOrderCount(): number {
    return this.byId.size;
  }
}

export const createReferenceMarket: MarketEngineFactory = (spec, sink) => new ReferenceMarket(spec, sink);
