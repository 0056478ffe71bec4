import type { MarketSpec } from '../market-spec.js';
import { feeMicros, maintenanceMarginMicros } from './margin.js';
import { mustMulDivFloor } from './mul-div.js';
import { notionalMicros, PPM } from './notional.js';

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Position valuation at a mark price. A position is (s, K, m):
 *   s  signed size in lots (long > 0)
 *   K  cost basis in quote micros: the signed sum of entry notionals still open,
 *      long positive, short negative (a short of 2 lots sold at 10 ticks, k = 1, has K = −20)
 *   m  isolated margin in quote micros (≥ 0)
 * All results are exact integers; the only roundings are the ones named below.
 */

/** uPnL = s × mark × k − K. Exact. */
export function unrealizedPnlMicros(lots: number, costMicros: number, markPriceTicks: number, spec: MarketSpec): number {
  const pnl = notionalMicros(lots, markPriceTicks, spec) - costMicros;
  return pnl === 0 ? 0 : pnl;
}

/**
 * Average entry price in ticks: floor(|K| / (|s| × k)), 0 when flat.
 * Display only (rounded down, toward zero): no money is ever computed from it; the
 * ledger keeps the exact cost K instead.
 */
export function entryPriceTicks(lots: number, costMicros: number, spec: MarketSpec): number {
  if (lots === 0) return 0;
  return mustMulDivFloor(Math.abs(costMicros), 1, Math.abs(lots) * spec.quoteMicrosPerTickLot);
}

/** Estimated taker fee to close the whole position at the mark: feeMicros(|s| × mark × k, takerFeePpm), rounded up. */
export function closingFeeMicros(lots: number, markPriceTicks: number, spec: MarketSpec): number {
  return feeMicros(notionalMicros(lots, markPriceTicks, spec), spec.takerFeePpm);
}

/**
 * Equity of an isolated position at the mark, net of what closing it would cost:
 *   equity = m + uPnL − closingFee
 * May be negative (the position owes more than its margin: bad debt if closed).
 */
export function positionEquityMicros(lots: number, costMicros: number, marginMicros: number, markPriceTicks: number, spec: MarketSpec): number {
  if (lots === 0) return marginMicros;
  return marginMicros + unrealizedPnlMicros(lots, costMicros, markPriceTicks, spec) - closingFeeMicros(lots, markPriceTicks, spec);
}

/** MM of the position at the mark: ceil(|s| × mark × k × tier.mmPpm / 1e6). */
export function positionMaintenanceMicros(lots: number, markPriceTicks: number, spec: MarketSpec): number {
  return maintenanceMarginMicros(notionalMicros(lots, markPriceTicks, spec), spec.tiers);
}

/**
 * Margin ratio in ppm (1e6 = 100%), the PRD's "(Margin + Unrealized PnL) /
 * Maintenance Margin" with the closing fee taken out of the equity:
 *   ratio = floor(equity × 1e6 / MM)
 * Rounded down (toward liquidation). Number.MAX_SAFE_INTEGER when flat (no
 * requirement) and clamped to ±Number.MAX_SAFE_INTEGER (MM ≥ 1 micro for any
 * non-flat position, so it is never a division by zero).
 */
export function marginRatioPpm(lots: number, costMicros: number, marginMicros: number, markPriceTicks: number, spec: MarketSpec): number {
  if (lots === 0) return Number.MAX_SAFE_INTEGER;
  const equity = positionEquityMicros(lots, costMicros, marginMicros, markPriceTicks, spec);
  const mm = positionMaintenanceMicros(lots, markPriceTicks, spec);
  if (Number.isSafeInteger(equity * PPM)) return mustMulDivFloor(equity, PPM, mm);
  // Huge equity against a tiny requirement: exact in BigInt, then clamped.
  const p = BigInt(equity) * BigInt(PPM);
  const d = BigInt(mm);
  let q = p / d;
  if (p % d < 0n) q -= 1n;
  if (q > MAX_SAFE_BIG) return Number.MAX_SAFE_INTEGER;
  if (q < -MAX_SAFE_BIG) return -Number.MAX_SAFE_INTEGER;
  return Number(q);
}

/**
 * Liquidatable at this mark when equity < MM (strictly: a ratio of exactly 100% is
 * still safe, as the PRD's "< 100%" says). Equity includes the estimated closing
 * taker fee, so a position is taken over while its margin can still pay to close it.
 * A flat position is never liquidatable.
 */
export function isLiquidatable(lots: number, costMicros: number, marginMicros: number, markPriceTicks: number, spec: MarketSpec): boolean {
  if (lots === 0) return false;
  return positionEquityMicros(lots, costMicros, marginMicros, markPriceTicks, spec) < positionMaintenanceMicros(lots, markPriceTicks, spec);
}
