/**
 * Seeded random runs through the whole Exchange (ledger R1 → market → ledger R2),
 * asserting after EVERY command that money is conserved exactly
 *
 *   Σ(free + margin + orderMargin − cost) + fees + insurance = deposits − withdrawals
 *
 * and that no balance is negative, the ledger's position mirror equals the market's,
 * and the market's own invariants hold. The workload mixes deposits, withdrawals,
 * limit/market orders with GTC/IOC/FOK, post-only, reduce-only, triggers, cancels,
 * modifies, leverage changes, halts and mark moves large enough to produce losses
 * beyond margin (bad debt) in three markets with different tick × lot scales.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../engine/codes.js';
import { Op } from '../engine/command.js';
import { NullSink } from '../engine/events.js';
import { makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../engine/market-spec.js';
import { MarketStatus, OrderFlag, OrderType, StpMode, TimeInForce, TriggerKind } from '../engine/types.js';
import { Prng } from '../engine/util/prng.js';
import { availableMarketFactories, Driver, testSpec, USD, type NamedFactory } from '../engine/ledger/test-fixtures.js';

const factories = await availableMarketFactories();

interface MarketPlan {
  spec: MarketSpec;
  maxSizeLots: number;
}

function plans(): MarketPlan[] {
  return [
    // $1 ticks, whole lots, k = 1,000,000 micros; rebate maker
    { spec: testSpec({ maxOpenOrdersPerAccount: 20 }), maxSizeLots: 40 },
    // $0.01 ticks, 0.001 lots: k = 10 micros; positive maker fee; mark $2,500
    {
      spec: makeMarketSpec({
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
        maxOpenOrdersPerAccount: 20,
        tiers: prdLeverageTiers(),
        initialMarkPriceTicks: 250_000,
      }),
      maxSizeLots: 4_000,
    },
    // $0.1 ticks, 0.00001 lots: k = 1 micro (rounding everywhere); mark $100,000
    {
      spec: makeMarketSpec({
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
        maxOpenOrdersPerAccount: 20,
        tiers: prdLeverageTiers(),
        initialMarkPriceTicks: 1_000_000,
      }),
      maxSizeLots: 40_000,
    },
  ];
}

class CountingSink extends NullSink {
  fills = 0;
  override onFill(): void {
    this.fills++;
  }
}

interface RunStats {
  codes: Map<number, number>;
  fills: number;
  hashes: string[];
  badDebtMicros: number;
}

/** One seeded run; asserts the invariants after every command. */
function runSeeded(f: NamedFactory, seed: number, steps: number): RunStats {
  const rng = new Prng(seed);
  const mk = plans();
  const counting = new CountingSink();
  const d = new Driver({ markets: mk.map((p) => p.spec), create: f.create, sink: counting });
  const codes = new Map<number, number>();
  const hashes: string[] = [];
  const accounts: number[] = [];
  for (let i = 0; i < 8; i++) {
    const a = d.createAccount();
    accounts.push(a);
    d.deposit(a, rng.int(200, 50_000) * USD);
  }
  const marks = mk.map((p) => p.spec.initialMarkPriceTicks);

  const pickPrice = (m: number): number => {
    const spec = mk[m].spec;
    const band = Math.floor((marks[m] * spec.priceBandPpm) / 1_000_000);
    // mostly close to the mark so that books cross; sometimes anywhere in the band, rarely outside it
    const near = Math.max(1, Math.floor(band / 8));
    const off = rng.chance(0.03) ? band + rng.int(1, 5) : rng.chance(0.7) ? rng.int(0, near) : rng.int(0, band);
    const p = marks[m] + (rng.chance(0.5) ? off : -off);
    return Math.max(1, Math.min(spec.maxPriceTicks, p));
  };
  const randomLiveOrder = (m: number, account: number): number => {
    const open = d.ex.markets[m].openOrders(account);
    if (open.length === 0 || rng.chance(0.05)) return rng.int(1, d.seq + 1);
    return rng.pick(open).orderId;
  };

  for (let step = 0; step < steps; step++) {
    const a = rng.pick(accounts);
    const m = rng.int(0, mk.length - 1);
    const spec = mk[m].spec;
    const r = rng.next();
    let code: number;
    if (r < 0.5) {
      const isMarket = rng.chance(0.2);
      const trigger = rng.chance(0.08);
      const tif = isMarket ? rng.pick([TimeInForce.IOC, TimeInForce.FOK]) : rng.pick([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.IOC, TimeInForce.FOK]);
      let flags = 0;
      if (rng.chance(0.12)) flags |= OrderFlag.REDUCE_ONLY;
      if (!isMarket && tif === TimeInForce.GTC && !trigger && rng.chance(0.15)) flags |= OrderFlag.POST_ONLY;
      const side = rng.int(0, 1);
      const size = rng.chance(0.02) ? rng.pick([0, -3, spec.maxOrderLots + 1]) : rng.int(1, mk[m].maxSizeLots);
      code = d.place({
        account: a,
        market: spec.marketId,
        side,
        type: isMarket ? OrderType.MARKET : OrderType.LIMIT,
        tif,
        flags,
        size,
        price: isMarket ? 0 : pickPrice(m),
        stp: rng.pick([StpMode.DEFAULT, StpMode.DEFAULT, StpMode.EXPIRE_TAKER, StpMode.EXPIRE_MAKER, StpMode.EXPIRE_BOTH]),
        triggerKind: trigger ? rng.pick([TriggerKind.STOP, TriggerKind.TAKE_PROFIT]) : TriggerKind.NONE,
        triggerPrice: trigger ? pickPrice(m) : 0,
        cloid: rng.chance(0.3) ? rng.int(1, 50) : 0,
      }).code;
    } else if (r < 0.62) {
      const owners = accounts.filter((x) => d.ex.markets[m].openOrders(x).length > 0);
      const owner = owners.length > 0 && rng.chance(0.9) ? rng.pick(owners) : a;
      code = d.cancel(owner, randomLiveOrder(m, owner), spec.marketId);
    } else if (r < 0.7) {
      const open = d.ex.markets[m].openOrders(a);
      const o = open.length > 0 ? rng.pick(open) : undefined;
      const side = o && rng.chance(0.95) ? o.side : rng.int(0, 1);
      const size = rng.chance(0.3) ? 0 : rng.int(1, mk[m].maxSizeLots);
      code = d.modify(a, o ? o.orderId : rng.int(1, d.seq + 1), side, o && rng.chance(0.3) ? o.priceTicks : pickPrice(m), size, spec.marketId);
    } else if (r < 0.8) {
      // mark random walk, up to ±4% per move, with occasional jumps of ±10%
      const pct = rng.chance(0.1) ? rng.int(-100_000, 100_000) : rng.int(-40_000, 40_000);
      const next = Math.max(1, Math.min(spec.maxPriceTicks, marks[m] + Math.trunc((marks[m] * pct) / 1_000_000)));
      code = d.setMark(rng.chance(0.01) ? 0 : next, spec.marketId);
      if (code === Code.OK) marks[m] = next;
    } else if (r < 0.85) {
      code = d.deposit(a, rng.chance(0.05) ? -1 : rng.int(1, 5_000) * USD);
    } else if (r < 0.9) {
      const free = d.free(a);
      code = d.withdraw(a, rng.chance(0.3) ? free + rng.int(1, 1_000) : rng.int(1, Math.max(1, free)));
    } else if (r < 0.93) {
      code = d.setLeverage(a, rng.int(0, 110), spec.marketId);
    } else if (r < 0.95) {
      code = d.run({ op: Op.CANCEL_ALL, accountId: a, marketId: spec.marketId, value: rng.chance(0.5) ? 1 : 0 });
    } else if (r < 0.96) {
      code = d.run({ op: Op.SET_STP_DEFAULT, accountId: a, stpMode: rng.int(0, 4) });
    } else if (r < 0.965) {
      // short halts: the next status command resumes a halted market before halting another
      const halted = d.ex.markets.find((x) => x.status() === MarketStatus.HALTED);
      const target = halted ? halted.spec.marketId : spec.marketId;
      code = d.run({ op: Op.SET_MARKET_STATUS, marketId: target, value: halted ? MarketStatus.ACTIVE : MarketStatus.HALTED });
    } else {
      // a new account now and then, funded or not
      const n = d.createAccount();
      accounts.push(n);
      code = rng.chance(0.7) ? d.deposit(n, rng.int(100, 10_000) * USD) : Code.OK;
    }
    codes.set(code, (codes.get(code) ?? 0) + 1);

    // after EVERY command: exact conservation, non-negative balances, mirrors, market invariants
    const residual = d.ex.ledger.conservationResidualMicros();
    assert.equal(residual, 0n, `seed ${seed} step ${step}: conservation residual ${residual}`);
    d.ex.mustValidate();
    if (step % 100 === 99) hashes.push(d.ex.stateHash());
  }
  return { codes, fills: counting.fills, hashes, badDebtMicros: d.ex.ledger.totals().badDebtMicros };
}

describe('conservation under seeded random workloads', () => {
  it('at least one market engine is available', () => {
    assert.ok(factories.length > 0);
  });

  for (const f of factories) {
    for (const seed of [1, 42, 20260101]) {
      it(`money is conserved exactly after every one of 4,000 commands (${f.name} market, seed ${seed})`, () => {
        const stats = runSeeded(f, seed, 4_000);
        if (process.env.CONSERVATION_STATS) console.log(seed, stats.fills, stats.badDebtMicros, [...stats.codes].sort((x, y) => x[0] - y[0]));
        // the run must actually exercise what it claims to
        assert.ok(stats.fills > 200, `only ${stats.fills} fills`);
        assert.ok((stats.codes.get(Code.OK) ?? 0) > 2_000);
        assert.ok((stats.codes.get(Code.INSUFFICIENT_MARGIN) ?? 0) + (stats.codes.get(Code.INSUFFICIENT_COLLATERAL) ?? 0) > 0);
      });
    }
  }

  it('the workload produces bad debt, and the insurance fund carries it', () => {
    const stats = runSeeded(factories[0], 42, 2_500);
    assert.ok(stats.badDebtMicros > 0, 'the mark moves should push some closes beyond their margin');
  });

  it('the reference and fast engines give the same exchange hash every 100 commands', { skip: factories.length < 2 }, () => {
    const runs = factories.map((f) => runSeeded(f, 7, 2_000).hashes);
    for (const other of runs.slice(1)) {
      for (let i = 0; i < runs[0].length; i++) assert.equal(other[i], runs[0][i], `hash differs at command ${(i + 1) * 100}`);
    }
  });
});
