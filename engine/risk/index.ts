/**
 * Pure margin, fee, PnL, funding and liquidation math (no state). Units are in the
 * names: ticks, lots, micros (1e-6 USDC), ppm. Every function documents its formula
 * and rounding direction; docs/margin.md collects them.
 */
export { mustMulDivCeil, mustMulDivFloor, mustMulDivTrunc, mustAddSafe } from './mul-div.js';
export { PPM, notionalMicros, bandTopTicks } from './notional.js';
export { tierIndexFor, imPpmFor, mmPpmFor, maxLeverageFor, userImPpmForLeverage } from './tiers.js';
export { initialMarginMicros, maintenanceMarginMicros, feeMicros, orderMarginRequirementMicros } from './margin.js';
export {
  unrealizedPnlMicros,
  entryPriceTicks,
  closingFeeMicros,
  positionEquityMicros,
  positionMaintenanceMicros,
  marginRatioPpm,
  isLiquidatable,
} from './pnl.js';
export { liquidationPriceTicks } from './liquidation-price.js';
export { fundingPaymentMicros } from './funding.js';
