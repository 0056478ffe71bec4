/**
 * Market specification: the static configuration of one perpetual market.
 *
 * Units. Inside the engine a price is an integer number of ticks and a size an
 * integer number of lots. The notional of `lots` at `ticks` in quote micros (1e-6
 * USDC) is exactly `ticks * lots * quoteMicrosPerTickLot`; the spec is rejected
 * unless tickSize × lotSize is a whole number of micros, so no conversion rounds.
 *
 * Overflow by construction. `mustValidateMarketSpec` requires
 *   maxPositionLots × maxPriceTicks × quoteMicrosPerTickLot ≤ 2^50
 * so any position's notional, and a sum of a few of them, is a safe integer, and
 * `maxOrderLots < 2^31` so order sizes fit the book's Int32 columns.
 */

export interface LeverageTier {
  /** Upper bound (exclusive) of position notional for this tier, quote micros; the last tier uses Number.MAX_SAFE_INTEGER. */
  maxNotionalMicros: number;
  /** Initial margin rate (1e6 = 100%). Max leverage of the tier = 1e6 / imPpm. */
  imPpm: number;
  /** Maintenance margin rate. */
  mmPpm: number;
}

export interface MarketSpec {
  marketId: number;
  symbol: string;
  /** Decimal strings, for gateways: tick = smallest price step, lot = smallest size step. */
  tickSize: string;
  lotSize: string;
  /** tickSize × lotSize in quote micros (derived and checked by mustValidateMarketSpec). */
  quoteMicrosPerTickLot: number;
  minOrderLots: number;
  maxOrderLots: number;
  maxPositionLots: number;
  maxPriceTicks: number;
  /** Fees in ppm of notional; makerFeePpm may be negative (rebate), takerFeePpm + makerFeePpm >= 0. */
  makerFeePpm: number;
  takerFeePpm: number;
  /** Limit prices must lie within ±band of the mark; market orders stop at the band edge. */
  priceBandPpm: number;
  maxOpenOrdersPerAccount: number;
  tiers: LeverageTier[];
  /** Mark price until the first price input arrives (the band reference). */
  initialMarkPriceTicks: number;
}

export const MAX_NOTIONAL_MICROS = 2 ** 50;
export const MAX_ORDER_LOTS = 2 ** 31 - 1;
const PPM = 1_000_000;

/** Parses a positive decimal string ("0.001") into an exact scaled bigint. */
export function parseDecimal(text: string): { units: bigint; scale: number } {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new Error(`not a plain positive decimal: "${text}"`);
  const [whole, frac = ''] = text.split('.');
  return { units: BigInt(whole + frac), scale: frac.length };
}

/** tickSize × lotSize × 1e6, required to be a positive integer. */
export function computeQuoteMicrosPerTickLot(tickSize: string, lotSize: string): number {
  const t = parseDecimal(tickSize);
  const l = parseDecimal(lotSize);
  const num = t.units * l.units * 1_000_000n;
  const den = 10n ** BigInt(t.scale + l.scale);
  if (num === 0n || num % den !== 0n) {
    throw new Error(`tickSize ${tickSize} × lotSize ${lotSize} must be a whole number of quote micros (1e-6); choose a coarser tick or lot`);
  }
  return Number(num / den);
}

function mustPositiveInt(name: string, v: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(v) || v <= 0 || v > max) throw new Error(`market spec: ${name} must be an integer in [1, ${max}], got ${v}`);
}

/** Throws with a message naming the field when the spec is unusable. */
export function mustValidateMarketSpec(spec: MarketSpec): void {
  const where = `market ${spec.symbol ?? '?'} (id ${spec.marketId})`;
  try {
    if (!Number.isSafeInteger(spec.marketId) || spec.marketId < 0 || spec.marketId > 65535) throw new Error(`marketId must be in [0, 65535]`);
    if (!spec.symbol) throw new Error('symbol is required');
    const micros = computeQuoteMicrosPerTickLot(spec.tickSize, spec.lotSize);
    if (micros !== spec.quoteMicrosPerTickLot) {
      throw new Error(`quoteMicrosPerTickLot is ${spec.quoteMicrosPerTickLot} but tickSize × lotSize gives ${micros}`);
    }
    mustPositiveInt('minOrderLots', spec.minOrderLots, MAX_ORDER_LOTS);
    mustPositiveInt('maxOrderLots', spec.maxOrderLots, MAX_ORDER_LOTS);
    if (spec.minOrderLots > spec.maxOrderLots) throw new Error('minOrderLots exceeds maxOrderLots');
    mustPositiveInt('maxPositionLots', spec.maxPositionLots);
    // ≤ 2^53 / 1e6 so band arithmetic (mark × ppm) stays exact.
    mustPositiveInt('maxPriceTicks', spec.maxPriceTicks, Math.floor(Number.MAX_SAFE_INTEGER / PPM));
    if (spec.maxPositionLots * spec.maxPriceTicks * micros > MAX_NOTIONAL_MICROS) {
      throw new Error(`maxPositionLots × maxPriceTicks × quoteMicrosPerTickLot exceeds 2^50; lower maxPositionLots or maxPriceTicks`);
    }
    if (!Number.isSafeInteger(spec.makerFeePpm) || Math.abs(spec.makerFeePpm) > 100_000) throw new Error('makerFeePpm must be an integer within ±10%');
    if (!Number.isSafeInteger(spec.takerFeePpm) || spec.takerFeePpm < 0 || spec.takerFeePpm > 100_000) throw new Error('takerFeePpm must be an integer in [0, 10%]');
    if (spec.makerFeePpm + spec.takerFeePpm < 0) throw new Error('makerFeePpm + takerFeePpm must be >= 0 (a rebate cannot exceed the taker fee)');
    mustPositiveInt('priceBandPpm', spec.priceBandPpm, PPM - 1);
    mustPositiveInt('maxOpenOrdersPerAccount', spec.maxOpenOrdersPerAccount, MAX_ORDER_LOTS);
    mustPositiveInt('initialMarkPriceTicks', spec.initialMarkPriceTicks, spec.maxPriceTicks);
    if (!Array.isArray(spec.tiers) || spec.tiers.length === 0) throw new Error('tiers must list at least one leverage tier');
    let prevMax = 0;
    let prevIm = 0;
    let prevMm = 0;
    spec.tiers.forEach((t, i) => {
      mustPositiveInt(`tiers[${i}].maxNotionalMicros`, t.maxNotionalMicros);
      mustPositiveInt(`tiers[${i}].imPpm`, t.imPpm, PPM);
      mustPositiveInt(`tiers[${i}].mmPpm`, t.mmPpm, PPM);
      if (t.maxNotionalMicros <= prevMax) throw new Error(`tiers[${i}].maxNotionalMicros must increase`);
      if (t.mmPpm >= t.imPpm) throw new Error(`tiers[${i}]: maintenance rate must be below initial rate`);
      if (t.imPpm < prevIm || t.mmPpm < prevMm) throw new Error(`tiers[${i}]: rates must not decrease with notional`);
      prevMax = t.maxNotionalMicros;
      prevIm = t.imPpm;
      prevMm = t.mmPpm;
    });
    if (spec.tiers[spec.tiers.length - 1].maxNotionalMicros !== Number.MAX_SAFE_INTEGER) {
      throw new Error('the last tier must be open-ended (maxNotionalMicros = Number.MAX_SAFE_INTEGER)');
    }
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

const USD = 1_000_000; // quote micros per USDC

/** The PRD's five leverage tiers (notional brackets → max leverage, IM rate, MM rate). */
export function prdLeverageTiers(): LeverageTier[] {
  return [
    { maxNotionalMicros: 10_000 * USD, imPpm: 10_000, mmPpm: 6_000 }, // < $10k: 100x, 1%, 0.6%
    { maxNotionalMicros: 50_000 * USD, imPpm: 20_000, mmPpm: 10_000 }, // $10k–50k: 50x, 2%, 1%
    { maxNotionalMicros: 250_000 * USD, imPpm: 50_000, mmPpm: 25_000 }, // $50k–250k: 20x, 5%, 2.5%
    { maxNotionalMicros: 1_000_000 * USD, imPpm: 100_000, mmPpm: 50_000 }, // $250k–1M: 10x, 10%, 5%
    { maxNotionalMicros: Number.MAX_SAFE_INTEGER, imPpm: 200_000, mmPpm: 100_000 }, // > $1M: 5x, 20%, 10%
  ];
}

/** Builds a spec from decimal tick/lot sizes, deriving quoteMicrosPerTickLot. */
export function makeMarketSpec(fields: Omit<MarketSpec, 'quoteMicrosPerTickLot'>): MarketSpec {
  const spec: MarketSpec = { ...fields, quoteMicrosPerTickLot: computeQuoteMicrosPerTickLot(fields.tickSize, fields.lotSize) };
  mustValidateMarketSpec(spec);
  return spec;
}

/** Demo markets (realistic tick/lot sizes, PRD tiers). Shared by tests, benches and `npm start`. */
export function demoMarkets(): MarketSpec[] {
  const common = {
    makerFeePpm: 200, // 0.02%
    takerFeePpm: 500, // 0.05%
    priceBandPpm: 50_000, // ±5% of mark
    maxOpenOrdersPerAccount: 1_000,
    tiers: prdLeverageTiers(),
  };
  return [
    makeMarketSpec({
      ...common,
      marketId: 0,
      symbol: 'BTC-PERP',
      tickSize: '0.1',
      lotSize: '0.00001',
      minOrderLots: 1,
      maxOrderLots: 50_000_000, // 500 BTC
      maxPositionLots: 100_000_000, // 1,000 BTC
      maxPriceTicks: 10_000_000, // $1,000,000
      initialMarkPriceTicks: 1_000_000, // $100,000
    }),
    makeMarketSpec({
      ...common,
      marketId: 1,
      symbol: 'ETH-PERP',
      tickSize: '0.01',
      lotSize: '0.0001',
      minOrderLots: 1,
      maxOrderLots: 50_000_000, // 5,000 ETH
      maxPositionLots: 100_000_000, // 10,000 ETH
      maxPriceTicks: 10_000_000, // $100,000
      initialMarkPriceTicks: 350_000, // $3,500
    }),
    makeMarketSpec({
      ...common,
      marketId: 2,
      symbol: 'SOL-PERP',
      tickSize: '0.001',
      lotSize: '0.01',
      minOrderLots: 1,
      maxOrderLots: 5_000_000, // 50,000 SOL
      maxPositionLots: 10_000_000, // 100,000 SOL
      maxPriceTicks: 10_000_000, // $10,000
      initialMarkPriceTicks: 150_000, // $150
    }),
  ];
}
