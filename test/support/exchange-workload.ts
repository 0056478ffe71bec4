/**
 * Seeded random commands for a whole exchange (ledger + several markets), for the
 * durability tests and the journal benchmark: account creation, deposits,
 * withdrawals (some beyond free collateral), leverage and STP defaults, limit /
 * market / IOC / FOK / post-only / reduce-only / trigger orders with cloids,
 * cancels (by id and cloid), cancel-all (one market or all), modifies, mark moves
 * large enough to fire triggers and cause bad debt, and short halts.
 *
 * The commands come UNSEQUENCED (seq 0; the pipeline under test stamps them). The
 * generator may look at the exchange it drives (`view`) to aim cancels and modifies
 * at live orders; the view is deterministic, so the stream is too.
 */
import { Command, Op } from '../../engine/command.js';
import type { Exchange } from '../../engine/exchange.js';
import { makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../../engine/market-spec.js';
import { MarketStatus, OrderFlag, OrderType, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import { Prng } from '../../engine/util/prng.js';

const USD = 1_000_000;

/** Three markets with different tick × lot scales (as in the conservation test). */
export function workloadMarkets(): MarketSpec[] {
  const common = { tiers: prdLeverageTiers(), maxOpenOrdersPerAccount: 40 };
  return [
    makeMarketSpec({
      ...common,
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
      initialMarkPriceTicks: 100,
    }),
    makeMarketSpec({
      ...common,
      marketId: 2,
      symbol: 'MID-PERP',
      tickSize: '0.01',
      lotSize: '0.001',
      minOrderLots: 1,
      maxOrderLots: 200_000,
      maxPositionLots: 1_000_000,
      maxPriceTicks: 10_000_000,
      makerFeePpm: 200,
      takerFeePpm: 500,
      priceBandPpm: 50_000,
      initialMarkPriceTicks: 250_000,
    }),
    makeMarketSpec({
      ...common,
      marketId: 5,
      symbol: 'FINE-PERP',
      tickSize: '0.1',
      lotSize: '0.00001',
      minOrderLots: 1,
      maxOrderLots: 50_000_000,
      maxPositionLots: 100_000_000,
      maxPriceTicks: 10_000_000,
      makerFeePpm: -100,
      takerFeePpm: 700,
      priceBandPpm: 80_000,
      initialMarkPriceTicks: 1_000_000,
    }),
  ];
}

const MAX_SIZE_BY_MARKET = new Map<number, number>([
  [1, 40],
  [2, 4_000],
  [5, 40_000],
]);

export interface ExchangeWorkloadOptions {
  /** Accounts created (and funded) before the random mix starts. Default 8. */
  initialAccounts?: number;
  /** Share of placing commands in the mix (0..1). Default 0.5. */
  placeShare?: number;
}

export class ExchangeWorkload {
  readonly #rng: Prng;
  readonly #specs: MarketSpec[];
  readonly #marks: number[];
  readonly #initialAccounts: number;
  readonly #placeShare: number;
  #accounts = 0;
  #setupStep = 0;

  constructor(seed: number, specs: MarketSpec[], opts: ExchangeWorkloadOptions = {}) {
    this.#rng = new Prng(seed);
    this.#specs = specs;
    this.#marks = specs.map((s) => s.initialMarkPriceTicks);
    this.#initialAccounts = opts.initialAccounts ?? 8;
    this.#placeShare = opts.placeShare ?? 0.5;
  }

  /** Overwrites `cmd` with the next command. `view` is the exchange being driven (its state picks targets). */
  next(cmd: Command, view: Exchange): void {
    const rng = this.#rng;
    cmd.reset();
    if (this.#setupStep < this.#initialAccounts * 2) {
      const i = this.#setupStep++;
      if (i % 2 === 0) {
        cmd.op = Op.CREATE_ACCOUNT;
        this.#accounts++;
      } else {
        cmd.op = Op.DEPOSIT;
        cmd.accountId = this.#accounts - 1;
        cmd.amount = rng.int(200, 50_000) * USD;
      }
      return;
    }
    const a = rng.int(0, Math.max(0, this.#accounts - 1));
    const m = rng.int(0, this.#specs.length - 1);
    const spec = this.#specs[m];
    const maxSize = MAX_SIZE_BY_MARKET.get(spec.marketId) ?? 100;
    cmd.accountId = a;
    cmd.marketId = spec.marketId;
    const r = rng.next();
    const p = this.#placeShare;
    if (r < p) {
      const isMarket = rng.chance(0.2);
      const trigger = rng.chance(0.08);
      cmd.op = Op.PLACE;
      cmd.tif = isMarket ? rng.pick([TimeInForce.IOC, TimeInForce.FOK]) : rng.pick([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]);
      cmd.orderType = isMarket ? OrderType.MARKET : OrderType.LIMIT;
      if (rng.chance(0.12)) cmd.flags |= OrderFlag.REDUCE_ONLY;
      if (!isMarket && cmd.tif === TimeInForce.GTC && !trigger && rng.chance(0.15)) cmd.flags |= OrderFlag.POST_ONLY;
      cmd.side = rng.int(0, 1);
      cmd.sizeLots = rng.chance(0.02) ? rng.pick([0, -3, spec.maxOrderLots + 1]) : rng.int(1, maxSize);
      cmd.priceTicks = isMarket ? 0 : this.#price(m);
      cmd.stpMode = rng.pick([StpMode.DEFAULT, StpMode.DEFAULT, StpMode.EXPIRE_TAKER, StpMode.EXPIRE_MAKER, StpMode.EXPIRE_BOTH]);
      if (trigger) {
        cmd.triggerKind = rng.pick([TriggerKind.STOP, TriggerKind.TAKE_PROFIT]);
        cmd.triggerPriceTicks = this.#price(m);
      }
      if (rng.chance(0.3)) cmd.cloid0 = rng.int(1, 50);
      return;
    }
    const q = (r - p) / (1 - p);
    const market = view.market(spec.marketId)!;
    if (q < 0.24) {
      const open = market.openOrders(a);
      cmd.op = rng.chance(0.15) ? Op.CANCEL_BY_CLOID : Op.CANCEL;
      const o = open.length > 0 && rng.chance(0.9) ? rng.pick(open) : undefined;
      cmd.orderId = o ? o.orderId : rng.int(1, 1_000_000);
      if (cmd.op === Op.CANCEL_BY_CLOID) cmd.cloid0 = o ? o.cloid[0] : rng.int(1, 50);
    } else if (q < 0.4) {
      const open = market.openOrders(a);
      const o = open.length > 0 ? rng.pick(open) : undefined;
      cmd.op = Op.MODIFY;
      cmd.orderId = o ? o.orderId : rng.int(1, 1_000_000);
      cmd.side = o && rng.chance(0.95) ? o.side : rng.int(0, 1);
      cmd.priceTicks = o && rng.chance(0.3) ? o.priceTicks : this.#price(m);
      cmd.sizeLots = rng.chance(0.3) ? 0 : rng.int(1, maxSize);
    } else if (q < 0.6) {
      const pct = rng.chance(0.1) ? rng.int(-100_000, 100_000) : rng.int(-40_000, 40_000);
      const next = Math.max(1, Math.min(spec.maxPriceTicks, this.#marks[m] + Math.trunc((this.#marks[m] * pct) / 1_000_000)));
      cmd.op = Op.SET_MARK_PRICE;
      cmd.accountId = 0;
      cmd.value = rng.chance(0.01) ? 0 : next;
      if (cmd.value !== 0) this.#marks[m] = next;
    } else if (q < 0.7) {
      cmd.op = Op.DEPOSIT;
      cmd.amount = rng.chance(0.05) ? -1 : rng.int(1, 5_000) * USD;
    } else if (q < 0.8) {
      const free = view.ledger.freeMicros(a);
      cmd.op = Op.WITHDRAW;
      cmd.amount = rng.chance(0.3) ? free + rng.int(1, 1_000) : rng.int(1, Math.max(1, free));
    } else if (q < 0.86) {
      cmd.op = Op.SET_LEVERAGE;
      cmd.amount = rng.int(0, 110);
    } else if (q < 0.9) {
      cmd.op = Op.CANCEL_ALL;
      cmd.value = rng.chance(0.5) ? 1 : 0;
    } else if (q < 0.92) {
      cmd.op = Op.SET_STP_DEFAULT;
      cmd.stpMode = rng.int(0, 4);
    } else if (q < 0.93) {
      const halted = view.markets.find((x) => x.status() === MarketStatus.HALTED);
      cmd.op = Op.SET_MARKET_STATUS;
      cmd.accountId = 0;
      cmd.marketId = halted ? halted.spec.marketId : spec.marketId;
      cmd.value = halted ? MarketStatus.ACTIVE : MarketStatus.HALTED;
    } else if (q < 0.96) {
      cmd.op = Op.CREATE_ACCOUNT;
      cmd.accountId = 0;
      this.#accounts++;
    } else {
      cmd.op = Op.DEPOSIT;
      cmd.accountId = this.#accounts - 1;
      cmd.amount = rng.int(100, 10_000) * USD;
    }
  }

  #price(m: number): number {
    const rng = this.#rng;
    const spec = this.#specs[m];
    const mark = this.#marks[m];
    const band = Math.floor((mark * spec.priceBandPpm) / 1_000_000);
    const near = Math.max(1, Math.floor(band / 8));
    const off = rng.chance(0.03) ? band + rng.int(1, 5) : rng.chance(0.7) ? rng.int(0, near) : rng.int(0, band);
    return Math.max(1, Math.min(spec.maxPriceTicks, mark + (rng.chance(0.5) ? off : -off)));
  }
}
