/**
 * A small DSL for market-engine scenario tests:
 *
 *   const m = new TestMarket(create);
 *   const ask = m.place(bobSells5At100).orderId;
 *   const r = m.place(aliceBuys5At100);
 *   assert.deepEqual(r.events, [ev.accept(...), ev.fill(...), ev.level(...)]);
 *   assertBook(m.engine, { bids: [], asks: [] });
 *
 * Every command goes through `TestMarket.run`, which numbers it like the sequencer
 * (seq strictly increasing, PLACE orderId = seq, tsUs increasing), calls
 * `validateInternalState()` after it, and checks the reject contract on every reject
 * (exactly one `onReject` echoing the command, state hash unchanged).
 *
 * Prices are ticks; on the test spec a tick is 0.01, so `t(100)` = 10000 ticks = $100.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { Code, codeName } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { RecordingSink, type RecordedEvent } from '../../engine/events.js';
import type { MarketEngine, MarketEngineFactory } from '../../engine/market-engine.js';
import { makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../../engine/market-spec.js';
import { MarketStatus, OrderFlag, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import { engineFactories } from './engines.js';

export const ALICE = 1;
export const BOB = 2;
export const CAROL = 3;
export const DAVE = 4;

/** Dollars to ticks on the test spec (tick 0.01). */
export const t = (dollars: number): number => Math.round(dollars * 100);

/**
 * The test market: tick 0.01, lot 0.01, mark 10000 ticks ($100), band ±10%
 * ([9000, 11000] at the initial mark), at most 5 open orders per account.
 */
export function testSpec(overrides: Partial<Omit<MarketSpec, 'quoteMicrosPerTickLot'>> = {}): MarketSpec {
  return makeMarketSpec({
    marketId: 7,
    symbol: 'TEST-PERP',
    tickSize: '0.01',
    lotSize: '0.01',
    minOrderLots: 1,
    maxOrderLots: 1_000,
    maxPositionLots: 1_000_000,
    maxPriceTicks: 1_000_000,
    makerFeePpm: 200,
    takerFeePpm: 500,
    priceBandPpm: 100_000,
    maxOpenOrdersPerAccount: 5,
    tiers: prdLeverageTiers(),
    initialMarkPriceTicks: 10_000,
    ...overrides,
  });
}

// ------------------------------------------------------------------ commands

export interface PlaceArgs {
  account: number;
  side: number;
  size: number;
  price?: number;
  type?: number;
  tif?: number;
  flags?: number;
  stp?: number;
  cloid?: number | [number, number, number, number];
  trigger?: { kind: number; price: number };
  oco?: number;
  preheld?: number;
  /** Default: the command's seq (what the sequencer does). */
  orderId?: number;
}

type Opts = Partial<Omit<PlaceArgs, 'account' | 'side' | 'size'>>;

export const buy = (account: number, size: number, price: number, opts: Opts = {}): PlaceArgs => ({ account, side: Side.BUY, size, price, ...opts });
export const sell = (account: number, size: number, price: number, opts: Opts = {}): PlaceArgs => ({ account, side: Side.SELL, size, price, ...opts });
export const marketBuy = (account: number, size: number, opts: Opts = {}): PlaceArgs =>
  ({ account, side: Side.BUY, size, type: OrderType.MARKET, tif: TimeInForce.IOC, ...opts });
export const marketSell = (account: number, size: number, opts: Opts = {}): PlaceArgs =>
  ({ account, side: Side.SELL, size, type: OrderType.MARKET, tif: TimeInForce.IOC, ...opts });
/** A stop-market (or with `price` + `type: LIMIT`, a stop-limit). */
export const stop = (account: number, side: number, size: number, triggerPrice: number, opts: Opts = {}): PlaceArgs =>
  ({ account, side, size, type: OrderType.MARKET, tif: TimeInForce.IOC, trigger: { kind: TriggerKind.STOP, price: triggerPrice }, ...opts });
export const takeProfit = (account: number, side: number, size: number, triggerPrice: number, opts: Opts = {}): PlaceArgs =>
  ({ account, side, size, type: OrderType.MARKET, tif: TimeInForce.IOC, trigger: { kind: TriggerKind.TAKE_PROFIT, price: triggerPrice }, ...opts });

export const IOC = { tif: TimeInForce.IOC } as const;
export const FOK = { tif: TimeInForce.FOK } as const;
export const POST_ONLY = { flags: OrderFlag.POST_ONLY } as const;
export const REDUCE_ONLY = { flags: OrderFlag.REDUCE_ONLY } as const;
export const RO = OrderFlag.REDUCE_ONLY;
export const PO = OrderFlag.POST_ONLY;

// Fixtures named for what they are.
export const aliceBuys5At100 = buy(ALICE, 5, t(100));
export const aliceBuys5At99 = buy(ALICE, 5, t(99));
export const aliceSells5At101 = sell(ALICE, 5, t(101));
export const bobSells5At100 = sell(BOB, 5, t(100));
export const bobSells3At101 = sell(BOB, 3, t(101));
export const bobBuys5At99 = buy(BOB, 5, t(99));
export const bobBuys5At100 = buy(BOB, 5, t(100));
export const carolSells2At101 = sell(CAROL, 2, t(101));
export const carolSells4At102 = sell(CAROL, 4, t(102));

export interface Result {
  code: number;
  events: RecordedEvent[];
  /** The command as processed (a copy). */
  cmd: Command;
  /** PLACE: the order id (= seq). */
  orderId: number;
}

export class TestMarket {
  readonly engine: MarketEngine;
  readonly sink = new RecordingSink();
  seq = 0;
  tsUs = 1_700_000_000_000_000;
  readonly #cmd = new Command();

  constructor(create: MarketEngineFactory, readonly spec: MarketSpec = testSpec()) {
    this.engine = create(spec, this.sink);
    this.engine.validateInternalState();
  }

  /** Numbers, processes and checks one command. `fill` sets the payload. */
  run(fill: (cmd: Command) => void): Result {
    const cmd = this.#cmd.reset();
    cmd.seq = ++this.seq;
    this.tsUs += 10;
    cmd.tsUs = this.tsUs;
    cmd.marketId = this.spec.marketId;
    fill(cmd);
    const copy = new Command().copyFrom(cmd);
    const before = this.engine.stateHash();
    this.sink.take();
    const code = this.engine.process(cmd);
    const events = this.sink.take();
    this.engine.validateInternalState();
    const rejects = events.filter((e) => e.e === 'reject');
    if (code !== Code.OK) {
      assert.equal(events.length, 1, `a reject (${codeName(code)}) must be the only event, got ${JSON.stringify(events)}`);
      assert.equal(rejects.length, 1, `a ${codeName(code)} reject must call onReject`);
      assert.equal((rejects[0] as { code: number }).code, code, 'onReject code equals the returned code');
      assert.equal(this.engine.stateHash(), before, `a ${codeName(code)} reject must not change state`);
    } else {
      assert.equal(rejects.length, 0, `OK must not call onReject: ${JSON.stringify(rejects)}`);
    }
    return { code, events, cmd: copy, orderId: copy.orderId };
  }

  place(a: PlaceArgs): Result {
    return this.run((c) => {
      c.op = Op.PLACE;
      c.orderId = a.orderId ?? c.seq;
      c.accountId = a.account;
      c.side = a.side;
      c.sizeLots = a.size;
      c.priceTicks = a.price ?? 0;
      c.orderType = a.type ?? OrderType.LIMIT;
      c.tif = a.tif ?? TimeInForce.GTC;
      c.flags = a.flags ?? 0;
      c.stpMode = a.stp ?? StpMode.EXPIRE_TAKER;
      const cl = typeof a.cloid === 'number' ? [a.cloid, 0, 0, 0] : a.cloid ?? [0, 0, 0, 0];
      [c.cloid0, c.cloid1, c.cloid2, c.cloid3] = cl;
      c.triggerKind = a.trigger?.kind ?? TriggerKind.NONE;
      c.triggerPriceTicks = a.trigger?.price ?? 0;
      c.ocoOrderId = a.oco ?? 0;
      c.preheldLots = a.preheld ?? ((a.flags ?? 0) & OrderFlag.REDUCE_ONLY ? 0 : a.size);
    });
  }

  /** Places and asserts it was accepted; returns the order id. */
  mustPlace(a: PlaceArgs): number {
    const r = this.place(a);
    assert.equal(r.code, Code.OK, `place ${JSON.stringify(a)} → ${codeName(r.code)}`);
    return r.orderId;
  }

  cancel(account: number, orderId: number): Result {
    return this.run((c) => {
      c.op = Op.CANCEL;
      c.accountId = account;
      c.orderId = orderId;
    });
  }

  cancelByCloid(account: number, cloid: number | [number, number, number, number]): Result {
    return this.run((c) => {
      c.op = Op.CANCEL_BY_CLOID;
      c.accountId = account;
      [c.cloid0, c.cloid1, c.cloid2, c.cloid3] = typeof cloid === 'number' ? [cloid, 0, 0, 0] : cloid;
    });
  }

  cancelAll(account: number): Result {
    return this.run((c) => {
      c.op = Op.CANCEL_ALL;
      c.accountId = account;
    });
  }

  /** MODIFY: `side` defaults to the order's current side, `size` to 0 (keep), `preheld` to `size`. */
  modify(account: number, orderId: number, m: { price: number; size?: number; side?: number; preheld?: number }): Result {
    const side = m.side ?? this.engine.order(orderId)?.side ?? 0;
    return this.run((c) => {
      c.op = Op.MODIFY;
      c.accountId = account;
      c.orderId = orderId;
      c.side = side;
      c.priceTicks = m.price;
      c.sizeLots = m.size ?? 0;
      c.preheldLots = m.preheld ?? m.size ?? 0;
    });
  }

  setMark(price: number): Result {
    return this.run((c) => {
      c.op = Op.SET_MARK_PRICE;
      c.value = price;
    });
  }

  setStatus(value: number): Result {
    return this.run((c) => {
      c.op = Op.SET_MARKET_STATUS;
      c.value = value;
    });
  }

  halt(): Result {
    return this.setStatus(MarketStatus.HALTED);
  }

  resume(): Result {
    return this.setStatus(MarketStatus.ACTIVE);
  }

  /** Gives `account` a position of `lots` (signed) by trading with `counterparty`, leaving the book as it was. */
  givePosition(account: number, lots: number, counterparty: number, price = t(100)): void {
    if (lots === 0) return;
    const side = lots > 0 ? Side.BUY : Side.SELL;
    this.mustPlace({ account: counterparty, side: side ^ 1, size: Math.abs(lots), price });
    const r = this.place({ account, side, size: Math.abs(lots), price, tif: TimeInForce.IOC });
    assert.equal(r.code, Code.OK);
    assert.equal(r.events.filter((e) => e.e === 'fill').length, 1, 'givePosition expects one fill against the counterparty');
  }
}

/** Asserts the command was rejected with `code`, exactly one onReject echoing the command, state unchanged (checked by `run`). */
export function assertRejected(r: Result, code: number): void {
  assert.equal(codeName(r.code), codeName(code));
  assert.deepEqual(r.events, [ev.reject(r.cmd.seq, r.cmd.orderId, r.cmd.accountId, code, r.cmd.side, r.cmd.preheldLots)]);
}

export function assertOk(r: Result): void {
  assert.equal(codeName(r.code), 'OK', `expected OK, events: ${JSON.stringify(r.events)}`);
}

// ------------------------------------------------------------------ events

/** Builders of RecordedEvent values, arguments in the sink call's order. */
export const ev = {
  reject: (seq: number, orderId: number, accountId: number, code: number, side = 0, preheldLots = 0): RecordedEvent => ({ e: 'reject', seq, orderId, accountId, code, side, preheldLots }),
  accept: (orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags = 0, isTrigger = false): RecordedEvent => ({ e: 'accept', orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger }),
  fill: (
    makerOrderId: number,
    makerAccountId: number,
    takerOrderId: number,
    takerAccountId: number,
    takerSide: number,
    priceTicks: number,
    sizeLots: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
    makerFlags = 0,
    takerFlags = 0,
  ): RecordedEvent => ({ e: 'fill', makerOrderId, makerAccountId, takerOrderId, takerAccountId, takerSide, priceTicks, sizeLots, makerRemainingLots, takerRemainingLots, makerFlags, takerFlags }),
  cancel: (orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags = 0): RecordedEvent => ({ e: 'cancel', orderId, accountId, side, remainingLots, reason, flags }),
  rest: (orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): RecordedEvent => ({ e: 'rest', orderId, accountId, side, priceTicks, remainingLots }),
  modify: (orderId: number, accountId: number, side: number, newPriceTicks: number, oldRemainingLots: number, newRemainingLots: number, preheldLots: number, flags: number, requeued: boolean): RecordedEvent =>
    ({ e: 'modify', orderId, accountId, side, newPriceTicks, oldRemainingLots, newRemainingLots, preheldLots, flags, requeued }),
  reduce: (orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags = OrderFlag.REDUCE_ONLY): RecordedEvent => ({ e: 'reduce', orderId, accountId, side, oldRemainingLots, newRemainingLots, flags }),
  trigger: (orderId: number, accountId: number, markPriceTicks: number): RecordedEvent => ({ e: 'trigger', orderId, accountId, markPriceTicks }),
  level: (side: number, priceTicks: number, totalLots: number, orderCount: number): RecordedEvent => ({ e: 'level', side, priceTicks, totalLots, orderCount }),
  mark: (markPriceTicks: number): RecordedEvent => ({ e: 'mark', markPriceTicks }),
};

/** The events without level updates (for tests about something else). */
export function withoutLevels(events: RecordedEvent[]): RecordedEvent[] {
  return events.filter((e) => e.e !== 'level');
}

// ------------------------------------------------------------------ state

export type LevelRow = [priceTicks: number, totalLots: number, orderCount: number];

/** Asserts the whole L2 book (every level, best first) and the best bid/ask. */
export function assertBook(engine: MarketEngine, book: { bids?: LevelRow[]; asks?: LevelRow[] }): void {
  const rows = (side: number): LevelRow[] => engine.l2(side, 1_000_000).map((l) => [l.priceTicks, l.totalLots, l.orderCount]);
  const bids = book.bids ?? [];
  const asks = book.asks ?? [];
  assert.deepEqual({ bids: rows(Side.BUY), asks: rows(Side.SELL) }, { bids, asks }, 'L2 book');
  assert.equal(engine.bestBid(), bids.length ? bids[0][0] : 0, 'bestBid');
  assert.equal(engine.bestAsk(), asks.length ? asks[0][0] : 0, 'bestAsk');
}

/** Asserts positions of the listed accounts (others unchecked). */
export function assertPositions(engine: MarketEngine, positions: Record<number, number>): void {
  const actual: Record<number, number> = {};
  for (const k of Object.keys(positions)) actual[Number(k)] = engine.positionLots(Number(k));
  assert.deepEqual(actual, positions, 'positions');
}

/** Ids of an account's live orders (resting and parked), in order id order. */
export function liveIds(engine: MarketEngine, account: number): number[] {
  return engine.openOrders(account).map((o) => o.orderId);
}

// ------------------------------------------------------------------ engines

/** Declares `body`'s tests once per engine implementation (`describe('<title> [<engine>]')`). */
export function forEachEngine(title: string, body: (create: MarketEngineFactory) => void): void {
  for (const { name, create } of engineFactories) describe(`${title} [${name}]`, () => body(create));
}
