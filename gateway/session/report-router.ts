import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { CancelReason, Code } from '../../engine/codes.js';
import type { Command } from '../../engine/command.js';
import type { MarketSpec } from '../../engine/market-spec.js';
import type { EventStreamHandler } from '../../engine/ring/event-codec.js';
import { feeMicros } from '../../engine/risk/margin.js';
import { notionalMicros } from '../../engine/risk/notional.js';
import { Side } from '../../engine/types.js';
import { writeU32 } from '../binary/bytes.js';
import { ReportEncoder } from '../binary/encode.js';
import { ACCEPTED_IS_TRIGGER, Channel, DoneStatus, FrameType, Liquidity, ModifyCause, SnapshotFlag } from '../binary/frames.js';
import { BookMirror } from '../md/book-mirror.js';
import type { PerpdMetrics } from '../metrics.js';
import type { BinarySession } from './binary-session.js';

/** Pooled Origin objects kept for reuse (beyond this many in flight they are allocated and dropped). */
const ORIGIN_POOL_MAX = 65_536;

/** Where every frame header carries its requestId (docs/protocol-binary.md §3). */
const REQUEST_ID_OFFSET = 4;

/** Why a sequenced command was sent, so its events can be answered properly. */
export const OriginKind = { CLIENT: 0, DEAD_MAN: 1 } as const;

/** The session that sent a command, remembered from submission until its DONE. */
export interface Origin {
  session: BinarySession;
  requestId: number;
  requestType: number;
  kind: number;
  /** MASS_CANCEL over several markets: DONEs still expected, and orders cancelled so far. */
  pendingDones: number;
  cancelled: number;
  /** performance.now() when the frame arrived (ms), for the ack latency histogram; 0 = not measured. */
  receivedMs: number;
  /** A PLACE's client order id (4 × u32; all 0 = none), echoed in ACCEPTED: the engine's accept event has none. */
  cloid0: number;
  cloid1: number;
  cloid2: number;
  cloid3: number;
}

/** Per-market market-data state. */
interface MarketMd {
  spec: MarketSpec;
  mirror: BookMirror;
  tradeSeq: number;
  nextTradeId: number;
  bboSeq: number;
  lastBbo: [number, number, number, number];
  subscribers: Set<BinarySession>;
}

const TS_RING_BITS = 18;
const TS_RING_MASK = (1 << TS_RING_BITS) - 1;

export interface ReportRouterOptions {
  markets: readonly MarketSpec[];
  metrics: PerpdMetrics;
  logger: Logger;
  /** Connections above this many unsent bytes get no market data until they catch up. */
  maxBackpressureBytes: number;
}

/**
 * The publication side of the pipeline (after ledger settlement): turns engine
 * events into execution reports for the sessions of the accounts involved, and
 * into market data for subscribers.
 *
 *  - Execution reports go to every logged-in session of the account (the origin
 *    session gets its requestId echoed, the others 0: a drop copy). They are never
 *    dropped; a connection too slow for them is closed by uWS's backpressure limit.
 *  - Market data: trades are sent as they happen; L2 updates and BBO once per drain
 *    batch. A slow connection (over maxBackpressureBytes) is skipped, which it sees
 *    as a gap in the per-market, per-channel sequence and answers with RESYNC.
 *  - Report timestamps are the causing command's sequencer timestamp (tsUs),
 *    remembered in a ring indexed by seq; in-flight commands are far fewer than its
 *    2^18 slots.
 */
export class ReportRouter implements EventStreamHandler {
  readonly #o: ReportRouterOptions;
  readonly #enc = new ReportEncoder();
  readonly #sessionsByAccount = new Map<number, Set<BinarySession>>();
  readonly #origins = new Map<number, Origin>();
  readonly #md = new Map<number, MarketMd>();
  readonly #tsBySeq = new Float64Array(1 << TS_RING_BITS);
  #marketId = 0;
  #md0: MarketMd | undefined;
  #causeSeq = 0;
  #origin: Origin | undefined;
  #tsUs = 0;

  constructor(options: ReportRouterOptions) {
    this.#o = options;
    for (const spec of options.markets) {
      this.#md.set(spec.marketId, {
        spec,
        mirror: new BookMirror(spec.marketId),
        tradeSeq: 0,
        nextTradeId: 1,
        bboSeq: 0,
        lastBbo: [0, 0, 0, 0],
        subscribers: new Set(),
      });
    }
  }

  // ------------------------------------------------------------ bookkeeping

  /** Journal-side hook: remember each sequenced command's timestamp. */
  noteSequenced(cmd: Command): void {
    this.#tsBySeq[cmd.seq & TS_RING_MASK] = cmd.tsUs;
  }

  attach(session: BinarySession): void {
    let set = this.#sessionsByAccount.get(session.accountId);
    if (!set) this.#sessionsByAccount.set(session.accountId, (set = new Set()));
    set.add(session);
  }

  detach(session: BinarySession): void {
    this.#sessionsByAccount.get(session.accountId)?.delete(session);
    for (const m of session.subscriptions.keys()) this.#md.get(m)?.subscribers.delete(session);
  }

  /** Registers the origin of a sequenced command (before its events can arrive). */
  expect(seq: number, origin: Origin): void {
    this.#origins.set(seq, origin);
  }

  /**
   * An Origin to pass to `expect`, from a pool: every order needs one until its DONE,
   * and allocating it was one of the larger items of the gateway thread's garbage. It
   * goes back to the pool at the command's final DONE.
   */
  newOrigin(session: BinarySession, requestId: number, requestType: number, kind: number, pendingDones: number, receivedMs: number): Origin {
    const o = this.#originPool.pop();
    if (o === undefined) return { session, requestId, requestType, kind, pendingDones, cancelled: 0, receivedMs, cloid0: 0, cloid1: 0, cloid2: 0, cloid3: 0 };
    o.session = session;
    o.requestId = requestId;
    o.requestType = requestType;
    o.kind = kind;
    o.pendingDones = pendingDones;
    o.cancelled = 0;
    o.receivedMs = receivedMs;
    o.cloid0 = o.cloid1 = o.cloid2 = o.cloid3 = 0;
    return o;
  }

  readonly #originPool: Origin[] = [];

  #releaseOrigin(o: Origin): void {
    if (this.#originPool.length >= ORIGIN_POOL_MAX) return;
    (o as { session: BinarySession | undefined }).session = undefined; // retain no closed session
    this.#originPool.push(o);
  }

  inFlight(): number {
    return this.#origins.size;
  }

  hasMarket(marketId: number): boolean {
    return this.#md.has(marketId);
  }

  // ----------------------------------------------------------- subscriptions

  /** Adds channels for a market; sends the L2 snapshot / BBO the new channels need. */
  subscribe(session: BinarySession, requestId: number, marketId: number, channels: number, depth: number): void {
    const md = this.#md.get(marketId)!;
    const before = session.subscriptions.get(marketId) ?? 0;
    session.subscriptions.set(marketId, before | channels);
    md.subscribers.add(session);
    if ((channels & Channel.L2) !== 0) this.sendSnapshot(session, requestId, marketId, depth);
    if ((channels & Channel.BBO) !== 0) {
      const [bp, bs, ap, as] = md.lastBbo;
      session.send(this.#enc.encodeBbo(requestId, marketId, md.bboSeq, bp, bs, ap, as, this.#tsUs));
    }
  }

  unsubscribe(session: BinarySession, marketId: number, channels: number): void {
    const left = (session.subscriptions.get(marketId) ?? 0) & ~channels;
    if (left === 0) {
      session.subscriptions.delete(marketId);
      this.#md.get(marketId)?.subscribers.delete(session);
    } else session.subscriptions.set(marketId, left);
  }

  sendSnapshot(session: BinarySession, requestId: number, marketId: number, depth: number): void {
    const md = this.#md.get(marketId)!;
    const snap = md.mirror.snapshot(depth);
    const enc = this.#enc;
    enc.beginL2(FrameType.L2_SNAPSHOT, requestId, marketId, snap.mdSeq, this.#tsUs);
    for (const l of snap.bids) enc.addL2Level(Side.BUY, l.priceTicks, l.totalLots, l.orderCount);
    for (const l of snap.asks) enc.addL2Level(Side.SELL, l.priceTicks, l.totalLots, l.orderCount);
    let flags = 0;
    if (md.mirror.levelCount(Side.BUY) <= depth) flags |= SnapshotFlag.BIDS_COMPLETE;
    if (md.mirror.levelCount(Side.SELL) <= depth) flags |= SnapshotFlag.ASKS_COMPLETE;
    session.send(enc.finishL2(flags));
  }

  // ------------------------------------------------------------ event stream

  setContext(marketId: number, causeSeq: number): void {
    if (causeSeq !== this.#causeSeq || marketId !== this.#marketId) {
      this.#marketId = marketId;
      this.#md0 = this.#md.get(marketId);
      this.#causeSeq = causeSeq;
      this.#origin = this.#origins.get(causeSeq);
      this.#tsUs = this.#tsBySeq[causeSeq & TS_RING_MASK];
    }
  }

  /**
   * Queues one report to every session of `accountId`. The frame is encoded once, with
   * requestId 0 (unsolicited); unless `unsolicited`, the session that sent the causing
   * command gets its own requestId patched in for its copy (the outbox copies the
   * bytes at once).
   */
  #toAccount(set: Set<BinarySession> | undefined, frame: Uint8Array, unsolicited = false): void {
    if (set === undefined) return;
    const o = unsolicited ? undefined : this.#origin;
    for (const s of set) {
      if (o !== undefined && o.session === s && o.requestId !== 0) {
        writeU32(frame, REQUEST_ID_OFFSET, o.requestId);
        this.#queue(s, frame);
        writeU32(frame, REQUEST_ID_OFFSET, 0);
      } else this.#queue(s, frame);
      this.#o.metrics.eventsOut.inc();
    }
  }

  /** Observes receipt → first answer once per command. */
  #observeAck(o: Origin): void {
    if (o.receivedMs === 0) return;
    this.#o.metrics.ackLatencyMicros.observe((performance.now() - o.receivedMs) * 1000);
    o.receivedMs = 0;
  }

  onReject(seq: number, orderId: number, _accountId: number, code: number, side: number): void {
    const o = this.#origin;
    this.#o.metrics.rejects.incFor(code);
    if (o === undefined || o.kind !== OriginKind.CLIENT) return;
    this.#observeAck(o);
    const c = o.session;
    this.#queue(c, this.#enc.encodeRejected(o.requestId, code, this.#marketId, o.requestType, side, orderId, seq, 0, 0, 0, 0));
  }

  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    const o = this.#origin;
    if (o !== undefined && o.session.accountId === accountId) {
      o.session.liveOrders.set(orderId, this.#marketId);
      this.#observeAck(o);
    }
    const orderFlags = flags | (isTrigger ? ACCEPTED_IS_TRIGGER : 0);
    // The cloid belongs to the order this command placed (a PLACE's orderId is its seq),
    // not to a stop order it happened to trigger.
    const c = o !== undefined && orderId === this.#causeSeq ? o : undefined;
    const set = this.#sessionsByAccount.get(accountId);
    if (set !== undefined) {
      this.#toAccount(set, this.#enc.encodeAccepted(0, this.#marketId, side, orderFlags, orderId, this.#causeSeq, this.#tsUs, priceTicks, sizeLots, c?.cloid0 ?? 0, c?.cloid1 ?? 0, c?.cloid2 ?? 0, c?.cloid3 ?? 0));
    }
  }



  onFill(mo: number, ma: number, to: number, ta: number, takerSide: number, priceTicks: number, q: number, mr: number, tr: number): void {
    const md = this.#md0!;
    const tradeId = md.nextTradeId++;
    const notional = notionalMicros(q, priceTicks, md.spec);
    const makerFee = feeMicros(notional, md.spec.makerFeePpm);
    const takerFee = feeMicros(notional, md.spec.takerFeePpm);
    const makerSide = takerSide ^ 1;
    this.#o.metrics.fills.incFor(this.#marketId);
    const makers = this.#sessionsByAccount.get(ma);
    if (makers !== undefined) this.#toAccount(makers, this.#enc.encodeFill(0, this.#marketId, makerSide, Liquidity.MAKER, mo, tradeId, priceTicks, q, mr, makerFee, this.#tsUs));
    const takers = this.#sessionsByAccount.get(ta);
    if (takers !== undefined) this.#toAccount(takers, this.#enc.encodeFill(0, this.#marketId, takerSide, Liquidity.TAKER, to, tradeId, priceTicks, q, tr, takerFee, this.#tsUs));
    if (mr === 0) this.#done(ma, makerSide, mo, DoneStatus.FILLED);
    if (tr === 0) this.#done(ta, takerSide, to, DoneStatus.FILLED);
    // public trade
    md.tradeSeq++;
    const trade = this.#enc.encodeTrade(0, this.#marketId, takerSide, md.tradeSeq, tradeId, priceTicks, q, this.#tsUs);
    for (const s of md.subscribers) {
      if (((s.subscriptions.get(this.#marketId) ?? 0) & Channel.TRADES) === 0) continue;
      this.#sendMd(s, trade);
    }
  }

  #done(accountId: number, side: number, orderId: number, status: number): void {
    const set = this.#sessionsByAccount.get(accountId);
    if (!set) return;
    for (const s of set) {
      s.liveOrders.delete(orderId);
      this.#queue(s, this.#enc.encodeDone(0, this.#marketId, side, status, orderId, this.#tsUs));
    }
  }

  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number): void {
    const o = this.#origin;
    const r = o !== undefined && o.kind === OriginKind.DEAD_MAN ? CancelReason.DEAD_MAN : reason;
    if (o !== undefined && reason === CancelReason.MASS_CANCEL) o.cancelled++;
    const set = this.#sessionsByAccount.get(accountId);
    if (set !== undefined) this.#toAccount(set, this.#enc.encodeCancelled(0, this.#marketId, side, r, orderId, remainingLots, this.#tsUs));
    this.#done(accountId, side, orderId, DoneStatus.CANCELLED);
  }

  onRest(): void {}

  onModify(orderId: number, accountId: number, side: number, newPriceTicks: number, oldRemainingLots: number, newRemainingLots: number, _pre: number, _flags: number, requeued: boolean): void {
    const set = this.#sessionsByAccount.get(accountId);
    if (set !== undefined) {
      this.#toAccount(set, this.#enc.encodeModified(0, this.#marketId, side, ModifyCause.CLIENT, requeued, orderId, newPriceTicks, oldRemainingLots, newRemainingLots, this.#causeSeq, this.#tsUs));
    }
  }

  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number): void {
    const set = this.#sessionsByAccount.get(accountId);
    if (set !== undefined) {
      const frame = this.#enc.encodeModified(0, this.#marketId, side, ModifyCause.REDUCE_ONLY, false, orderId, 0, oldRemainingLots, newRemainingLots, this.#causeSeq, this.#tsUs);
      this.#toAccount(set, frame, true);
    }
  }

  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.#toAccount(this.#sessionsByAccount.get(accountId), this.#enc.encodeTriggered(0, this.#marketId, 0, orderId, markPriceTicks, this.#tsUs), true);
  }

  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.#md0!.mirror.applyLevel(side, priceTicks, totalLots, orderCount);
  }

  onMark(): void {}

  onDone(code: number): void {
    const o = this.#origin;
    if (o === undefined) return;
    this.#observeAck(o); // cancels and modifies are acknowledged by their reports; DONE closes the measurement
    if (o.requestType === FrameType.MASS_CANCEL) {
      if (--o.pendingDones > 0) {
        this.#origins.delete(this.#causeSeq);
        return;
      }
      if (o.kind === OriginKind.CLIENT) this.#queue(o.session, this.#enc.encodeAck(o.requestId, FrameType.MASS_CANCEL, o.cancelled));
    } else if (code === Code.OK && o.requestType === FrameType.CANCEL_BY_CLOID) {
      // nothing extra: CANCELLED/DONE already went out
    }
    this.#origins.delete(this.#causeSeq);
    this.#origin = undefined;
    this.#causeSeq = -1;
    this.#releaseOrigin(o);
  }

  /** After each drain batch: one L2 update and one BBO per changed market, then every session's queued frames go out. */
  onDrainEnd(): void {
    this.#publishBookChanges();
    this.#flushDirty();
  }

  #publishBookChanges(): void {
    for (const [marketId, md] of this.#md) {
      const update = md.mirror.takeUpdate();
      if (update === undefined) continue;
      if (md.subscribers.size === 0) {
        md.lastBbo = this.#bboOf(md);
        continue;
      }
      const enc = this.#enc;
      enc.beginL2(FrameType.L2_UPDATE, 0, marketId, update.mdSeq, this.#tsUs);
      for (const l of update.bids) enc.addL2Level(Side.BUY, l.priceTicks, l.totalLots, l.orderCount);
      for (const l of update.asks) enc.addL2Level(Side.SELL, l.priceTicks, l.totalLots, l.orderCount);
      const frame = enc.finishL2();
      for (const s of md.subscribers) if (((s.subscriptions.get(marketId) ?? 0) & Channel.L2) !== 0) this.#sendMd(s, frame);
      const bbo = this.#bboOf(md);
      const last = md.lastBbo;
      if (bbo[0] !== last[0] || bbo[1] !== last[1] || bbo[2] !== last[2] || bbo[3] !== last[3]) {
        md.lastBbo = bbo;
        md.bboSeq++;
        const f = enc.encodeBbo(0, marketId, md.bboSeq, bbo[0], bbo[1], bbo[2], bbo[3], this.#tsUs);
        for (const s of md.subscribers) if (((s.subscriptions.get(marketId) ?? 0) & Channel.BBO) !== 0) this.#sendMd(s, f);
      }
    }
  }

  #bboOf(md: MarketMd): [number, number, number, number] {
    const b = md.mirror.bbo();
    return [b.bidPriceTicks, b.bidLots, b.askPriceTicks, b.askLots];
  }

  /** Market data is dropped (never queued) for a connection over the backpressure threshold. */
  #sendMd(s: BinarySession, frame: Uint8Array): void {
    if (s.bufferedBytes() > this.#o.maxBackpressureBytes) {
      this.#o.metrics.mdDrops.inc();
      return;
    }
    this.#queue(s, frame);
    this.#o.metrics.eventsOut.inc();
  }

  /** Sessions with queued frames, flushed at the end of the drain batch (onDrainEnd). */
  readonly #dirty: BinarySession[] = [];

  #queue(s: BinarySession, frame: Uint8Array): void {
    if (s.queue(frame)) this.#dirty.push(s);
  }

  #flushDirty(): void {
    const d = this.#dirty;
    for (let i = 0; i < d.length; i++) d[i].flushQueued();
    d.length = 0;
  }

  /** For logs/tests: the mirror of a market. */
  mirror(marketId: number): BookMirror | undefined {
    return this.#md.get(marketId)?.mirror;
  }
}
