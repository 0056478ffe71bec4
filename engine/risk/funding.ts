import type { MarketSpec } from '../market-spec.js';
import { mustMulDivCeil } from './mul-div.js';
import { notionalMicros, PPM } from './notional.js';

/**
 * Funding payment of one position for one funding period (PRD 2.2.2:
 * "Payment = Position Size × Mark Price × Funding Rate"; positive rate: longs pay
 * shorts). The result is what the position PAYS, in quote micros; negative = it
 * receives.
 *
 *   payment = ceil(s × mark × k × fundingRatePpm / 1e6)
 *
 * Rounded toward +∞, i.e. toward the venue on both sides: a payer pays the amount
 * rounded up, a receiver receives it rounded down. The (at most one micro per
 * position) difference stays with the venue, so funding can never create money.
 *
 * Not applied by the ledger yet (funding settlement comes with the mark/funding
 * worker); it is here so the rounding rule is fixed and tested now.
 */
export function fundingPaymentMicros(lots: number, markPriceTicks: number, fundingRatePpm: number, spec: MarketSpec): number {
  return mustMulDivCeil(notionalMicros(lots, markPriceTicks, spec), fundingRatePpm, PPM);
}
