import type { LeverageTier } from '../market-spec.js';
import { PPM } from './notional.js';
import { mustMulDivCeil } from './mul-div.js';

/**
 * Leverage tiers, read as the PRD's table reads (section 2.3.2): the position's
 * notional picks ONE tier, and that tier's rates apply to the WHOLE position.
 *
 *   tier(n) = the first tier i with |n| < tiers[i].maxNotionalMicros
 *
 * Bounds are exclusive above, so exactly $10,000 is in the "$10,000 – $50,000" tier,
 * as the table's "< $10,000" first row says.
 *
 * Not Binance-style cumulative brackets (where each slice of notional pays its own
 * bracket's rate and a "maintenance amount" offset makes the requirement
 * continuous). Whole-position tiers are simpler to explain and to verify, and the
 * PRD states them that way; the price of that choice is that the requirement jumps
 * at a tier boundary (a position just above $50,000 needs 5% of all of it, not 5% of
 * the excess). The liquidation-price search (liquidation-price.ts) handles the jump.
 */
export function tierIndexFor(notionalMicros: number, tiers: readonly LeverageTier[]): number {
  const n = Math.abs(notionalMicros);
  const last = tiers.length - 1;
  for (let i = 0; i < last; i++) if (n < tiers[i].maxNotionalMicros) return i;
  return last;
}

/**
 * Initial-margin rate for a position of this notional:
 *   imPpm = max(userImPpm, tier(n).imPpm)
 * The user's leverage can only make the requirement stricter than the tier's.
 */
export function imPpmFor(notionalMicros: number, userImPpm: number, tiers: readonly LeverageTier[]): number {
  const tierIm = tiers[tierIndexFor(notionalMicros, tiers)].imPpm;
  return userImPpm > tierIm ? userImPpm : tierIm;
}

/** Maintenance-margin rate for a position of this notional: tier(n).mmPpm. */
export function mmPpmFor(notionalMicros: number, tiers: readonly LeverageTier[]): number {
  return tiers[tierIndexFor(notionalMicros, tiers)].mmPpm;
}

/**
 * Highest leverage a user may choose in a market: the first tier's, floor(1e6 / imPpm)
 * (floor, so the chosen leverage never implies a rate below the tier's).
 */
export function maxLeverageFor(tiers: readonly LeverageTier[]): number {
  return Math.floor(PPM / tiers[0].imPpm);
}

/**
 * Initial-margin rate implied by a leverage `lev` (an integer ≥ 1):
 *   userImPpm = ceil(1e6 / lev)
 * Rounded up, so 3x means 333,334 ppm: never less margin than 1/lev.
 */
export function userImPpmForLeverage(leverage: number): number {
  return mustMulDivCeil(PPM, 1, leverage);
}
