import type { MarketSpec } from '../../engine/market-spec.js';
import { divideExact, formatRatio, formatScaled, pow10, significantFigures, tryParseUnsignedDecimal, type ScaledDecimal } from './decimal.js';

/** Hyperliquid perps: a price has at most this many significant figures (integers excepted)… */
export const MAX_PRICE_SIG_FIGS = 5;
/** …and at most (this − szDecimals) decimals. */
export const MAX_PERP_DECIMALS = 6;

/** Either the integer or the reason it was refused (an English sentence in Hyperliquid's words). */
export type GridResult = { ok: true; value: number } | { ok: false; error: string };

/**
 * One market as the Hyperliquid dialect sees it: the coin name ("BTC" for
 * BTC-PERP), the asset index (= marketId), szDecimals (the lot size's decimals)
 * and exact conversions between decimal strings and the engine's ticks and lots.
 *
 * A price must satisfy Hyperliquid's rule (≤ 5 significant figures unless it is an
 * integer, ≤ 6 − szDecimals decimals) AND lie on the market's tick grid; a size
 * must be a whole number of lots (so ≤ szDecimals decimals). Off-grid values are
 * refused with a sentence saying why, never rounded.
 */
export class MarketGrid {
  readonly spec: MarketSpec;
  readonly marketId: number;
  readonly coin: string;
  readonly szDecimals: number;
  readonly maxPriceDecimals: number;
  readonly tick: ScaledDecimal;
  readonly lot: ScaledDecimal;

  constructor(spec: MarketSpec) {
    this.spec = spec;
    this.marketId = spec.marketId;
    this.coin = coinOf(spec.symbol);
    const tick = tryParseUnsignedDecimal(spec.tickSize);
    const lot = tryParseUnsignedDecimal(spec.lotSize);
    if (!tick || !lot || tick.units === 0n || lot.units === 0n) throw new Error(`market ${spec.symbol}: tick/lot sizes must be positive decimals`);
    this.tick = tick;
    this.lot = lot;
    this.szDecimals = lot.scale;
    this.maxPriceDecimals = Math.max(0, MAX_PERP_DECIMALS - this.szDecimals);
  }

  /** A price string → ticks, or why not. */
  tryPriceTicks(text: unknown, what = 'price'): GridResult {
    const d = tryParseUnsignedDecimal(text);
    if (!d) return { ok: false, error: `Order has invalid ${what}: ${show(text)} is not a positive decimal string.` };
    if (d.units === 0n) return { ok: false, error: `Order has invalid ${what}: it must be above zero.` };
    if (d.scale > 0) {
      if (d.scale > this.maxPriceDecimals) {
        return { ok: false, error: `Order has invalid ${what}: ${text} has ${d.scale} decimals; ${this.coin} allows at most ${this.maxPriceDecimals} (6 − szDecimals ${this.szDecimals}).` };
      }
      if (significantFigures(d) > MAX_PRICE_SIG_FIGS) {
        return { ok: false, error: `Order has invalid ${what}: ${text} has more than ${MAX_PRICE_SIG_FIGS} significant figures.` };
      }
    }
    const ticks = divideExact(d, this.tick);
    if (ticks === undefined) return { ok: false, error: `Price must be divisible by tick size. ${what} ${text} is not a multiple of ${this.spec.tickSize} (${this.coin}).` };
    if (ticks > BigInt(this.spec.maxPriceTicks)) return { ok: false, error: `Order has invalid ${what}: ${text} is above the maximum ${this.pxOf(this.spec.maxPriceTicks)} for ${this.coin}.` };
    return { ok: true, value: Number(ticks) };
  }

  /** A size string → lots, or why not. */
  trySizeLots(text: unknown): GridResult {
    const d = tryParseUnsignedDecimal(text);
    if (!d) return { ok: false, error: `Order has invalid size: ${show(text)} is not a positive decimal string.` };
    if (d.units === 0n) return { ok: false, error: 'Order has zero size.' };
    const lots = divideExact(d, this.lot);
    if (lots === undefined) return { ok: false, error: `Order has invalid size: ${text} is not a multiple of the lot size ${this.spec.lotSize} (${this.coin}, szDecimals ${this.szDecimals}).` };
    if (lots > BigInt(this.spec.maxOrderLots)) return { ok: false, error: `Order has invalid size: ${text} is above the maximum order size ${this.szOf(this.spec.maxOrderLots)} ${this.coin}.` };
    return { ok: true, value: Number(lots) };
  }

  /** Ticks → price string. */
  pxOf(ticks: number | bigint): string {
    return formatScaled(BigInt(ticks) * this.tick.units, this.tick.scale);
  }

  /** Lots (signed) → size string. */
  szOf(lots: number | bigint): string {
    return formatScaled(BigInt(lots) * this.lot.units, this.lot.scale);
  }

  /** Σ(price × lots) / Σ lots, in price units, truncated to tick decimals + 4 (display). */
  avgPxOf(notionalTickLots: bigint, lots: bigint): string {
    if (lots === 0n) return '0';
    const decimals = this.tick.scale + 4;
    return formatRatio(notionalTickLots * this.tick.units * pow10(decimals - this.tick.scale), lots * pow10(decimals), decimals);
  }

  /** A quote amount in micros divided by a size in lots, as a price (entry prices; display). */
  pxOfMicrosPerLots(micros: bigint, lots: bigint): string {
    if (lots === 0n) return '0';
    // price = micros / 1e6 / (lots × lot) = micros × 10^lot.scale / (1e6 × lots × lot.units)
    return formatRatio(micros * pow10(this.lot.scale), 1_000_000n * lots * this.lot.units, this.tick.scale + 4);
  }
}

/** "BTC-PERP" → "BTC"; a symbol without the suffix is its own coin name. */
export function coinOf(symbol: string): string {
  return symbol.endsWith('-PERP') ? symbol.slice(0, -5) : symbol;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 48 ? s.slice(0, 48) + '…' : s;
}
