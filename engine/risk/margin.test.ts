import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoMarkets, makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../market-spec.js';
import { feeMicros, initialMarginMicros, maintenanceMarginMicros, orderMarginRequirementMicros } from './margin.js';
import { bandTopTicks, notionalMicros } from './notional.js';
import { imPpmFor, maxLeverageFor, mmPpmFor, tierIndexFor, userImPpmForLeverage } from './tiers.js';

const USD = 1_000_000;
const tiers = prdLeverageTiers();
const BTC = demoMarkets()[0]; // tick $0.1, lot 0.00001 BTC: k = 1 micro per tick-lot

/** k = 1, no fees, ±10% band, price 100 ticks = $100 per lot. */
const FLAT: MarketSpec = makeMarketSpec({
  marketId: 9,
  symbol: 'FLAT-PERP',
  tickSize: '1',
  lotSize: '0.000001',
  minOrderLots: 1,
  maxOrderLots: 1_000_000,
  maxPositionLots: 10_000_000,
  maxPriceTicks: 1_000_000,
  makerFeePpm: 0,
  takerFeePpm: 0,
  priceBandPpm: 100_000,
  maxOpenOrdersPerAccount: 100,
  tiers,
  initialMarkPriceTicks: 100,
});

describe('notional and band', () => {
  it('2 BTC at $50,000 is $100,000 of notional', () => {
    assert.equal(notionalMicros(200_000, 500_000, BTC), 100_000 * USD);
  });
  it('a short notional is negative', () => {
    assert.equal(notionalMicros(-3, 10, BTC), -30);
  });
  it('a notional that is not a safe integer throws', () => {
    assert.throws(() => notionalMicros(2 ** 30, 2 ** 30, { ...BTC, quoteMicrosPerTickLot: 2 ** 10 }), RangeError);
  });
  it('the band top rounds down', () => {
    assert.equal(bandTopTicks(1_000_001, BTC), 1_050_001); // 1,050,001.05
    assert.equal(bandTopTicks(100, FLAT), 110);
  });
});

describe('leverage tiers (whole position)', () => {
  const cases: Array<{ name: string; notional: number; tier: number; mmPpm: number }> = [
    { name: 'a $9,999.999999 position is in the first tier', notional: 10_000 * USD - 1, tier: 0, mmPpm: 6_000 },
    { name: 'exactly $10,000 is in the second tier (bounds are exclusive above)', notional: 10_000 * USD, tier: 1, mmPpm: 10_000 },
    { name: 'a $100,000 position is in the 20x tier', notional: 100_000 * USD, tier: 2, mmPpm: 25_000 },
    { name: 'a short of -$300,000 is tiered by its magnitude', notional: -300_000 * USD, tier: 3, mmPpm: 50_000 },
    { name: 'above $1,000,000 is the open-ended last tier', notional: 5_000_000 * USD, tier: 4, mmPpm: 100_000 },
    { name: 'a flat position is in the first tier', notional: 0, tier: 0, mmPpm: 6_000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(tierIndexFor(c.notional, tiers), c.tier);
      assert.equal(mmPpmFor(c.notional, tiers), c.mmPpm);
    });
  }
  it('the user leverage only ever raises the IM rate above the tier rate', () => {
    assert.equal(imPpmFor(5_000 * USD, 50_000, tiers), 50_000); // 20x user, tier 1%: 5%
    assert.equal(imPpmFor(5_000 * USD, 10_000, tiers), 10_000); // 100x user, tier 1%: 1%
    assert.equal(imPpmFor(100_000 * USD, 10_000, tiers), 50_000); // 100x user, tier 5%: 5% (tiers win)
  });
  it('max leverage is the first tier\'s, and leverage converts to a rate rounded up', () => {
    assert.equal(maxLeverageFor(tiers), 100);
    assert.equal(userImPpmForLeverage(20), 50_000);
    assert.equal(userImPpmForLeverage(3), 333_334);
    assert.equal(userImPpmForLeverage(1), 1_000_000);
  });
});

describe('initial and maintenance margin', () => {
  const cases: Array<{ name: string; notional: number; userImPpm: number; im: number; mm: number }> = [
    { name: 'the PRD example at 50x is refused by the tiers: $100,000 needs 5%, $5,000', notional: 100_000 * USD, userImPpm: 20_000, im: 5_000 * USD, mm: 2_500 * USD },
    { name: 'a $5,000 position at 100x needs $50 IM and $30 MM', notional: 5_000 * USD, userImPpm: 10_000, im: 50 * USD, mm: 30 * USD },
    { name: 'IM rounds up: 1 micro at 1% needs 1 micro', notional: 1, userImPpm: 10_000, im: 1, mm: 1 },
    { name: 'MM rounds up: 167 micros at 0.6% is 1.002, so 2 micros', notional: 167, userImPpm: 10_000, im: 2, mm: 2 },
    { name: 'a short requires the same as a long', notional: -5_000 * USD, userImPpm: 10_000, im: 50 * USD, mm: 30 * USD },
    { name: 'a $2,000,000 position needs 20% IM and 10% MM', notional: 2_000_000 * USD, userImPpm: 50_000, im: 400_000 * USD, mm: 200_000 * USD },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(initialMarginMicros(c.notional, c.userImPpm, tiers), c.im);
      assert.equal(maintenanceMarginMicros(c.notional, tiers), c.mm);
    });
  }
  it('a 2^50-micro notional in the last tier is computed exactly (slow path)', () => {
    assert.equal(maintenanceMarginMicros(2 ** 50, tiers), Math.ceil(2 ** 50 / 10)); // 2^50 / 10 = 112589990684262.4
    assert.equal(initialMarginMicros(2 ** 50, 50_000, tiers), 225_179_981_368_525); // ceil(2^50 / 5)
  });
});

describe('fees', () => {
  const cases: Array<{ name: string; notional: number; feePpm: number; fee: number }> = [
    { name: 'a taker fee of 0.05% on $100,000 is $50', notional: 100_000 * USD, feePpm: 500, fee: 50 * USD },
    { name: 'a positive fee rounds up (venue-favourable)', notional: 1_999, feePpm: 500, fee: 1 },
    { name: 'a maker rebate of 0.02% on $100,000 is -$20', notional: 100_000 * USD, feePpm: -200, fee: -20 * USD },
    { name: 'a rebate rounds its magnitude down', notional: 9_999, feePpm: -200, fee: -1 },
    { name: 'a rebate smaller than a micro is nothing, and not -0', notional: 4_999, feePpm: -200, fee: 0 },
    { name: 'a zero fee is zero', notional: 123_456, feePpm: 0, fee: 0 },
    { name: 'the fee on a sell is charged on the magnitude', notional: -100_000 * USD, feePpm: 500, fee: 50 * USD },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fee = feeMicros(c.notional, c.feePpm);
      assert.equal(fee, c.fee);
      assert.ok(!Object.is(fee, -0));
    });
  }
});

describe('order margin requirement', () => {
  // FLAT: ref 100 → refTop 110; 1 lot at 110 ticks = 110 micros. User 20x = 5%.
  const im5 = (lots: number) => Math.ceil((lots * 110 * 5) / 100);
  const cases: Array<{ name: string; pos: number; buy: number; sell: number; want: number }> = [
    { name: 'no pending orders need nothing', pos: 7, buy: 0, sell: 0, want: 0 },
    { name: 'a buy of 100 lots from flat needs IM of 100 lots at the band top', pos: 0, buy: 100, sell: 0, want: im5(100) },
    { name: 'a sell of 100 lots from flat needs the same as a buy', pos: 0, buy: 0, sell: 100, want: im5(100) },
    { name: 'a buy that adds to a long needs only the increment', pos: 100, buy: 50, sell: 0, want: im5(150) - im5(100) },
    { name: 'a sell that only reduces a long needs nothing', pos: 100, buy: 0, sell: 60, want: 0 },
    { name: 'a sell that flips a long needs IM only for the part beyond the position size', pos: 100, buy: 0, sell: 250, want: Math.max(0, im5(150) - im5(100)) },
    { name: 'orders on both sides need the larger scenario, not the sum', pos: 0, buy: 100, sell: 40, want: im5(100) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(orderMarginRequirementMicros(c.pos, c.buy, c.sell, 100, FLAT, 50_000), c.want);
    });
  }
  it('a fee bound at the taker rate is added for the pending lots of the scenario', () => {
    // BTC: ref $100,000 → refTop $105,000 (1,050,000 ticks). 0.1 BTC buy = 10,000 lots:
    // notional $10,500 → tier 2%... user 20x → 5% = $525; fee bound 0.05% = $5.25.
    const want = 525 * USD + 5_250_000;
    assert.equal(orderMarginRequirementMicros(0, 10_000, 0, 1_000_000, BTC, 50_000), want);
    // a pure reduction still reserves its fee
    assert.equal(orderMarginRequirementMicros(10_000, 0, 10_000, 1_000_000, BTC, 50_000), 5_250_000);
  });
  it('crossing into a higher tier charges the higher rate on the whole position', () => {
    // BTC refTop $105,000: 0.4 BTC = $42,000 (tier 2%), 0.5 BTC = $52,500 (tier 5%). User 100x.
    const at40 = initialMarginMicros(notionalMicros(40_000, 1_050_000, BTC), 10_000, tiers);
    const at50 = initialMarginMicros(notionalMicros(50_000, 1_050_000, BTC), 10_000, tiers);
    assert.equal(at40, 840 * USD);
    assert.equal(at50, 2_625 * USD);
    const fee = Math.ceil((10_000 * 1_050_000 * 500) / 1_000_000);
    assert.equal(orderMarginRequirementMicros(40_000, 10_000, 0, 1_000_000, BTC, 10_000), at50 - at40 + fee);
  });
});
