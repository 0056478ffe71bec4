/**
 * Enumerations shared by every stage. Numeric and stable: they are written into
 * ring slots, binary frames and the journal.
 */

export const Side = { BUY: 0, SELL: 1 } as const;
export type SideValue = (typeof Side)[keyof typeof Side];

/** LIMIT rests or matches at its price; MARKET matches up to the price band and never rests. */
export const OrderType = { LIMIT: 0, MARKET: 1 } as const;
export type OrderTypeValue = (typeof OrderType)[keyof typeof OrderType];

export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2 } as const;
export type TimeInForceValue = (typeof TimeInForce)[keyof typeof TimeInForce];

/**
 * Self-trade prevention: what happens when an incoming order would match a resting
 * order of the same account. The incoming (taker) order's mode decides.
 * DEFAULT is only valid on input: the ledger replaces it with the account's default
 * before the order reaches a market (the PRD's default is EXPIRE_TAKER).
 */
export const StpMode = { DEFAULT: 0, EXPIRE_TAKER: 1, EXPIRE_MAKER: 2, EXPIRE_BOTH: 3 } as const;
export type StpModeValue = (typeof StpMode)[keyof typeof StpMode];

/**
 * Trigger orders wait off-book until the mark price crosses their trigger price.
 *   STOP:          buy fires when mark >= trigger, sell fires when mark <= trigger
 *   TAKE_PROFIT:   buy fires when mark <= trigger, sell fires when mark >= trigger
 * On firing they become a MARKET order (orderType MARKET) or a LIMIT order at
 * `priceTicks` (orderType LIMIT, i.e. stop-limit / take-profit-limit).
 */
export const TriggerKind = { NONE: 0, STOP: 1, TAKE_PROFIT: 2 } as const;
export type TriggerKindValue = (typeof TriggerKind)[keyof typeof TriggerKind];

/** ACTIVE trades; HALTED accepts cancels only (circuit breaker, admin). */
export const MarketStatus = { ACTIVE: 0, HALTED: 1 } as const;
export type MarketStatusValue = (typeof MarketStatus)[keyof typeof MarketStatus];

/** Order flag bits carried in Command.flags. */
export const OrderFlag = {
  POST_ONLY: 1,
  REDUCE_ONLY: 2,
} as const;

/** Sentinel for "no order / no slot / none" in Int32 links. */
export const NONE = -1;

export function oppositeSide(side: number): number {
  return side ^ 1;
}
