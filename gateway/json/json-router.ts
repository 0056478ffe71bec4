import { CancelReason, Code } from '../../engine/codes.js';
import { Op, type Command } from '../../engine/command.js';
import type { Ledger } from '../../engine/ledger/ledger.js';
import type { EventStreamHandler } from '../../engine/ring/event-codec.js';
import { feeMicros } from '../../engine/risk/margin.js';
import { notionalMicros } from '../../engine/risk/notional.js';
import { OrderFlag, Side } from '../../engine/types.js';
import { cloidHexFromWords } from '../binary/cloid.js';
import { CandleStore } from './candles.js';
import { formatMicros } from './decimal.js';
import { LevelBook } from './level-book.js';
import type { MarketGrid } from './market-grid.js';
import {
  AccountOrders,
  basicOrderView,
  newOrderRecord,
  sideLetter,
  statusForCancel,
  statusForReject,
  type HlOrderStatus,
  type OrderRecord,
  type PlaceDetails,
} from './order-records.js';
import { PositionMirror } from './position-mirror.js';

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const TS_RING_BITS = 18;
const TS_RING_MASK = (1 << TS_RING_BITS) - 1;

/**
 * What one submitted command did, gathered from its events until its DONE: enough
 * for Hyperliquid's per-order statuses (resting oid / filled totalSz avgPx / error).
 */
export class CommandOutcome {
  rejectCode = 0;
  accepted = false;
  isTrigger = false;
  acceptedLots = 0;
  rested = false;
  modified = false;
  cancelled = false;
  cancelReason = 0;
  filledLots = 0;
  /** Σ price × lots of this order's fills as taker (BigInt: may pass 2^53). */
  notionalTickLots = 0n;
  /** CANCEL_ALL: orders cancelled. */
  cancelledCount = 0;
  doneCode: number = Code.OK;
  timedOut = false;
  #dones: number;

  constructor(
    /** The order the command is about (PLACE: its seq; CANCEL/MODIFY: the target). */
    readonly orderId: number,
    readonly resolve: (o: CommandOutcome) => void,
    /** Wall-clock ms after which the request gives up (coarse sweep). */
    readonly deadlineMs: number,
    dones = 1,
    /** Cancels caused by this command are scheduled cancels (scheduleCancel). */
    readonly scheduled = false,
  ) {
    this.#dones = dones;
  }

  /** Counts a DONE; true when the last expected one arrived. */
  noteDone(code: number): boolean {
    if (code !== Code.OK) this.doneCode = code;
    return --this.#dones <= 0;
  }
}

/** Where pushes go (the WebSocket hub); the router buffers per drain batch and hands them over at its end. */
export interface JsonPushSink {
  wantsUser(address: string): boolean;
  wantsTrades(marketId: number): boolean;
  pushOrderUpdates(address: string, updates: readonly object[]): void;
  pushUserFills(address: string, fills: readonly object[]): void;
  pushTrades(marketId: number, trades: readonly object[]): void;
}

interface TrackedAccount {
  address: string;
  orders: AccountOrders;
  /** HL-shaped fills, oldest first, bounded. */
  fills: Record<string, unknown>[];
}

interface MarketState {
  grid: MarketGrid;
  book: LevelBook;
  lastTradeTicks: number;
  /** Σ long lots (open interest), from fills. */
  openInterestLots: number;
}

export interface JsonRouterOptions {
  grids: readonly MarketGrid[];
  ledger: Ledger;
  /** Per tracked account: finished orders kept for orderStatus. */
  maxOrderHistory: number;
  /** Per tracked account: fills kept for userFills. */
  maxFillsPerAccount: number;
}

/**
 * The JSON API's publication handler (beside the binary ReportRouter, through
 * PublishFanout). From the settled event stream it keeps:
 *
 *  - the outcome of every command the JSON API submitted, answered at its DONE;
 *  - orders and fills of tracked accounts (those with an address), for openOrders,
 *    orderStatus, userFills and the orderUpdates / userFills pushes;
 *  - per market: a sorted L2 book, open interest, last trade, candles.
 *
 * Timestamps are the causing command's sequencer time (noteSequenced). Bounded:
 * outcomes by in-flight commands (plus a deadline sweep), orders by the engine's
 * open-order limit and `maxOrderHistory`, fills by `maxFillsPerAccount`.
 */
export class JsonRouter implements EventStreamHandler {
  readonly #o: JsonRouterOptions;
  readonly #markets = new Map<number, MarketState>();
  readonly #accounts = new Map<number, TrackedAccount>();
  readonly #pending = new Map<number, CommandOutcome>();
  readonly #placeDetails = new Map<number, PlaceDetails>();
  readonly #tsBySeq = new Float64Array(1 << TS_RING_BITS);
  readonly #positions = new PositionMirror();
  readonly candles: CandleStore;
  #sink: JsonPushSink | undefined;
  #nextTradeId = 1;
  // per-event context
  #marketId = 0;
  #market: MarketState | undefined;
  #causeSeq = -1;
  #watch: CommandOutcome | undefined;
  #tsMs = 0;
  // pushes buffered until the end of the drain batch
  readonly #outUpdates = new Map<string, object[]>();
  readonly #outFills = new Map<string, object[]>();
  readonly #outTrades = new Map<number, object[]>();

  constructor(options: JsonRouterOptions) {
    this.#o = options;
    for (const g of options.grids) this.#markets.set(g.marketId, { grid: g, book: new LevelBook(), lastTradeTicks: 0, openInterestLots: 0 });
    this.candles = new CandleStore(options.grids.map((g) => g.marketId));
  }

  setSink(sink: JsonPushSink): void {
    this.#sink = sink;
  }

  // ---------------------------------------------------------------- accounts

  /** Starts keeping orders and fills of an address-mapped account (idempotent). */
  track(accountId: number, address: string): void {
    if (this.#accounts.has(accountId)) return;
    this.#accounts.set(accountId, { address, orders: new AccountOrders(this.#o.maxOrderHistory), fills: [] });
    const view = this.#o.ledger.accountView(accountId);
    for (const p of view?.positions ?? []) this.#positions.set(accountId, p.marketId, p.lots, p.costMicros);
  }

  addressOf(accountId: number): string | undefined {
    return this.#accounts.get(accountId)?.address;
  }

  ordersOf(accountId: number): AccountOrders | undefined {
    return this.#accounts.get(accountId)?.orders;
  }

  fillsOf(accountId: number): readonly Record<string, unknown>[] {
    return this.#accounts.get(accountId)?.fills ?? [];
  }

  market(marketId: number): MarketState | undefined {
    return this.#markets.get(marketId);
  }

  // ------------------------------------------------------------- submissions

  /** Registers the outcome collector of a sequenced command (before its events can arrive). */
  expect(seq: number, outcome: CommandOutcome): void {
    this.#pending.set(seq, outcome);
  }

  /** Journal-side hook (fan-out of the runtime's onSequenced): timestamps and PLACE details. */
  noteSequenced(cmd: Command): void {
    this.#tsBySeq[cmd.seq & TS_RING_MASK] = cmd.tsUs;
    if (cmd.op !== Op.PLACE || !this.#accounts.has(cmd.accountId)) return;
    this.#placeDetails.set(cmd.seq, {
      orderType: cmd.orderType,
      tif: cmd.tif,
      postOnly: (cmd.flags & OrderFlag.POST_ONLY) !== 0,
      reduceOnly: (cmd.flags & OrderFlag.REDUCE_ONLY) !== 0,
      triggerKind: cmd.triggerKind,
      triggerPxTicks: cmd.triggerPriceTicks,
      limitPxTicks: cmd.priceTicks,
      sizeLots: cmd.sizeLots,
      side: cmd.side,
      marketId: cmd.marketId,
      cloid: cmd.hasCloid() ? `0x${cloidHexFromWords(cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3)}` : null,
      tsMs: Math.floor(cmd.tsUs / 1000),
    });
  }

  /** Gives up on commands past their deadline (their requests answer with an error). */
  sweepExpired(nowMs: number): void {
    for (const [seq, o] of this.#pending) {
      if (o.deadlineMs > nowMs) continue;
      this.#pending.delete(seq);
      o.timedOut = true;
      o.resolve(o);
    }
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  // ------------------------------------------------------------ event stream

  setContext(marketId: number, causeSeq: number): void {
    if (causeSeq === this.#causeSeq && marketId === this.#marketId) return;
    this.#marketId = marketId;
    this.#market = this.#markets.get(marketId);
    this.#causeSeq = causeSeq;
    this.#watch = this.#pending.get(causeSeq);
    this.#tsMs = Math.floor(this.#tsBySeq[causeSeq & TS_RING_MASK] / 1000);
  }

  onReject(seq: number, orderId: number, accountId: number, code: number): void {
    const w = this.#watch;
    if (w !== undefined) w.rejectCode = code;
    const d = this.#placeDetails.get(seq);
    const acct = this.#accounts.get(accountId);
    if (d === undefined || acct === undefined || orderId !== seq) return;
    const r = newOrderRecord(orderId, accountId, d, d.sizeLots);
    acct.orders.finish(r, statusForReject(code), this.#tsMs);
    this.#queueUpdate(acct, r);
  }

  onAccept(orderId: number, accountId: number, _side: number, _priceTicks: number, sizeLots: number, _flags: number, isTrigger: boolean): void {
    const w = this.#watch;
    if (w !== undefined && w.orderId === orderId) {
      w.accepted = true;
      w.isTrigger = isTrigger;
      w.acceptedLots = sizeLots;
    }
    const acct = this.#accounts.get(accountId);
    const d = this.#placeDetails.get(orderId);
    if (acct === undefined || d === undefined) return;
    const r = newOrderRecord(orderId, accountId, d, sizeLots);
    acct.orders.add(r);
    this.#queueUpdate(acct, r);
  }

  onFill(mo: number, ma: number, to: number, ta: number, takerSide: number, priceTicks: number, q: number, mr: number, tr: number): void {
    const md = this.#market!;
    const spec = md.grid.spec;
    const w = this.#watch;
    if (w !== undefined && w.orderId === to) {
      w.filledLots += q;
      w.notionalTickLots += BigInt(priceTicks) * BigInt(q);
    }
    const tid = this.#nextTradeId++;
    const notional = notionalMicros(q, priceTicks, spec);
    const makerSide = takerSide ^ 1;
    md.openInterestLots += this.#openInterestDelta(ma, makerSide, q) + this.#openInterestDelta(ta, takerSide, q);
    this.#fillSide(ma, mo, makerSide, false, priceTicks, q, mr, feeMicros(notional, spec.makerFeePpm), tid);
    this.#fillSide(ta, to, takerSide, true, priceTicks, q, tr, feeMicros(notional, spec.takerFeePpm), tid);
    md.lastTradeTicks = priceTicks;
    this.candles.addTrade(this.#marketId, this.#tsMs, priceTicks, q, notional);
    if (this.#sink?.wantsTrades(this.#marketId)) {
      const buyer = takerSide === Side.BUY ? ta : ma;
      const seller = takerSide === Side.BUY ? ma : ta;
      let list = this.#outTrades.get(this.#marketId);
      if (!list) this.#outTrades.set(this.#marketId, (list = []));
      list.push({
        coin: md.grid.coin,
        side: sideLetter(takerSide),
        px: md.grid.pxOf(priceTicks),
        sz: md.grid.szOf(q),
        time: this.#tsMs,
        hash: this.#hash(),
        tid,
        users: [this.addressOf(buyer) ?? ZERO_ADDRESS, this.addressOf(seller) ?? ZERO_ADDRESS],
      });
    }
  }

  /** Long open interest change from one side of a fill (the ledger already holds the size after it). */
  #openInterestDelta(accountId: number, side: number, q: number): number {
    const after = this.#o.ledger.positionLots(accountId, this.#marketId);
    const before = after - (side === Side.BUY ? q : -q);
    return Math.max(0, after) - Math.max(0, before);
  }

  #fillSide(accountId: number, orderId: number, side: number, crossed: boolean, priceTicks: number, q: number, remainingLots: number, feeMicrosValue: number, tid: number): void {
    const acct = this.#accounts.get(accountId);
    if (acct === undefined) return;
    const md = this.#market!;
    const g = md.grid;
    const dir = side === Side.BUY ? 1 : -1;
    let { startLots, realizedMicros } = this.#positions.applyFill(accountId, g.spec, dir, q, priceTicks);
    const ledgerLots = this.#o.ledger.positionLots(accountId, this.#marketId);
    if (this.#positions.lots(accountId, this.#marketId) !== ledgerLots) {
      // Out of step (should not happen): take the ledger's word, report no PnL for this fill.
      const view = this.#o.ledger.accountView(accountId)?.positions.find((p) => p.marketId === this.#marketId);
      this.#positions.set(accountId, this.#marketId, ledgerLots, view?.costMicros ?? 0);
      startLots = ledgerLots - dir * q;
      realizedMicros = 0;
    }
    const r = acct.orders.live.get(orderId);
    const fill: Record<string, unknown> = {
      coin: g.coin,
      px: g.pxOf(priceTicks),
      sz: g.szOf(q),
      side: sideLetter(side),
      time: this.#tsMs,
      startPosition: g.szOf(startLots),
      dir: fillDirection(startLots, dir, q),
      closedPnl: formatMicros(realizedMicros),
      hash: this.#hash(),
      oid: orderId,
      crossed,
      fee: formatMicros(feeMicrosValue),
      tid,
      feeToken: 'USDC',
      twapId: null,
    };
    if (r?.cloid) fill.cloid = r.cloid;
    acct.fills.push(fill);
    if (acct.fills.length > this.#o.maxFillsPerAccount) acct.fills.splice(0, acct.fills.length - this.#o.maxFillsPerAccount);
    if (this.#sink?.wantsUser(acct.address)) {
      let list = this.#outFills.get(acct.address);
      if (!list) this.#outFills.set(acct.address, (list = []));
      list.push(fill);
    }
    if (r !== undefined) {
      r.filledLots += q;
      r.remainingLots = remainingLots;
      if (remainingLots === 0) {
        acct.orders.finish(r, 'filled', this.#tsMs);
        this.#queueUpdate(acct, r);
      }
    }
  }

  onCancel(orderId: number, accountId: number, _side: number, _remainingLots: number, reason: number): void {
    const w = this.#watch;
    if (w !== undefined) {
      if (w.orderId === orderId) {
        w.cancelled = true;
        w.cancelReason = reason;
      }
      if (reason === CancelReason.MASS_CANCEL) w.cancelledCount++;
    }
    const acct = this.#accounts.get(accountId);
    const r = acct?.orders.live.get(orderId);
    if (acct === undefined || r === undefined) return;
    acct.orders.finish(r, statusForCancel(reason, r.filledLots, w?.scheduled === true), this.#tsMs);
    this.#queueUpdate(acct, r);
  }

  onRest(orderId: number, accountId: number, _side: number, priceTicks: number, remainingLots: number): void {
    const w = this.#watch;
    if (w !== undefined && w.orderId === orderId) w.rested = true;
    const r = this.#accounts.get(accountId)?.orders.live.get(orderId);
    if (r !== undefined) {
      r.limitPxTicks = priceTicks;
      r.remainingLots = remainingLots;
    }
  }

  onModify(orderId: number, accountId: number, _side: number, newPriceTicks: number, _oldRemainingLots: number, newRemainingLots: number): void {
    const w = this.#watch;
    if (w !== undefined && w.orderId === orderId) w.modified = true;
    const acct = this.#accounts.get(accountId);
    const r = acct?.orders.live.get(orderId);
    if (acct === undefined || r === undefined) return;
    r.limitPxTicks = newPriceTicks;
    r.remainingLots = newRemainingLots;
    r.origLots = r.filledLots + newRemainingLots;
    r.statusTimestampMs = this.#tsMs;
    this.#queueUpdate(acct, r);
  }

  onReduce(orderId: number, accountId: number, _side: number, _oldRemainingLots: number, newRemainingLots: number): void {
    const r = this.#accounts.get(accountId)?.orders.live.get(orderId);
    if (r !== undefined) r.remainingLots = newRemainingLots;
  }

  onTrigger(orderId: number, accountId: number): void {
    const acct = this.#accounts.get(accountId);
    const r = acct?.orders.live.get(orderId);
    if (acct === undefined || r === undefined) return;
    r.triggered = true;
    r.status = 'triggered';
    r.statusTimestampMs = this.#tsMs;
    this.#queueUpdate(acct, r);
    r.status = 'open';
  }

  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.#market!.book.apply(side, priceTicks, totalLots, orderCount);
  }

  onMark(): void {}

  onDone(code: number): void {
    const seq = this.#causeSeq;
    this.#placeDetails.delete(seq);
    const w = this.#watch;
    if (w === undefined) return;
    if (w.noteDone(code)) {
      this.#pending.delete(seq);
      w.resolve(w);
    } else {
      this.#pending.delete(seq);
    }
    this.#watch = undefined;
  }

  /** End of a drain batch: hand the buffered pushes to the sink. */
  onDrainEnd(): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    for (const [address, list] of this.#outUpdates) sink.pushOrderUpdates(address, list);
    for (const [address, list] of this.#outFills) sink.pushUserFills(address, list);
    for (const [marketId, list] of this.#outTrades) sink.pushTrades(marketId, list);
    this.#outUpdates.clear();
    this.#outFills.clear();
    this.#outTrades.clear();
  }

  #queueUpdate(acct: TrackedAccount, r: OrderRecord): void {
    if (!this.#sink?.wantsUser(acct.address)) return;
    const g = this.#markets.get(r.marketId)!.grid;
    let list = this.#outUpdates.get(acct.address);
    if (!list) this.#outUpdates.set(acct.address, (list = []));
    list.push({ order: basicOrderView(r, g), status: r.status as HlOrderStatus, statusTimestamp: r.statusTimestampMs });
  }

  /** perpd has no transaction hashes: the causing command's seq, as 32 bytes of hex. */
  #hash(): string {
    return `0x${Math.max(0, this.#causeSeq).toString(16).padStart(64, '0')}`;
  }

  /** Mark price used where Hyperliquid shows an oracle/mark: the ledger's reference price. */
  markTicks(marketId: number): number {
    return this.#o.ledger.refPriceTicks(marketId);
  }
}

/** Hyperliquid's fill direction: "Open Long", "Close Short", "Long > Short", … */
export function fillDirection(startLots: number, dir: number, q: number): string {
  const after = startLots + dir * q;
  if (startLots === 0 || Math.sign(startLots) === dir) return dir > 0 ? 'Open Long' : 'Open Short';
  if (after !== 0 && Math.sign(after) !== Math.sign(startLots)) return startLots > 0 ? 'Long > Short' : 'Short > Long';
  return startLots > 0 ? 'Close Long' : 'Close Short';
}
