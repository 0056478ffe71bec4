import { CancelReason, Code } from '../codes.js';
import { Op, type Command } from '../command.js';
import type { MarketEventSink } from '../events.js';
import type { L2Level, MarketEngine, MarketEngineFactory, OrderView } from '../market-engine.js';
import type { MarketSpec } from '../market-spec.js';
import { MarketStatus, NONE, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../types.js';
import { AccountTable } from './account-table.js';
import { fastL2, fastOrderView, fastOpenOrders, fastStateHash, fastValidate } from './fast-market-inspect.js';
import {
  META_MARKET,
  META_POST_ONLY,
  META_REDUCE_ONLY,
  META_TKIND_SHIFT,
  META_TRIGGER,
  META_HAS_CLOID,
  OrderStore,
  metaFlags,
  metaStp,
  metaTif,
  metaTriggerKind,
  packMeta,
} from './order-store.js';
import { PriceLadder } from './price-ladder.js';
import { CloidIndex, OrderIdIndex } from './slot-index.js';
import { TriggerSet } from './trigger-set.js';
import { TriggerStore } from './trigger-store.js';

const PPM = 1_000_000;
const META_CLEAR_TRIGGER = ~(META_TRIGGER | (3 << META_TKIND_SHIFT));

export interface FastMarketOptions {
  /** Initial order-slot capacity (grows by doubling). */
  initialOrders?: number;
}

/**
 * The fast market engine: price-time priority book with typed-array storage and no
 * allocation in steady state. Semantics: docs/matching.md (shared with the naive
 * reference book in engine/reference/, checked by the differential test).
 *
 * Hot-path notes (measured in bench/book):
 *  - The incoming order is written into a store slot up front; if it does not rest
 *    the slot goes straight back to the free list. One code path for new orders,
 *    modifies and fired triggers.
 *  - The execution loop always takes the head of the best opposite level, so a
 *    maker that survives a partial reduce-only fill is re-examined (and expired)
 *    without special cases.
 *  - Accounts touched by fills are collected with a stamp (no Set) and only those
 *    with reduce-only orders are swept.
 */
export class FastMarket implements MarketEngine {
  readonly spec: MarketSpec;
  readonly sink: MarketEventSink;
  readonly store: OrderStore;
  readonly ids: OrderIdIndex;
  readonly cloids: CloidIndex;
  readonly bids = new PriceLadder(true);
  readonly asks = new PriceLadder(false);
  readonly accounts = new AccountTable();
  readonly trig = new TriggerStore();
  readonly above = new TriggerSet(true);
  readonly below = new TriggerSet(false);
  mark: number;
  marketStatus: number = MarketStatus.ACTIVE;
  #touched = new Int32Array(64);
  #touchedCount = 0;
  #stamp = 0;

  constructor(spec: MarketSpec, sink: MarketEventSink, options: FastMarketOptions = {}) {
    this.spec = spec;
    this.sink = sink;
    this.store = new OrderStore(options.initialOrders ?? 1024);
    this.ids = new OrderIdIndex(this.store, (options.initialOrders ?? 1024) * 2);
    this.cloids = new CloidIndex(this.store, 64);
    this.mark = spec.initialMarkPriceTicks;
  }

  process(cmd: Command): number {
    switch (cmd.op) {
      case Op.PLACE:
        return this.#place(cmd);
      case Op.CANCEL:
        return this.#cancel(cmd);
      case Op.CANCEL_BY_CLOID:
        return this.#cancelByCloid(cmd);
      case Op.CANCEL_ALL:
        this.#cancelAll(cmd.accountId);
        return Code.OK;
      case Op.MODIFY:
        return this.#modify(cmd);
      case Op.SET_MARK_PRICE:
        return this.#setMark(cmd);
      case Op.SET_MARKET_STATUS:
        return this.#setStatus(cmd);
      default:
        return this.#reject(cmd, Code.UNKNOWN_OP);
    }
  }

  /** Refuses a command, echoing its fields (docs/matching.md, "Reject events"). */
  #reject(cmd: Command, code: number): number {
    this.sink.onReject(cmd.seq, cmd.orderId, cmd.accountId, code, cmd.side, cmd.preheldLots);
    return code;
  }

  /** SET_MARK_PRICE / SET_MARKET_STATUS carry no account. */
  #rejectMarketInput(cmd: Command, code: number): number {
    this.sink.onReject(cmd.seq, 0, 0, code, 0, 0);
    return code;
  }

  // ---------------------------------------------------------------- helpers

  #reducible(acct: number, side: number): number {
    const pos = this.accounts.posLots[acct];
    if (side === Side.BUY) return pos < 0 ? -pos : 0;
    return pos > 0 ? pos : 0;
  }

  #bandDelta(): number {
    return Math.floor((this.mark * this.spec.priceBandPpm) / PPM);
  }

  #bandEdge(side: number): number {
    return side === Side.BUY ? this.mark + this.#bandDelta() : this.mark - this.#bandDelta();
  }

  #inBand(priceTicks: number): boolean {
    const d = this.#bandDelta();
    return priceTicks >= this.mark - d && priceTicks <= this.mark + d;
  }

  /** Does the best opposite level cross `priceTicks` for an incoming order on `side`? */
  #crosses(side: number, priceTicks: number): boolean {
    if (side === Side.BUY) return this.asks.size > 0 && this.asks.bestPrice() <= priceTicks;
    return this.bids.size > 0 && this.bids.bestPrice() >= priceTicks;
  }

  static #triggerFiresAbove(kind: number, side: number): boolean {
    // STOP buy / TAKE_PROFIT sell fire on the way up; the others on the way down.
    return (kind === TriggerKind.STOP) === (side === Side.BUY);
  }

  #triggerSet(kind: number, side: number): TriggerSet {
    return FastMarket.#triggerFiresAbove(kind, side) ? this.above : this.below;
  }

  // ------------------------------------------------------------------ PLACE

  #place(cmd: Command): number {
    const orderId = cmd.orderId; // = cmd.seq, set by the sequencer
    const side = cmd.side;
    const orderType = cmd.orderType;
    const tif = cmd.tif;
    const flags = cmd.flags;
    const stp = cmd.stpMode;
    const kind = cmd.triggerKind;
    const spec = this.spec;
    if (this.marketStatus === MarketStatus.HALTED) return this.#reject(cmd, Code.MARKET_HALTED);
    if (
      (side !== 0 && side !== 1) ||
      (orderType !== OrderType.LIMIT && orderType !== OrderType.MARKET) ||
      (tif !== TimeInForce.GTC && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK) ||
      (stp !== StpMode.EXPIRE_TAKER && stp !== StpMode.EXPIRE_MAKER && stp !== StpMode.EXPIRE_BOTH) ||
      (kind !== TriggerKind.NONE && kind !== TriggerKind.STOP && kind !== TriggerKind.TAKE_PROFIT) ||
      !Number.isInteger(flags) ||
      (flags & ~3) !== 0
    ) {
      return this.#reject(cmd, Code.INVALID_ORDER_FLAGS);
    }
    const isTrigger = kind !== TriggerKind.NONE;
    const postOnly = (flags & 1) !== 0;
    const reduceOnly = (flags & 2) !== 0;
    if (
      (postOnly && (orderType !== OrderType.LIMIT || tif !== TimeInForce.GTC || isTrigger)) ||
      (orderType === OrderType.MARKET && tif === TimeInForce.GTC) ||
      (cmd.ocoOrderId !== 0 && !isTrigger)
    ) {
      return this.#reject(cmd, Code.INVALID_ORDER_FLAGS);
    }
    let size = cmd.sizeLots;
    if (!Number.isSafeInteger(size) || size < 1) return this.#reject(cmd, Code.INVALID_SIZE);
    if (size < spec.minOrderLots) return this.#reject(cmd, Code.SIZE_BELOW_MIN);
    if (size > spec.maxOrderLots) return this.#reject(cmd, Code.SIZE_ABOVE_MAX);
    const isLimit = orderType === OrderType.LIMIT;
    const price = isLimit ? cmd.priceTicks : 0;
    if (isLimit && (!Number.isSafeInteger(price) || price < 1 || price > spec.maxPriceTicks)) return this.#reject(cmd, Code.INVALID_PRICE);
    if (isTrigger) {
      const tp = cmd.triggerPriceTicks;
      if (!Number.isSafeInteger(tp) || tp < 1 || tp > spec.maxPriceTicks) return this.#reject(cmd, Code.INVALID_TRIGGER_PRICE);
      const crossed = FastMarket.#triggerFiresAbove(kind, side) ? this.mark >= tp : this.mark <= tp;
      if (crossed) return this.#reject(cmd, Code.TRIGGER_ALREADY_CROSSED);
    } else if (isLimit && !this.#inBand(price)) {
      return this.#reject(cmd, Code.PRICE_OUT_OF_BAND);
    }
    const acct = this.accounts.findOrAdd(cmd.accountId);
    const hasCloid = (cmd.cloid0 | cmd.cloid1 | cmd.cloid2 | cmd.cloid3) !== 0;
    if (hasCloid && this.cloids.get(acct, cmd.cloid0 | 0, cmd.cloid1 | 0, cmd.cloid2 | 0, cmd.cloid3 | 0) !== NONE) {
      return this.#reject(cmd, Code.DUPLICATE_CLOID);
    }
    if (this.ids.get(orderId) !== NONE) return this.#reject(cmd, Code.DUPLICATE_ORDER_ID);
    const canRest = isTrigger || (isLimit && tif === TimeInForce.GTC);
    if (canRest && this.accounts.openCount[acct] >= spec.maxOpenOrdersPerAccount) return this.#reject(cmd, Code.TOO_MANY_OPEN_ORDERS);
    let partner = NONE;
    if (cmd.ocoOrderId !== 0) {
      partner = this.ids.get(cmd.ocoOrderId);
      const st = this.store;
      if (
        partner === NONE ||
        (st.meta[partner] & META_TRIGGER) === 0 ||
        st.acct[partner] !== acct ||
        (st.meta[partner] & 1) !== side ||
        this.trig.oco[st.level[partner]] !== NONE
      ) {
        return this.#reject(cmd, Code.INVALID_OCO_PARTNER);
      }
    }
    if (reduceOnly && !isTrigger) {
      const r = this.#reducible(acct, side);
      if (r === 0) return this.#reject(cmd, Code.REDUCE_ONLY_WOULD_INCREASE);
      if (size > r) size = r;
    }
    if (postOnly && this.#crosses(side, price)) return this.#reject(cmd, Code.POST_ONLY_WOULD_CROSS);
    const limit = isLimit ? price : this.#bandEdge(side);
    if (tif === TimeInForce.FOK && !isTrigger && this.#fillable(side, acct, stp, limit, size) < size) {
      return this.#reject(cmd, Code.FOK_CANNOT_FILL);
    }

    // Accepted: write the order into a slot.
    const st = this.store;
    const slot = st.alloc();
    st.id[slot] = orderId;
    st.tsUs[slot] = cmd.tsUs;
    st.acct[slot] = acct;
    st.remaining[slot] = size;
    st.filled[slot] = 0;
    st.meta[slot] = packMeta(side, orderType, tif, flags, stp, kind, hasCloid);
    const cb = slot * 4;
    st.cloid[cb] = cmd.cloid0;
    st.cloid[cb + 1] = cmd.cloid1;
    st.cloid[cb + 2] = cmd.cloid2;
    st.cloid[cb + 3] = cmd.cloid3;
    this.sink.onAccept(orderId, cmd.accountId, side, price, size, flags, isTrigger);

    if (isTrigger) {
      const t = this.trig.alloc(cmd.triggerPriceTicks, price);
      st.level[slot] = t;
      this.#triggerSet(kind, side).add(slot, cmd.triggerPriceTicks, orderId);
      this.#index(slot);
      if (partner !== NONE) {
        this.trig.oco[t] = partner;
        this.trig.oco[st.level[partner]] = slot;
      }
      return Code.OK;
    }
    this.#execute(slot, limit, true);
    return Code.OK;
  }

  // -------------------------------------------------------------- execution

  /**
   * Matches the order in `slot` against the opposite side up to `limitTicks`, then
   * rests or cancels its remainder and runs the reduce-only sweep. `isNew`: the slot
   * is not yet indexed (a fresh PLACE); otherwise it is a modified or fired order
   * already in the id index and its account list.
   */
  #execute(slot: number, limitTicks: number, isNew: boolean): void {
    const st = this.store;
    const accts = this.accounts;
    const pos = accts.posLots;
    const sink = this.sink;
    const meta = st.meta[slot];
    const side = meta & 1;
    const acct = st.acct[slot];
    const takerRO = (meta & META_REDUCE_ONLY) !== 0;
    const stp = metaStp(meta);
    const orderId = st.id[slot];
    const accountId = accts.globalId[acct];
    const flags = metaFlags(meta);
    const opp = side === Side.BUY ? this.asks : this.bids;
    const oppSide = side ^ 1;
    const stamp = ++this.#stamp;
    this.#touchedCount = 0;
    let rem = st.remaining[slot];
    let filled = st.filled[slot];
    let stopReason = 0;

    while (rem > 0) {
      const lvl = opp.best();
      if (lvl === NONE) break;
      const lp = opp.price[lvl];
      if (side === Side.BUY ? lp > limitTicks : lp < limitTicks) break;
      const m = opp.head[lvl];
      const mAcct = st.acct[m];
      if (mAcct === acct) {
        if (stp === StpMode.EXPIRE_MAKER) {
          this.#cancelResting(m, CancelReason.STP_MAKER);
          continue;
        }
        if (stp === StpMode.EXPIRE_BOTH) this.#cancelResting(m, CancelReason.STP_MAKER);
        stopReason = CancelReason.STP_TAKER;
        break;
      }
      const mMeta = st.meta[m];
      let mRem = st.remaining[m];
      let q = rem < mRem ? rem : mRem;
      if ((mMeta & META_REDUCE_ONLY) !== 0) {
        const r = this.#reducible(mAcct, oppSide);
        if (r === 0) {
          this.#cancelResting(m, CancelReason.REDUCE_ONLY);
          continue;
        }
        if (r < q) q = r;
      }
      if (takerRO) {
        const rt = this.#reducible(acct, side);
        if (rt === 0) {
          stopReason = CancelReason.REDUCE_ONLY;
          break;
        }
        if (rt < q) q = rt;
      }
      mRem -= q;
      st.remaining[m] = mRem;
      st.filled[m] += q;
      rem -= q;
      filled += q;
      opp.total[lvl] -= q;
      if (side === Side.BUY) {
        pos[acct] += q;
        pos[mAcct] -= q;
      } else {
        pos[acct] -= q;
        pos[mAcct] += q;
      }
      if (accts.touchStamp[acct] !== stamp) this.#touch(acct, stamp);
      if (accts.touchStamp[mAcct] !== stamp) this.#touch(mAcct, stamp);
      sink.onFill(st.id[m], accts.globalId[mAcct], orderId, accountId, side, lp, q, mRem, rem, metaFlags(mMeta), flags);
      if (mRem === 0) {
        const nxt = st.next[m];
        opp.head[lvl] = nxt;
        if (nxt === NONE) opp.tail[lvl] = NONE;
        else st.prev[nxt] = NONE;
        opp.count[lvl]--;
        this.#unindex(m);
        st.free(m);
      }
      const cnt = opp.count[lvl];
      sink.onLevel(oppSide, lp, opp.total[lvl], cnt);
      if (cnt === 0) opp.removeLevel(lvl);
    }

    st.remaining[slot] = rem;
    st.filled[slot] = filled;
    if (rem === 0) {
      if (!isNew) this.#unindex(slot);
      st.free(slot);
    } else if (stopReason !== 0) {
      this.#dropUnbooked(slot, stopReason, isNew);
    } else if ((meta & META_MARKET) === 0 && metaTif(meta) === TimeInForce.GTC) {
      this.#rest(slot, limitTicks, isNew);
    } else {
      this.#dropUnbooked(slot, (meta & META_MARKET) !== 0 ? CancelReason.MARKET_REMAINDER : CancelReason.IOC_REMAINDER, isNew);
    }
    if (this.#touchedCount > 0) this.#sweep();
  }

  #touch(acct: number, stamp: number): void {
    this.accounts.touchStamp[acct] = stamp;
    if (this.#touchedCount === this.#touched.length) {
      const t = new Int32Array(this.#touched.length * 2);
      t.set(this.#touched);
      this.#touched = t;
    }
    this.#touched[this.#touchedCount++] = acct;
  }

  /** Puts the order at the tail of its price level. */
  #rest(slot: number, priceTicks: number, isNew: boolean): void {
    const st = this.store;
    const side = st.meta[slot] & 1;
    const ladder = side === Side.BUY ? this.bids : this.asks;
    const lvl = ladder.findOrCreate(priceTicks);
    const tail = ladder.tail[lvl];
    st.prev[slot] = tail;
    st.next[slot] = NONE;
    if (tail === NONE) ladder.head[lvl] = slot;
    else st.next[tail] = slot;
    ladder.tail[lvl] = slot;
    const rem = st.remaining[slot];
    ladder.total[lvl] += rem;
    ladder.count[lvl]++;
    st.level[slot] = lvl;
    if (isNew) this.#index(slot);
    this.sink.onRest(st.id[slot], this.accounts.globalId[st.acct[slot]], side, priceTicks, rem);
    this.sink.onLevel(side, priceTicks, ladder.total[lvl], ladder.count[lvl]);
  }

  /** Adds a slot to the id/cloid indexes and its account's open-order list. */
  #index(slot: number): void {
    const st = this.store;
    const accts = this.accounts;
    this.ids.add(slot);
    const meta = st.meta[slot];
    if ((meta & META_HAS_CLOID) !== 0) this.cloids.add(slot);
    const a = st.acct[slot];
    const tail = accts.tail[a];
    st.aPrev[slot] = tail;
    st.aNext[slot] = NONE;
    if (tail === NONE) accts.head[a] = slot;
    else st.aNext[tail] = slot;
    accts.tail[a] = slot;
    accts.openCount[a]++;
    if ((meta & META_REDUCE_ONLY) !== 0) accts.roCount[a]++;
  }

  /** Reverse of #index (the slot is still allocated; the caller frees it). */
  #unindex(slot: number): void {
    const st = this.store;
    const accts = this.accounts;
    this.ids.remove(slot);
    const meta = st.meta[slot];
    if ((meta & META_HAS_CLOID) !== 0) this.cloids.remove(slot);
    const a = st.acct[slot];
    const p = st.aPrev[slot];
    const n = st.aNext[slot];
    if (p === NONE) accts.head[a] = n;
    else st.aNext[p] = n;
    if (n === NONE) accts.tail[a] = p;
    else st.aPrev[n] = p;
    accts.openCount[a]--;
    if ((meta & META_REDUCE_ONLY) !== 0) accts.roCount[a]--;
  }

  /** Cancels an order that is neither resting nor parked (incoming rest, fired trigger). */
  #dropUnbooked(slot: number, reason: number, isNew: boolean): void {
    const st = this.store;
    const meta = st.meta[slot];
    this.sink.onCancel(st.id[slot], this.accounts.globalId[st.acct[slot]], meta & 1, st.remaining[slot], reason, metaFlags(meta));
    if (!isNew) this.#unindex(slot);
    st.free(slot);
  }

  /** Takes a resting order out of its level (emits onLevel), without events for the order itself. */
  #unlinkFromLevel(slot: number): void {
    const st = this.store;
    const side = st.meta[slot] & 1;
    const ladder = side === Side.BUY ? this.bids : this.asks;
    const lvl = st.level[slot];
    const p = st.prev[slot];
    const n = st.next[slot];
    if (p === NONE) ladder.head[lvl] = n;
    else st.next[p] = n;
    if (n === NONE) ladder.tail[lvl] = p;
    else st.prev[n] = p;
    ladder.total[lvl] -= st.remaining[slot];
    const cnt = --ladder.count[lvl];
    this.sink.onLevel(side, ladder.price[lvl], ladder.total[lvl], cnt);
    if (cnt === 0) ladder.removeLevel(lvl);
  }

  #cancelResting(slot: number, reason: number): void {
    const st = this.store;
    const meta = st.meta[slot];
    this.sink.onCancel(st.id[slot], this.accounts.globalId[st.acct[slot]], meta & 1, st.remaining[slot], reason, metaFlags(meta));
    this.#unlinkFromLevel(slot);
    this.#unindex(slot);
    st.free(slot);
  }

  /** Cancels a parked trigger; clears its partner's back link (the caller cancels the partner). */
  #cancelTrigger(slot: number, reason: number): void {
    const st = this.store;
    const meta = st.meta[slot];
    const t = st.level[slot];
    this.sink.onCancel(st.id[slot], this.accounts.globalId[st.acct[slot]], meta & 1, st.remaining[slot], reason, metaFlags(meta));
    this.#triggerSet(metaTriggerKind(meta), meta & 1).remove(this.trig.triggerPrice[t], st.id[slot]);
    const partner = this.trig.oco[t];
    if (partner !== NONE) this.trig.oco[st.level[partner]] = NONE;
    this.trig.free(t);
    this.#unindex(slot);
    st.free(slot);
  }

  #cancelAny(slot: number, reason: number): void {
    if ((this.store.meta[slot] & META_TRIGGER) !== 0) this.#cancelTrigger(slot, reason);
    else this.#cancelResting(slot, reason);
  }

  #partnerOf(slot: number): number {
    const st = this.store;
    return (st.meta[slot] & META_TRIGGER) !== 0 ? this.trig.oco[st.level[slot]] : NONE;
  }

  /** Cancels an order, then its OCO partner (reason OCO). */
  #cancelWithOco(slot: number, reason: number): void {
    const partner = this.#partnerOf(slot);
    this.#cancelAny(slot, reason);
    if (partner !== NONE) this.#cancelAny(partner, CancelReason.OCO);
  }

  /** Reduce-only sweep over the accounts touched by the last execution (ascending account id). */
  #sweep(): void {
    const accts = this.accounts;
    const touched = this.#touched;
    const n = this.#touchedCount;
    this.#touchedCount = 0;
    // Insertion sort by global account id: n is tiny (taker + makers of one order).
    for (let i = 1; i < n; i++) {
      const a = touched[i];
      const g = accts.globalId[a];
      let j = i - 1;
      while (j >= 0 && accts.globalId[touched[j]] > g) {
        touched[j + 1] = touched[j];
        j--;
      }
      touched[j + 1] = a;
    }
    const st = this.store;
    for (let i = 0; i < n; i++) {
      const a = touched[i];
      if (accts.roCount[a] === 0) continue;
      let o = accts.head[a];
      while (o !== NONE) {
        let next = st.aNext[o];
        const meta = st.meta[o];
        if ((meta & META_REDUCE_ONLY) !== 0) {
          const side = meta & 1;
          const r = this.#reducible(a, side);
          const rem = st.remaining[o];
          if (r === 0) {
            const partner = this.#partnerOf(o);
            this.#cancelAny(o, CancelReason.REDUCE_ONLY);
            if (partner !== NONE) {
              if (next === partner) next = st.aNext[partner];
              this.#cancelAny(partner, CancelReason.OCO);
            }
          } else if (rem > r) {
            st.remaining[o] = r;
            this.sink.onReduce(st.id[o], accts.globalId[a], side, rem, r, metaFlags(meta));
            if ((meta & META_TRIGGER) === 0) {
              const ladder = side === Side.BUY ? this.bids : this.asks;
              const lvl = st.level[o];
              ladder.total[lvl] -= rem - r;
              this.sink.onLevel(side, ladder.price[lvl], ladder.total[lvl], ladder.count[lvl]);
            }
          }
        }
        o = next;
      }
    }
  }

  /** What an incoming order would fill (FOK check), per docs/matching.md "Fillable quantity". */
  #fillable(side: number, acct: number, stp: number, limitTicks: number, need: number): number {
    const opp = side === Side.BUY ? this.asks : this.bids;
    const st = this.store;
    const accts = this.accounts;
    const stamp = ++this.#stamp;
    let sum = 0;
    for (let i = opp.size - 1; i >= 0; i--) {
      const lvl = opp.sortedLevel[i];
      const lp = opp.price[lvl];
      if (side === Side.BUY ? lp > limitTicks : lp < limitTicks) break;
      for (let m = opp.head[lvl]; m !== NONE; m = st.next[m]) {
        const ma = st.acct[m];
        if (ma === acct) {
          if (stp === StpMode.EXPIRE_MAKER) continue;
          return sum;
        }
        if (accts.simStamp[ma] !== stamp) {
          accts.simStamp[ma] = stamp;
          accts.simPosLots[ma] = accts.posLots[ma];
        }
        let q = st.remaining[m];
        if ((st.meta[m] & META_REDUCE_ONLY) !== 0) {
          const p = accts.simPosLots[ma];
          // maker is on the opposite side: it reduces a long by selling, a short by buying
          const r = side === Side.BUY ? (p > 0 ? p : 0) : p < 0 ? -p : 0;
          if (r === 0) continue;
          if (r < q) q = r;
        }
        if (q > need - sum) q = need - sum;
        accts.simPosLots[ma] += side === Side.BUY ? -q : q;
        sum += q;
        if (sum >= need) return sum;
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- CANCELS

  #cancel(cmd: Command): number {
    const slot = this.ids.get(cmd.orderId);
    if (slot === NONE) return this.#reject(cmd, Code.UNKNOWN_ORDER);
    if (this.accounts.globalId[this.store.acct[slot]] !== cmd.accountId) return this.#reject(cmd, Code.NOT_OWNER);
    this.#cancelWithOco(slot, CancelReason.USER);
    return Code.OK;
  }

  #cancelByCloid(cmd: Command): number {
    const acct = this.accounts.find(cmd.accountId);
    const hasCloid = (cmd.cloid0 | cmd.cloid1 | cmd.cloid2 | cmd.cloid3) !== 0;
    const slot = acct === NONE || !hasCloid ? NONE : this.cloids.get(acct, cmd.cloid0 | 0, cmd.cloid1 | 0, cmd.cloid2 | 0, cmd.cloid3 | 0);
    if (slot === NONE) return this.#reject(cmd, Code.UNKNOWN_ORDER);
    this.#cancelWithOco(slot, CancelReason.USER);
    return Code.OK;
  }

  /** Cancels every open order of an account (order-id order). Returns how many were cancelled by this call. */
  #cancelAll(accountId: number): number {
    const a = this.accounts.find(accountId);
    if (a === NONE) return 0;
    const st = this.store;
    let count = 0;
    let o = this.accounts.head[a];
    while (o !== NONE) {
      let next = st.aNext[o];
      const partner = this.#partnerOf(o);
      this.#cancelAny(o, CancelReason.MASS_CANCEL);
      count++;
      if (partner !== NONE) {
        if (next === partner) next = st.aNext[partner];
        this.#cancelAny(partner, CancelReason.OCO);
        count++;
      }
      o = next;
    }
    return count;
  }

  // ----------------------------------------------------------------- MODIFY

  #modify(cmd: Command): number {
    const orderId = cmd.orderId;
    const slot = this.ids.get(orderId);
    if (slot === NONE) return this.#reject(cmd, Code.UNKNOWN_ORDER);
    const st = this.store;
    const acct = st.acct[slot];
    if (this.accounts.globalId[acct] !== cmd.accountId) return this.#reject(cmd, Code.NOT_OWNER);
    if (this.marketStatus === MarketStatus.HALTED) return this.#reject(cmd, Code.MARKET_HALTED);
    const meta = st.meta[slot];
    const side = meta & 1;
    if (cmd.side !== side) return this.#reject(cmd, Code.MODIFY_SIDE_MISMATCH);
    if ((meta & META_TRIGGER) !== 0) return this.#reject(cmd, Code.ORDER_NOT_MODIFIABLE);
    const spec = this.spec;
    const newPrice = cmd.priceTicks;
    if (!Number.isSafeInteger(newPrice) || newPrice < 1 || newPrice > spec.maxPriceTicks) return this.#reject(cmd, Code.INVALID_PRICE);
    const ladder = side === Side.BUY ? this.bids : this.asks;
    const lvl = st.level[slot];
    const oldPrice = ladder.price[lvl];
    const priceChanged = newPrice !== oldPrice;
    if (priceChanged && !this.#inBand(newPrice)) return this.#reject(cmd, Code.PRICE_OUT_OF_BAND);
    const sizeLots = cmd.sizeLots;
    if (sizeLots !== 0) {
      if (!Number.isSafeInteger(sizeLots) || sizeLots < 1) return this.#reject(cmd, Code.INVALID_SIZE);
      if (sizeLots < spec.minOrderLots) return this.#reject(cmd, Code.SIZE_BELOW_MIN);
      if (sizeLots > spec.maxOrderLots) return this.#reject(cmd, Code.SIZE_ABOVE_MAX);
    }
    const rem = st.remaining[slot];
    let n = sizeLots !== 0 ? sizeLots : rem;
    if ((meta & META_REDUCE_ONLY) !== 0) {
      const r = this.#reducible(acct, side);
      if (r === 0) return this.#reject(cmd, Code.REDUCE_ONLY_WOULD_INCREASE);
      if (n > r) n = r;
    } else if (n > rem && cmd.preheldLots < n - rem) {
      return this.#reject(cmd, Code.INSUFFICIENT_MARGIN);
    }
    if ((meta & META_POST_ONLY) !== 0 && priceChanged && this.#crosses(side, newPrice)) return this.#reject(cmd, Code.POST_ONLY_WOULD_CROSS);

    const flags = metaFlags(meta);
    if (!priceChanged && n <= rem) {
      this.sink.onModify(orderId, cmd.accountId, side, newPrice, rem, n, cmd.preheldLots, flags, false);
      if (n < rem) {
        st.remaining[slot] = n;
        ladder.total[lvl] -= rem - n;
        this.sink.onLevel(side, oldPrice, ladder.total[lvl], ladder.count[lvl]);
      }
      return Code.OK;
    }
    this.sink.onModify(orderId, cmd.accountId, side, newPrice, rem, n, cmd.preheldLots, flags, true);
    this.#unlinkFromLevel(slot);
    st.remaining[slot] = n;
    this.#execute(slot, newPrice, false);
    return Code.OK;
  }

  // ------------------------------------------------------ MARK and TRIGGERS

  #setMark(cmd: Command): number {
    const p = cmd.value;
    if (!Number.isSafeInteger(p) || p < 1 || p > this.spec.maxPriceTicks) return this.#rejectMarketInput(cmd, Code.INVALID_PRICE);
    this.mark = p;
    this.sink.onMark(p);
    if (this.marketStatus === MarketStatus.HALTED) return Code.OK;
    for (;;) {
      if (this.above.due(p)) this.#fire(this.above);
      else if (this.below.due(p)) this.#fire(this.below);
      else break;
    }
    return Code.OK;
  }

  #fire(set: TriggerSet): void {
    const st = this.store;
    const accts = this.accounts;
    const slot = set.popSlot();
    const t = st.level[slot];
    const orderId = st.id[slot];
    const acct = st.acct[slot];
    const accountId = accts.globalId[acct];
    this.sink.onTrigger(orderId, accountId, this.mark);
    const partner = this.trig.oco[t];
    const limitPrice = this.trig.limitPrice[t];
    this.trig.free(t);
    const meta = st.meta[slot] & META_CLEAR_TRIGGER;
    st.meta[slot] = meta;
    if (partner !== NONE) {
      this.trig.oco[st.level[partner]] = NONE;
      this.#cancelAny(partner, CancelReason.OCO);
    }
    const side = meta & 1;
    let rem = st.remaining[slot];
    if ((meta & META_REDUCE_ONLY) !== 0) {
      const r = this.#reducible(acct, side);
      if (r === 0) {
        this.#dropUnbooked(slot, CancelReason.REDUCE_ONLY, false);
        return;
      }
      if (rem > r) {
        st.remaining[slot] = r;
        this.sink.onReduce(orderId, accountId, side, rem, r, metaFlags(meta));
        rem = r;
      }
    }
    const isMarket = (meta & META_MARKET) !== 0;
    if (!isMarket && !this.#inBand(limitPrice)) {
      this.#dropUnbooked(slot, CancelReason.PRICE_BAND, false);
      return;
    }
    const limit = isMarket ? this.#bandEdge(side) : limitPrice;
    if (metaTif(meta) === TimeInForce.FOK && this.#fillable(side, acct, metaStp(meta), limit, rem) < rem) {
      this.#dropUnbooked(slot, CancelReason.FOK_UNFILLED, false);
      return;
    }
    this.#execute(slot, limit, false);
  }

  #setStatus(cmd: Command): number {
    const v = cmd.value;
    if (v !== MarketStatus.ACTIVE && v !== MarketStatus.HALTED) return this.#rejectMarketInput(cmd, Code.INVALID_ORDER_FLAGS);
    this.marketStatus = v;
    return Code.OK;
  }

  // ---------------------------------------------------------------- queries

  stateHash(): string {
    return fastStateHash(this);
  }
  validateInternalState(): void {
    fastValidate(this);
  }
  positionLots(accountId: number): number {
    const a = this.accounts.find(accountId);
    return a === NONE ? 0 : this.accounts.posLots[a];
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
    return fastL2(side === Side.BUY ? this.bids : this.asks, depth);
  }
  openOrders(accountId: number): OrderView[] {
    return fastOpenOrders(this, accountId);
  }
  order(orderId: number): OrderView | undefined {
    const slot = this.ids.get(orderId);
    return slot === NONE ? undefined : fastOrderView(this, slot);
  }
  liveOrderCount(): number {
    return this.ids.size;
  }
}

export const createFastMarket: MarketEngineFactory = (spec, sink) => new FastMarket(spec, sink);
