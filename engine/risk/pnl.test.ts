import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoMarkets } from '../market-spec.js';
import { fundingPaymentMicros } from './funding.js';
import { closingFeeMicros, entryPriceTicks, isLiquidatable, marginRatioPpm, positionEquityMicros, unrealizedPnlMicros } from './pnl.js';

const USD = 1_000_000;
const [BTC, ETH] = demoMarkets(); // both k = 1 micro per tick-lot; taker 0.05%

describe('unrealized PnL and entry price', () => {
  const cases: Array<{ name: string; lots: number; cost: number; mark: number; pnl: number; entry: number }> = [
    { name: 'a 2 BTC long bought at $50,000 gains $2,000 at $51,000', lots: 200_000, cost: 100_000 * USD, mark: 510_000, pnl: 2_000 * USD, entry: 500_000 },
    { name: 'a 2 BTC short sold at $50,000 loses $2,000 at $51,000', lots: -200_000, cost: -100_000 * USD, mark: 510_000, pnl: -2_000 * USD, entry: 500_000 },
    { name: 'a flat position has no PnL and no entry price', lots: 0, cost: 0, mark: 510_000, pnl: 0, entry: 0 },
    { name: 'the entry price rounds down: 3 lots costing 10 micros enter at 3 ticks', lots: 3, cost: 10, mark: 4, pnl: 2, entry: 3 },
    { name: 'a short entry rounds its magnitude down too', lots: -3, cost: -10, mark: 4, pnl: -2, entry: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(unrealizedPnlMicros(c.lots, c.cost, c.mark, BTC), c.pnl);
      assert.equal(entryPriceTicks(c.lots, c.cost, BTC), c.entry);
    });
  }
});

describe('equity, margin ratio and the liquidation test', () => {
  // 2 BTC long at $50,000 with $5,000 margin (the tier-corrected PRD example).
  const lots = 200_000;
  const cost = 100_000 * USD;
  const margin = 5_000 * USD;
  it('at entry the equity is the margin minus the $50 closing fee', () => {
    assert.equal(closingFeeMicros(lots, 500_000, BTC), 50 * USD);
    assert.equal(positionEquityMicros(lots, cost, margin, 500_000, BTC), 4_950 * USD);
  });
  it('at entry the margin ratio is 4,950 / 2,500 = 198%', () => {
    assert.equal(marginRatioPpm(lots, cost, margin, 500_000, BTC), 1_980_000);
  });
  it('a flat position has an unbounded ratio and is never liquidatable', () => {
    assert.equal(marginRatioPpm(0, 0, 0, 500_000, BTC), Number.MAX_SAFE_INTEGER);
    assert.equal(isLiquidatable(0, 0, 0, 1, BTC), false);
  });
  it('a ratio of exactly 100% is not liquidatable, one micro less is', () => {
    // 1 BTC long, cost $50,000, mark $50,000: MM = 2% tier... pick margin so that equity = MM.
    const l = 100_000;
    const c = 50_000 * USD;
    const mm = 1_250 * USD; // $50,000 is in the 2.5% tier (bounds exclusive above)
    const fee = 25 * USD;
    assert.equal(marginRatioPpm(l, c, mm + fee, 500_000, BTC), 1_000_000);
    assert.equal(isLiquidatable(l, c, mm + fee, 500_000, BTC), false);
    assert.equal(isLiquidatable(l, c, mm + fee - 1, 500_000, BTC), true);
    assert.equal(marginRatioPpm(l, c, mm + fee - 1, 500_000, BTC), 999_999);
  });
  it('a position under water has a negative ratio', () => {
    assert.ok(marginRatioPpm(lots, cost, margin, 400_000, BTC) < 0);
  });
  it('an enormous margin on a tiny position clamps the ratio instead of throwing', () => {
    assert.equal(marginRatioPpm(1, 500_000, 2 ** 52, 500_000, BTC), Number.MAX_SAFE_INTEGER);
  });
});

describe('funding payment (PRD 8.2)', () => {
  it('5 ETH long at $3,000 and a 0.01% rate pays $1.50', () => {
    assert.equal(fundingPaymentMicros(50_000, 300_000, 100, ETH), 1_500_000);
  });
  it('the matching short receives $1.50', () => {
    assert.equal(fundingPaymentMicros(-50_000, 300_000, 100, ETH), -1_500_000);
  });
  it('a payer rounds up and a receiver rounds down (toward the venue)', () => {
    // 1 lot at 3 ticks = 3 micros; 3 × 100 ppm = 0.0003 micros
    assert.equal(fundingPaymentMicros(1, 3, 100, ETH), 1);
    assert.equal(fundingPaymentMicros(-1, 3, 100, ETH), 0);
    assert.equal(fundingPaymentMicros(1, 3, -100, ETH), 0);
  });
});
