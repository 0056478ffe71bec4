import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoMarkets, makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../market-spec.js';
import { Prng } from '../util/prng.js';
import { initialMarginMicros } from './margin.js';
import { notionalMicros } from './notional.js';
import { isLiquidatable } from './pnl.js';
import { liquidationPriceTicks } from './liquidation-price.js';

const USD = 1_000_000;
const BTC = demoMarkets()[0]; // tick $0.1, lot 0.00001, taker 0.05%, PRD tiers

/** Asserts the defining property: liquidatable at L, not one tick better. */
function assertRoundTrip(spec: MarketSpec, lots: number, cost: number, margin: number, liq: number, label: string): void {
  if (liq === 0) return;
  assert.equal(isLiquidatable(lots, cost, margin, liq, spec), true, `${label}: liquidatable at ${liq}`);
  const better = lots > 0 ? liq + 1 : liq - 1;
  if (better >= 1 && better <= spec.maxPriceTicks) {
    assert.equal(isLiquidatable(lots, cost, margin, better, spec), false, `${label}: safe at ${better}`);
  }
}

/** Brute force over every tick of a small market. */
function bruteForce(spec: MarketSpec, lots: number, cost: number, margin: number): number {
  if (lots > 0) {
    for (let p = spec.maxPriceTicks; p >= 1; p--) if (isLiquidatable(lots, cost, margin, p, spec)) return p;
  } else {
    for (let p = 1; p <= spec.maxPriceTicks; p++) if (isLiquidatable(lots, cost, margin, p, spec)) return p;
  }
  return 0;
}

describe('liquidation price: the PRD example recomputed', () => {
  // 2 BTC long at $50,000. The PRD's 50x is refused by its own tiers ($100,000 is in the
  // 20x tier, 5% IM / 2.5% MM), so the position holds IM = $5,000.
  const lots = 200_000;
  const cost = notionalMicros(lots, 500_000, BTC);
  const margin = initialMarginMicros(cost, 20_000, BTC.tiers);
  it('the tiers raise the requested 2% IM to 5%: $5,000', () => {
    assert.equal(margin, 5_000 * USD);
  });
  it('the long liquidates at $48,742.90, not the PRD\'s $49,650', () => {
    // root = (100,000 − 5,000) / (2 × (1 − 0.025 − 0.0005)) = 48,742.945...; highest liquidatable tick below it
    const liq = liquidationPriceTicks(lots, cost, margin, BTC);
    assert.equal(liq, 487_429);
    assertRoundTrip(BTC, lots, cost, margin, liq, 'PRD long');
  });
  it('the same short liquidates at $51,194.60', () => {
    // root = (5,000 + 100,000) / (2 × (1 + 0.025 + 0.0005)) = 51,194.54...; lowest liquidatable tick above it
    const liq = liquidationPriceTicks(-lots, -cost, margin, BTC);
    assert.equal(liq, 511_946);
    assertRoundTrip(BTC, -lots, -cost, margin, liq, 'PRD short');
  });
  it('with the PRD\'s own rates (2% IM, 0.6% MM, no fee) the correct price is $49,295.78, not $49,650', () => {
    const prdRates = makeMarketSpec({ ...BTC, takerFeePpm: 0, makerFeePpm: 0, tiers: [{ maxNotionalMicros: Number.MAX_SAFE_INTEGER, imPpm: 20_000, mmPpm: 6_000 }] });
    // (100,000 − 2,000) / (2 × 0.994) = 49,295.774...
    const liq = liquidationPriceTicks(lots, cost, 2_000 * USD, prdRates);
    assert.equal(liq, 492_957);
    assertRoundTrip(prdRates, lots, cost, 2_000 * USD, liq, 'PRD rates');
  });
});

describe('liquidation price: edge cases', () => {
  it('a flat position has none', () => {
    assert.equal(liquidationPriceTicks(0, 0, 0, BTC), 0);
  });
  it('a fully collateralised long (margin covers cost and fees) has none', () => {
    const cost = notionalMicros(100_000, 500_000, BTC);
    assert.equal(liquidationPriceTicks(100_000, cost, cost + 100 * USD, BTC), 0);
  });
  it('a long with margin just short of full collateral liquidates at the lowest ticks only', () => {
    const cost = notionalMicros(100, 500_000, BTC); // 0.001 BTC, $50
    const liq = liquidationPriceTicks(100, cost, cost - 10 * USD, BTC);
    assert.ok(liq > 0 && liq < 500_000);
    assertRoundTrip(BTC, 100, cost, cost - 10 * USD, liq, 'near-full');
  });
  it('a short whose trigger lies beyond the maximum price has none', () => {
    const cost = -notionalMicros(100_000, 500_000, BTC);
    // margin of $10,000,000 on a 1 BTC short: liquidation far above $1,000,000 (maxPriceTicks)
    assert.equal(liquidationPriceTicks(-100_000, cost, 10_000_000 * USD, BTC), 0);
  });
  it('a one-lot position (rounding jitter larger than a tick step) still round-trips', () => {
    for (const margin of [0, 1, 2, 3, 25_000, 25_001, 499_999]) {
      const liqL = liquidationPriceTicks(1, 500_000, margin, BTC);
      assertRoundTrip(BTC, 1, 500_000, margin, liqL, `1 lot long m=${margin}`);
      const liqS = liquidationPriceTicks(-1, -500_000, margin, BTC);
      assertRoundTrip(BTC, -1, -500_000, margin, liqS, `1 lot short m=${margin}`);
    }
  });
  it('a fully margined long just under a tier boundary is liquidatable just above it', () => {
    // 1 BTC bought at $49,900 at 50x: IM 2% = $998 (the $10k–50k tier). At $50,000 the
    // whole position moves to the 2.5% MM tier: equity 998 + 100 − 25 = $1,073 < MM $1,250.
    // Whole-position tiers make a rally liquidate this long; the liquidation price is the
    // highest liquidatable tick, in the upper tier, and it lies above the entry.
    const lots = 100_000;
    const cost = notionalMicros(lots, 499_000, BTC);
    const margin = initialMarginMicros(cost, 20_000, BTC.tiers);
    assert.equal(margin, 998 * USD);
    assert.equal(isLiquidatable(lots, cost, margin, 499_999, BTC), false);
    assert.equal(isLiquidatable(lots, cost, margin, 500_000, BTC), true);
    const liq = liquidationPriceTicks(lots, cost, margin, BTC);
    assert.ok(liq > 500_000, `expected a liquidation price in the upper tier, got ${liq}`);
    assertRoundTrip(BTC, lots, cost, margin, liq, 'tier jump');
  });
});

describe('liquidation price: agrees with brute force on a small market', () => {
  // k = 1 micro, prices up to 3,000 ticks, tiers at 2,000 / 20,000 / 100,000 micros so
  // that tier boundaries fall inside the price range; a 0.1% taker fee.
  const SMALL = makeMarketSpec({
    marketId: 7,
    symbol: 'SMALL-PERP',
    tickSize: '1',
    lotSize: '0.000001',
    minOrderLots: 1,
    maxOrderLots: 1_000,
    maxPositionLots: 100,
    maxPriceTicks: 3_000,
    makerFeePpm: -200,
    takerFeePpm: 1_000,
    priceBandPpm: 100_000,
    maxOpenOrdersPerAccount: 10,
    tiers: [
      { maxNotionalMicros: 2_000, imPpm: 100_000, mmPpm: 50_000 },
      { maxNotionalMicros: 20_000, imPpm: 200_000, mmPpm: 100_000 },
      { maxNotionalMicros: 100_000, imPpm: 400_000, mmPpm: 300_000 },
      { maxNotionalMicros: Number.MAX_SAFE_INTEGER, imPpm: 900_000, mmPpm: 800_000 },
    ],
    initialMarkPriceTicks: 1_000,
  });
  it('matches on 400 seeded random positions, longs and shorts', () => {
    const rng = new Prng(20240601);
    for (let i = 0; i < 400; i++) {
      const lots = rng.int(1, 100) * (rng.chance(0.5) ? 1 : -1);
      const entry = rng.int(1, 3_000);
      const cost = notionalMicros(lots, entry, SMALL);
      const margin = rng.int(0, Math.abs(cost) + 50);
      const liq = liquidationPriceTicks(lots, cost, margin, SMALL);
      assert.equal(liq, bruteForce(SMALL, lots, cost, margin), `lots=${lots} entry=${entry} margin=${margin}`);
      assertRoundTrip(SMALL, lots, cost, margin, liq, `case ${i}`);
    }
  });
});

describe('liquidation price: round trip on realistic positions', () => {
  it('holds for 300 seeded random BTC and ETH positions across all tiers', () => {
    const rng = new Prng(7);
    const specs = demoMarkets();
    for (let i = 0; i < 300; i++) {
      const spec = specs[rng.int(0, 1)];
      const lots = rng.int(1, 20_000_000) * (rng.chance(0.5) ? 1 : -1);
      const entry = rng.int(Math.floor(spec.initialMarkPriceTicks / 2), spec.initialMarkPriceTicks * 2);
      const cost = notionalMicros(lots, entry, spec);
      const margin = initialMarginMicros(cost, spec.tiers[0].imPpm * rng.int(1, 5), prdLeverageTiers());
      const liq = liquidationPriceTicks(lots, cost, margin, spec);
      if (lots < 0) assert.ok(liq > entry || liq === 0, `short liquidates above entry (${liq} vs ${entry})`);
      assertRoundTrip(spec, lots, cost, margin, liq, `case ${i}`);
    }
  });
});
