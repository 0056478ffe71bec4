/**
 * Fixtures for the ledger, exchange and conservation tests: market specs with round
 * numbers, the list of market engines that exist, and a tiny driver that plays the
 * sequencer (assigns seq, orderId = seq for PLACE). Not a test file itself.
 */
import { Command, Op } from '../command.js';
import { Exchange } from '../exchange.js';
import type { MarketEventSink } from '../events.js';
import type { MarketEngineFactory } from '../market-engine.js';
import { makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../market-spec.js';
import { OrderType, Side, StpMode, TimeInForce } from '../types.js';
import type { LedgerOptions } from './ledger-state.js';

/** 1 USDC in quote micros. */
export const USD = 1_000_000;
/** 1 cent in quote micros. */
export const CENT = 10_000;

/**
 * TEST-PERP: tick $1, lot 1 unit, so q lots at P ticks is exactly q × P dollars
 * (k = 1,000,000 micros per tick-lot). Mark 100, band ±10% (90..110), taker 0.1%,
 * maker rebate 0.02%, PRD tiers, position limit 10,000 lots.
 */
export function testSpec(overrides: Partial<Omit<MarketSpec, 'quoteMicrosPerTickLot'>> = {}): MarketSpec {
  return makeMarketSpec({
    marketId: 1,
    symbol: 'TEST-PERP',
    tickSize: '1',
    lotSize: '1',
    minOrderLots: 1,
    maxOrderLots: 5_000,
    maxPositionLots: 10_000,
    maxPriceTicks: 100_000,
    makerFeePpm: -200,
    takerFeePpm: 1_000,
    priceBandPpm: 100_000,
    maxOpenOrdersPerAccount: 100,
    tiers: prdLeverageTiers(),
    initialMarkPriceTicks: 100,
    ...overrides,
  });
}

export interface NamedFactory {
  name: string;
  create: MarketEngineFactory;
}

/**
 * The market engines present in this build (the reference and the fast book are
 * written in parallel; tests run against whichever exist). Imported dynamically by
 * URL so a missing one is skipped instead of failing compilation.
 */
export async function availableMarketFactories(): Promise<NamedFactory[]> {
  const candidates = [
    { name: 'reference', path: '../reference/reference-market.js', exportName: 'createReferenceMarket' },
    { name: 'fast', path: '../book/fast-market.js', exportName: 'createFastMarket' },
  ];
  const found: NamedFactory[] = [];
  for (const c of candidates) {
    try {
      const mod = (await import(new URL(c.path, import.meta.url).href)) as Record<string, unknown>;
      const create = mod[c.exportName];
      if (typeof create === 'function') found.push({ name: c.name, create: create as MarketEngineFactory });
    } catch {
      // not built yet
    }
  }
  return found;
}

export interface PlaceFields {
  account: number;
  side: number;
  price?: number;
  size: number;
  market?: number;
  type?: number;
  tif?: number;
  flags?: number;
  stp?: number;
  triggerKind?: number;
  triggerPrice?: number;
  cloid?: number;
}

/** Plays the sequencer in front of an Exchange. */
export class Driver {
  readonly ex: Exchange;
  readonly cmd = new Command();
  seq = 0;
  /** Default market of the helpers. */
  marketId: number;

  constructor(opts: { markets: MarketSpec[]; create: MarketEngineFactory; ledgerOptions?: LedgerOptions; sink?: MarketEventSink }) {
    this.ex = new Exchange({ markets: opts.markets, createMarket: opts.create, ledgerOptions: opts.ledgerOptions, sink: opts.sink });
    this.marketId = opts.markets[0].marketId;
  }

  /** Resets the shared command, applies the fields, sequences and processes it. */
  run(fields: Partial<Command> & { op: number }): number {
    const cmd = this.cmd.reset();
    Object.assign(cmd, fields);
    cmd.seq = ++this.seq;
    cmd.tsUs = cmd.seq * 1_000;
    if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
    return this.ex.process(cmd);
  }

  createAccount(): number {
    const code = this.run({ op: Op.CREATE_ACCOUNT });
    if (code !== 0) throw new Error(`createAccount: code ${code}`);
    return this.cmd.accountId;
  }

  deposit(account: number, micros: number): number {
    return this.run({ op: Op.DEPOSIT, accountId: account, amount: micros });
  }

  withdraw(account: number, micros: number): number {
    return this.run({ op: Op.WITHDRAW, accountId: account, amount: micros });
  }

  /** A funded account. */
  fundedAccount(micros: number): number {
    const a = this.createAccount();
    if (micros > 0 && this.deposit(a, micros) !== 0) throw new Error('deposit failed');
    return a;
  }

  /** PLACE; returns the code and the order id (= seq). Defaults: LIMIT GTC, account's STP default. */
  place(f: PlaceFields): { code: number; orderId: number } {
    const code = this.run({
      op: Op.PLACE,
      marketId: f.market ?? this.marketId,
      accountId: f.account,
      side: f.side,
      orderType: f.type ?? OrderType.LIMIT,
      tif: f.tif ?? TimeInForce.GTC,
      flags: f.flags ?? 0,
      stpMode: f.stp ?? StpMode.DEFAULT,
      priceTicks: f.price ?? 0,
      sizeLots: f.size,
      triggerKind: f.triggerKind ?? 0,
      triggerPriceTicks: f.triggerPrice ?? 0,
      cloid0: f.cloid ?? 0,
    });
    return { code, orderId: this.seq };
  }

  buy(account: number, size: number, price: number, extra: Partial<PlaceFields> = {}): { code: number; orderId: number } {
    return this.place({ account, side: Side.BUY, size, price, ...extra });
  }

  sell(account: number, size: number, price: number, extra: Partial<PlaceFields> = {}): { code: number; orderId: number } {
    return this.place({ account, side: Side.SELL, size, price, ...extra });
  }

  cancel(account: number, orderId: number, market = this.marketId): number {
    return this.run({ op: Op.CANCEL, marketId: market, accountId: account, orderId });
  }

  modify(account: number, orderId: number, side: number, price: number, size: number, market = this.marketId): number {
    return this.run({ op: Op.MODIFY, marketId: market, accountId: account, orderId, side, priceTicks: price, sizeLots: size });
  }

  setMark(price: number, market = this.marketId): number {
    return this.run({ op: Op.SET_MARK_PRICE, marketId: market, value: price });
  }

  setLeverage(account: number, leverage: number, market = this.marketId): number {
    return this.run({ op: Op.SET_LEVERAGE, marketId: market, accountId: account, amount: leverage });
  }

  /** The slot of (account, market) in the ledger's view, or zeros. */
  position(account: number, market = this.marketId) {
    const view = this.ex.ledger.accountView(account);
    const p = view?.positions.find((x) => x.marketId === market);
    return {
      lots: p?.lots ?? 0,
      costMicros: p?.costMicros ?? 0,
      marginMicros: p?.marginMicros ?? 0,
      orderMarginMicros: p?.orderMarginMicros ?? 0,
      pendingBuyLots: p?.pendingBuyLots ?? 0,
      pendingSellLots: p?.pendingSellLots ?? 0,
    };
  }

  free(account: number): number {
    return this.ex.ledger.freeMicros(account);
  }
}
