import type { MarketSpec } from '../market-spec.js';
import { mustMulDivCeil } from './mul-div.js';
import { PPM } from './notional.js';
import { isLiquidatable } from './pnl.js';

/**
 * Liquidation price of an isolated position (s lots, cost K, margin m), in ticks:
 * the mark price at which the position becomes liquidatable, i.e.
 *
 *   long:  the HIGHEST tick L with isLiquidatable(s, K, m, L)   (the price falling to it triggers)
 *   short: the LOWEST  tick L with isLiquidatable(s, K, m, L)   (the price rising to it triggers)
 *
 * so that, by construction, the position is liquidatable at L and not one tick
 * better (L + 1 for a long, L − 1 for a short). 0 when no tick in
 * [1, spec.maxPriceTicks] (the prices a mark can take) makes it liquidatable: a
 * fully collateralised long (m ≥ K + fees), or a short whose trigger lies beyond the
 * market's maximum price.
 *
 * Derivation (docs/margin.md). With u = |s| × k micros per tick, X = u·L the
 * notional at L, f = takerFeePpm, r = tier(X).mmPpm, liquidatable means
 *
 *   equity(L) < MM(L),  equity(L) = m + s·L·k − K − ceil(X·f/1e6),  MM(L) = ceil(X·r/1e6)
 *
 * Without the two ceilings, G(L) = equity − MM is linear in L within one tier:
 *
 *   long:   G(L) = m − K + L·u·(1e6 − r − f)/1e6,   G < 0  ⇔  L < (K − m)·1e6 / (u·(1e6 − r − f))
 *   short:  G(L) = m − K − L·u·(1e6 + r + f)/1e6,   G < 0  ⇔  L > (m + |K|)·1e6 / (u·(1e6 + r + f))
 *
 * These roots are the brief's closed forms (long rounded up / short rounded down give
 * the first SAFE tick next to the boundary). The ceilings make the exact integer
 * quantity g(L) satisfy G − 2 < g ≤ G, so every tick with G < 0 is liquidatable,
 * every tick with G ≥ 2 is safe, and only the ticks with 0 ≤ G < 2 (about
 * 2e6 / (u·(1e6 − r − f)) of them: 2 or 3 for a one-lot BTC position, at most 1
 * once a tick moves the position's value by 2 micros or more) need the exact check. The search starts at the edge of that band
 * and evaluates isLiquidatable tick by tick, so the answer agrees with
 * isLiquidatable exactly, roundings included.
 *
 * Tiers make r depend on X, hence on L. Each tier covers the ticks
 * [ceil(lo/u), ceil(hi/u) − 1] where lo ≤ X < hi; the root is found per tier and
 * intersected with that interval. Because the requirement jumps up at a tier
 * boundary, a long can be safe just below a boundary and liquidatable just above
 * it: scanning tiers from the top (long) or the bottom (short) and taking the first
 * hit gives the highest (lowest) liquidatable tick overall.
 */
export function liquidationPriceTicks(lots: number, costMicros: number, marginMicros: number, spec: MarketSpec): number {
  if (lots === 0) return 0;
  const u = Math.abs(lots) * spec.quoteMicrosPerTickLot;
  const tiers = spec.tiers;
  if (lots > 0) {
    for (let t = tiers.length - 1; t >= 0; t--) {
      const lo = tierLowTick(t, u, spec);
      const hi = tierHighTick(t, u, spec);
      if (lo > hi) continue;
      const found = highestLiquidatableLongTick(lots, costMicros, marginMicros, spec, t, u, lo, hi);
      if (found !== 0) return found;
    }
    return 0;
  }
  for (let t = 0; t < tiers.length; t++) {
    const lo = tierLowTick(t, u, spec);
    const hi = tierHighTick(t, u, spec);
    if (lo > hi) continue;
    const found = lowestLiquidatableShortTick(lots, costMicros, marginMicros, spec, t, u, lo, hi);
    if (found !== 0) return found;
  }
  return 0;
}

/** First tick whose notional u·L reaches the tier's lower bound: max(1, ceil(lo / u)). */
function tierLowTick(t: number, u: number, spec: MarketSpec): number {
  const loMicros = t === 0 ? 0 : spec.tiers[t - 1].maxNotionalMicros;
  const tick = mustMulDivCeil(loMicros, 1, u);
  return tick < 1 ? 1 : tick;
}

/** Last tick whose notional stays below the tier's (exclusive) upper bound: min(maxPriceTicks, ceil(hi / u) − 1). */
function tierHighTick(t: number, u: number, spec: MarketSpec): number {
  const tick = mustMulDivCeil(spec.tiers[t].maxNotionalMicros, 1, u) - 1;
  return tick > spec.maxPriceTicks ? spec.maxPriceTicks : tick;
}

function highestLiquidatableLongTick(
  lots: number,
  costMicros: number,
  marginMicros: number,
  spec: MarketSpec,
  t: number,
  u: number,
  lo: number,
  hi: number,
): number {
  const c = PPM - spec.tiers[t].mmPpm - spec.takerFeePpm;
  const base = BigInt(PPM) * (BigInt(marginMicros) - BigInt(costMicros)); // 1e6·(m − K)
  const slope = BigInt(u) * BigInt(c); // 1e6·dG/dL
  const two = BigInt(2 * PPM);
  let start = hi;
  if (c > 0) {
    // Largest L with G(L) < 2, i.e. L·u·c < 1e6·(K − m + 2): above it every tick is safe.
    const n = two - base;
    if (n <= 0n) return 0;
    const top = (n - 1n) / slope;
    if (top < BigInt(lo)) return 0;
    if (top < BigInt(hi)) start = Number(top);
  }
  for (let tick = start; tick >= lo; tick--) {
    if (isLiquidatable(lots, costMicros, marginMicros, tick, spec)) return tick;
    // With c ≤ 0, G grows as L falls: once G ≥ 2 no lower tick can be liquidatable.
    // (With c > 0 the loop always ends on a liquidatable tick once G < 0.)
    if (c <= 0 && base + BigInt(tick) * slope >= two) return 0;
  }
  return 0;
}

function lowestLiquidatableShortTick(
  lots: number,
  costMicros: number,
  marginMicros: number,
  spec: MarketSpec,
  t: number,
  u: number,
  lo: number,
  hi: number,
): number {
  const c = PPM + spec.tiers[t].mmPpm + spec.takerFeePpm; // > 0
  // Smallest L with G(L) < 2, i.e. L·u·c > 1e6·(m − K − 2): below it every tick is safe.
  const n = BigInt(PPM) * (BigInt(marginMicros) - BigInt(costMicros) - 2n);
  const slope = BigInt(u) * BigInt(c);
  let start = lo;
  if (n >= 0n) {
    const first = n / slope + 1n;
    if (first > BigInt(hi)) return 0;
    if (first > BigInt(lo)) start = Number(first);
  }
  for (let tick = start; tick <= hi; tick++) {
    if (isLiquidatable(lots, costMicros, marginMicros, tick, spec)) return tick;
  }
  return 0;
}
