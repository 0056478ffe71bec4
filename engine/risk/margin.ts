import type { LeverageTier, MarketSpec } from '../market-spec.js';
import { bandTopTicks, notionalMicros, PPM } from './notional.js';
import { mustMulDivCeil, mustMulDivFloor } from './mul-div.js';
import { imPpmFor, mmPpmFor } from './tiers.js';

/**
 * Margin and fee amounts, in quote micros. Every requirement rounds UP (the venue
 * never asks for less than the exact rate); payments to users round DOWN.
 */

/**
 * Initial margin of a position (or of a hypothetical one) of notional `n`:
 *   IM = ceil(|n| × imPpmFor(|n|, userImPpm) / 1e6)
 */
export function initialMarginMicros(notionalMicros: number, userImPpm: number, tiers: readonly LeverageTier[]): number {
  const n = Math.abs(notionalMicros);
  return mustMulDivCeil(n, imPpmFor(n, userImPpm, tiers), PPM);
}

/**
 * Maintenance margin of a position of notional `n` (at the mark):
 *   MM = ceil(|n| × tier(|n|).mmPpm / 1e6)
 */
export function maintenanceMarginMicros(notionalMicros: number, tiers: readonly LeverageTier[]): number {
  const n = Math.abs(notionalMicros);
  return mustMulDivCeil(n, mmPpmFor(n, tiers), PPM);
}

/**
 * Fee on a fill (or an estimated fee) of notional `n` at `feePpm`; positive = the
 * account pays, negative = the account receives a rebate.
 *
 *   feePpm ≥ 0:  fee = ceil(|n| × feePpm / 1e6)        (charged amounts round up)
 *   feePpm < 0:  fee = −floor(|n| × |feePpm| / 1e6)    (rebates round down)
 *
 * Both roundings favour the venue, so a maker rebate never exceeds the taker fee of
 * the same fill when |makerFeePpm| ≤ takerFeePpm (market-spec validation).
 */
export function feeMicros(notionalMicros: number, feePpm: number): number {
  const n = Math.abs(notionalMicros);
  if (feePpm >= 0) return mustMulDivCeil(n, feePpm, PPM);
  const rebate = mustMulDivFloor(n, -feePpm, PPM);
  return rebate === 0 ? 0 : -rebate;
}

/**
 * The margin open orders could need in the worst case, beyond what the position
 * already holds; the ledger keeps exactly this much per (account, market) as
 * "order margin" while orders are pending.
 *
 * Everything is valued at the top of the price band around the reference (mark)
 * price, refTop = floor(ref × (1e6 + priceBandPpm) / 1e6): a buy cannot fill above
 * it while the reference stands, and using the top for sells too keeps the bound
 * simple and conservative (a larger notional never needs less margin).
 *
 *   buy scenario:   after = pos + pendingBuy
 *   sell scenario:  after = pos − pendingSell
 *   need(after, pending) = max(0, IM(|after| × refTop) − IM(|pos| × refTop))
 *                          + ceil(pending × refTop × k × max(takerFeePpm, makerFeePpm, 0) / 1e6)
 *   requirement = max(need(buy), need(sell))
 *
 * The two scenarios cannot both happen in full against the same position (each side
 * fills against the current position), so the maximum, not the sum, bounds it.
 * Orders that only reduce the position need just the fee bound. Reduce-only orders
 * are not counted at all (the ledger keeps them out of the pending counts).
 */
export function orderMarginRequirementMicros(
  posLots: number,
  pendingBuyLots: number,
  pendingSellLots: number,
  refPriceTicks: number,
  spec: MarketSpec,
  userImPpm: number,
): number {
  if (pendingBuyLots === 0 && pendingSellLots === 0) return 0;
  const refTop = bandTopTicks(refPriceTicks, spec);
  const imNow = initialMarginMicros(notionalMicros(posLots, refTop, spec), userImPpm, spec.tiers);
  let feePpm = spec.takerFeePpm > spec.makerFeePpm ? spec.takerFeePpm : spec.makerFeePpm;
  if (feePpm < 0) feePpm = 0;
  const buyNeed = scenarioNeedMicros(posLots + pendingBuyLots, pendingBuyLots, imNow, refTop, spec, userImPpm, feePpm);
  const sellNeed = scenarioNeedMicros(posLots - pendingSellLots, pendingSellLots, imNow, refTop, spec, userImPpm, feePpm);
  return buyNeed > sellNeed ? buyNeed : sellNeed;
}

function scenarioNeedMicros(
  afterLots: number,
  pendingLots: number,
  imNowMicros: number,
  refTop: number,
  spec: MarketSpec,
  userImPpm: number,
  feePpm: number,
): number {
  if (pendingLots === 0) return 0;
  const imAfter = initialMarginMicros(notionalMicros(afterLots, refTop, spec), userImPpm, spec.tiers);
  const imDelta = imAfter > imNowMicros ? imAfter - imNowMicros : 0;
  const feeBound = mustMulDivCeil(notionalMicros(pendingLots, refTop, spec), feePpm, PPM);
  return imDelta + feeBound;
}
