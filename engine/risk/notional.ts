import type { MarketSpec } from '../market-spec.js';
import { mustMulDivFloor } from './mul-div.js';

/** Parts per million: a rate of 1e6 ppm is 100%. */
export const PPM = 1_000_000;

/**
 * Notional of `lots` at `priceTicks`, in quote micros (1e-6 USDC):
 *
 *   notional = lots × priceTicks × spec.quoteMicrosPerTickLot
 *
 * Exact, no rounding: the market spec guarantees tickSize × lotSize is a whole
 * number of micros. The sign follows `lots` (a short's notional is negative).
 * Spec validation bounds maxPositionLots × maxPriceTicks × quoteMicrosPerTickLot
 * by 2^50, so within the limits the result is always a safe integer; outside them
 * this throws a RangeError rather than return an inexact value (each partial
 * product of doubles is exact up to 2^53 and rounding is monotone, so a true
 * product above 2^53 − 1 always fails the safe-integer test).
 */
export function notionalMicros(lots: number, priceTicks: number, spec: MarketSpec): number {
  const n = lots * priceTicks * spec.quoteMicrosPerTickLot;
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`notionalMicros(${lots}, ${priceTicks}) on ${spec.symbol}: not a safe integer`);
  }
  return n === 0 ? 0 : n;
}

/**
 * Top of the price band around a reference price, in ticks:
 *   bandTop = floor(ref × (1e6 + priceBandPpm) / 1e6)
 * Rounded down, matching docs/matching.md's `bandHigh` (no buy can fill above it
 * while the reference stays where it is).
 */
export function bandTopTicks(refPriceTicks: number, spec: MarketSpec): number {
  return mustMulDivFloor(refPriceTicks, PPM + spec.priceBandPpm, PPM);
}
