/**
 * Shared fixtures for the binary-protocol tests (not a test file itself).
 */
import type { NewOrderFields } from './client-encode.js';

/** A well-formed stop-limit buy: every NEW_ORDER field non-zero, so a misplaced offset shows. */
export const StopLimitBuy_Market3_Px101_Size7: NewOrderFields = {
  marketId: 3,
  side: 0,
  orderType: 0,
  tif: 0,
  flags: 2, // REDUCE_ONLY
  stpMode: 2,
  priceTicks: 101,
  sizeLots: 7,
  cloid: '00112233445566778899aabbccddeeff',
  triggerKind: 1,
  triggerPriceTicks: 100,
  ocoOrderId: 2 ** 40 + 5,
};

/** A plain GTC limit sell with large (but safe) numbers. */
export const LimitSell_Market0_PxMaxSafe: NewOrderFields = {
  marketId: 0,
  side: 1,
  orderType: 0,
  tif: 0,
  priceTicks: Number.MAX_SAFE_INTEGER,
  sizeLots: 2 ** 33 + 1,
};
