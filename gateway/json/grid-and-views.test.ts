import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMarkets } from '../../engine/market-spec.js';
import { Side } from '../../engine/types.js';
import { formatRatio, formatScaled, tryParseUnsignedDecimal } from './decimal.js';
import { aggregateLevels } from './hl-views.js';
import { fillDirection } from './json-router.js';
import { coinOf, MarketGrid } from './market-grid.js';
import { PositionMirror } from './position-mirror.js';

const [BTC, ETH, SOL] = demoMarkets().map((s) => new MarketGrid(s));

describe('decimal strings', () => {
  const cases: [string, string | undefined][] = [
    ['0', '0/0'],
    ['00012.3400', '1234/2'],
    ['5.', undefined],
    ['-1', undefined],
    ['1e5', undefined],
    [' 1', undefined],
    ['1'.repeat(41), undefined],
  ];
  for (const [text, want] of cases) {
    it(`parses ${JSON.stringify(text)} as ${want ?? 'invalid'}`, () => {
      const d = tryParseUnsignedDecimal(text);
      assert.equal(d === undefined ? undefined : `${d.units}/${d.scale}`, want);
    });
  }
  it('formats scaled integers and ratios without floating point', () => {
    assert.equal(formatScaled(123450n, 3), '123.45');
    assert.equal(formatScaled(-5, 6), '-0.000005');
    assert.equal(formatScaled(0, 6), '0');
    assert.equal(formatScaled(2n ** 60n, 2), '11529215046068469.76');
    assert.equal(formatRatio(1n, 3n, 4), '0.3333');
    assert.equal(formatRatio(-2n, 3n, 2), '-0.66');
  });
});

describe('market grids (Hyperliquid rule: ≤ 5 significant figures, ≤ 6 − szDecimals decimals, and the tick grid)', () => {
  it('names coins and szDecimals from the specs', () => {
    assert.deepEqual([BTC.coin, BTC.szDecimals, BTC.maxPriceDecimals], ['BTC', 5, 1]);
    assert.deepEqual([ETH.coin, ETH.szDecimals, ETH.maxPriceDecimals], ['ETH', 4, 2]);
    assert.deepEqual([SOL.coin, SOL.szDecimals, SOL.maxPriceDecimals], ['SOL', 2, 4]);
    assert.equal(coinOf('DOGE'), 'DOGE');
  });
  const prices: [MarketGrid, string, number | RegExp][] = [
    [BTC, '100000', 1_000_000],
    [BTC, '123456', 1_234_560], // integers are always allowed
    [BTC, '9999.9', 99_999],
    [BTC, '99999.9', /more than 5 significant figures/],
    [BTC, '100.05', /2 decimals; BTC allows at most 1/],
    [ETH, '3500.25', /more than 5 significant figures/],
    [ETH, '350.25', 35_025],
    [SOL, '1.2345', /not a multiple of 0.001/],
    [SOL, '12.345', 12_345],
    [SOL, '0', /above zero/],
    [SOL, '20000', /above the maximum/],
    [BTC, 'abc', /not a positive decimal string/],
  ];
  for (const [g, text, want] of prices) {
    it(`${g.coin} price ${text} → ${want}`, () => {
      const r = g.tryPriceTicks(text);
      if (typeof want === 'number') assert.deepEqual(r, { ok: true, value: want });
      else assert.ok(!r.ok && want.test(r.error), JSON.stringify(r));
    });
  }
  const sizes: [MarketGrid, string, number | RegExp][] = [
    [BTC, '0.00001', 1],
    [BTC, '1.5', 150_000],
    [BTC, '0.000015', /not a multiple of the lot size 0.00001/],
    [SOL, '0', /zero size/],
    [SOL, '50000.01', /above the maximum order size/],
  ];
  for (const [g, text, want] of sizes) {
    it(`${g.coin} size ${text} → ${want}`, () => {
      const r = g.trySizeLots(text);
      if (typeof want === 'number') assert.deepEqual(r, { ok: true, value: want });
      else assert.ok(!r.ok && want.test(r.error), JSON.stringify(r));
    });
  }
  it('renders ticks, lots and averages exactly', () => {
    assert.equal(BTC.pxOf(1_000_005), '100000.5');
    assert.equal(BTC.szOf(-400), '-0.004');
    // two fills: 1 lot at 10 ticks, 2 lots at 11 ticks → 32/3 ticks of 0.1 = 1.06666… truncated at 5 decimals
    assert.equal(BTC.avgPxOf(32n, 3n), '1.06666');
    // entry of 0.004 BTC costing $396: 99,000
    assert.equal(BTC.pxOfMicrosPerLots(396_000_000n, 400n), '99000');
  });
});

describe('l2Book aggregation (nSigFigs / mantissa; bids round down, asks up)', () => {
  const lv = (ticks: number, lots: number) => ({ priceTicks: ticks, totalLots: lots, orderCount: 1 });
  const bids = [lv(151_000, 100), lv(150_200, 100), lv(150_130, 100), lv(150_120, 100)];
  const table: [number | null, number | null, number, string[]][] = [
    [null, null, Side.BUY, ['151', '150.2', '150.13', '150.12']],
    [5, null, Side.BUY, ['151', '150.2', '150.13', '150.12']],
    [4, null, Side.BUY, ['151', '150.2', '150.1']],
    [5, 5, Side.BUY, ['151', '150.2', '150.1']],
    [2, null, Side.BUY, ['150']],
    [2, null, Side.SELL, ['160']],
    [3, null, Side.SELL, ['151']],
  ];
  for (const [n, m, side, want] of table) {
    it(`nSigFigs ${n} mantissa ${m} ${side === Side.BUY ? 'bids' : 'asks'} → ${want.join(' ')}`, () => {
      const levels = side === Side.BUY ? bids : [...bids].reverse();
      assert.deepEqual(aggregateLevels(levels, side, SOL, n, m, 20).map((l) => l.px), want);
    });
  }
  it('sums sizes and counts per bucket and stops at the level limit', () => {
    assert.deepEqual(aggregateLevels(bids, Side.BUY, SOL, 4, null, 2), [
      { px: '151', sz: '1', n: 1 },
      { px: '150.2', sz: '1', n: 1 },
    ]);
    assert.deepEqual(aggregateLevels(bids, Side.BUY, SOL, 2, null, 20), [{ px: '150', sz: '4', n: 4 }]);
  });
});

describe('fills: direction and realized PnL mirror the ledger', () => {
  it('names directions as Hyperliquid does', () => {
    assert.equal(fillDirection(0, 1, 5), 'Open Long');
    assert.equal(fillDirection(3, 1, 5), 'Open Long');
    assert.equal(fillDirection(-3, 1, 2), 'Close Short');
    assert.equal(fillDirection(-3, 1, 3), 'Close Short');
    assert.equal(fillDirection(-3, 1, 5), 'Short > Long');
    assert.equal(fillDirection(3, -1, 5), 'Long > Short');
    assert.equal(fillDirection(0, -1, 1), 'Open Short');
  });
  it('realizes PnL on the closing part with the ledger rounding (trunc of K·c/|s|)', () => {
    const m = new PositionMirror();
    const spec = BTC.spec; // k = 0.1 × 0.00001 × 1e6 = 1 micro per tick-lot
    assert.deepEqual(m.applyFill(7, spec, 1, 3, 100), { startLots: 0, realizedMicros: 0 }); // long 3 @ 100: K = 300
    assert.deepEqual(m.applyFill(7, spec, 1, 1, 101), { startLots: 3, realizedMicros: 0 }); // long 4: K = 401
    assert.deepEqual(m.applyFill(7, spec, -1, 1, 110), { startLots: 4, realizedMicros: 110 - 100 }); // kr = trunc(401/4) = 100
    assert.deepEqual(m.applyFill(7, spec, -1, 5, 90), { startLots: 3, realizedMicros: 270 - 301 }); // closes 3 (K 301), opens short 2
    assert.equal(m.lots(7, 0), -2);
  });
});
