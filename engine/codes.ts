/**
 * Result codes: stable numbers, grouped by the pipeline stage that produces them
 * (exchange-core style). They travel in binary frames and journals, so a number
 * is never reused for a different meaning; new codes are appended.
 *
 *   0        OK
 *   -1xxx    gateway / shape (decoding, authentication, limits at the edge)
 *   -2xxx    risk / ledger (R1 pre-trade checks, collateral)
 *   -3xxx    matching (market engine validation and execution rules)
 */
export const Code = {
  OK: 0,

  // -1xxx gateway (defined here so every stage shares one table)
  MALFORMED: -1001,
  UNKNOWN_OP: -1002,
  OVERLOADED: -1003,
  NOT_AUTHENTICATED: -1004,
  RATE_LIMITED: -1005,
  PRICE_NOT_ON_GRID: -1006,
  SIZE_NOT_ON_GRID: -1007,
  JOURNAL_UNAVAILABLE: -1008, // the journal failed (disk full, I/O error): nothing is accepted until a restart
  // -11xx binary protocol frames (docs/protocol-binary.md; a block of its own so appends elsewhere in -1xxx cannot collide)
  FRAME_TOO_LARGE: -1101, // message above the direction's max frame size (closes the socket)
  UNSUPPORTED_VERSION: -1102, // header version byte is not a supported protocol version (closes the socket)
  UNKNOWN_FRAME_TYPE: -1103, // header type is not a client→server frame type
  TRUNCATED_FRAME: -1104, // shorter than the header (closes the socket) or than the type's layout
  TRAILING_BYTES: -1105, // longer than the type's fixed layout
  RESERVED_NOT_ZERO: -1106, // header flags, padding or undefined flag bits are not zero
  FIELD_OUT_OF_RANGE: -1107, // an enum or bounded field outside its documented domain (ERROR names the field)
  INTEGER_NOT_SAFE: -1108, // a 64-bit field above Number.MAX_SAFE_INTEGER
  INVALID_BATCH: -1109, // BATCH sub-frames do not tile the frame (unknown/unbatchable sub-type, wrong version, count)
  LOGIN_FAILED: -1110, // unknown or revoked key, bad signature, no or expired challenge
  ALREADY_AUTHENTICATED: -1111,
  TOO_MANY_SUBSCRIPTIONS: -1112,
  NOT_SUBSCRIBED: -1113, // RESYNC / UNSUBSCRIBE of a market the connection does not subscribe to

  // -2xxx risk / ledger
  UNKNOWN_ACCOUNT: -2001,
  INSUFFICIENT_MARGIN: -2002,
  INSUFFICIENT_COLLATERAL: -2003,
  ACCOUNT_IN_LIQUIDATION: -2004,
  POSITION_LIMIT_EXCEEDED: -2005,
  INVALID_AMOUNT: -2006,
  INVALID_LEVERAGE: -2007,
  ACCOUNT_EXISTS: -2008,
  AMOUNT_OVERFLOW: -2009,
  TOO_MANY_ACCOUNTS: -2010, // CREATE_ACCOUNT (or demo auto-creation) beyond the ledger's maxAccounts

  // -3xxx matching
  UNKNOWN_MARKET: -3001,
  INVALID_PRICE: -3002, // not a positive safe integer number of ticks, or above maxPriceTicks
  INVALID_SIZE: -3003, // not a positive integer number of lots
  SIZE_BELOW_MIN: -3004,
  SIZE_ABOVE_MAX: -3005,
  PRICE_OUT_OF_BAND: -3006,
  UNKNOWN_ORDER: -3007,
  NOT_OWNER: -3008,
  DUPLICATE_CLOID: -3009,
  POST_ONLY_WOULD_CROSS: -3010,
  REDUCE_ONLY_WOULD_INCREASE: -3011,
  FOK_CANNOT_FILL: -3012,
  MARKET_HALTED: -3013,
  TOO_MANY_OPEN_ORDERS: -3014,
  INVALID_ORDER_FLAGS: -3015, // e.g. post-only with IOC, market with GTC
  INVALID_TRIGGER_PRICE: -3016,
  TRIGGER_ALREADY_CROSSED: -3017,
  INVALID_OCO_PARTNER: -3018,
  ORDER_NOT_MODIFIABLE: -3019, // triggers are cancelled and re-placed, not modified
  DUPLICATE_ORDER_ID: -3020,
  MARKET_CLOSED: -3021,
  MODIFY_SIDE_MISMATCH: -3022, // MODIFY carries the order's side (the ledger needs it for margin); it must match
} as const;

export type CodeValue = (typeof Code)[keyof typeof Code];

const codeNames = new Map<number, string>(Object.entries(Code).map(([k, v]) => [v, k]));

/** Human name of a code, for logs and error messages (`-3010` → `POST_ONLY_WOULD_CROSS`). */
export function codeName(code: number): string {
  return codeNames.get(code) ?? `UNKNOWN_CODE_${code}`;
}

/** Why an order left the book without filling completely. Stable numbers. */
export const CancelReason = {
  USER: 1, // cancel / cancel-by-cloid
  MASS_CANCEL: 2, // cancel-all for an account
  IOC_REMAINDER: 3, // IOC limit: the unfilled rest
  MARKET_REMAINDER: 4, // market order: nothing left within the band
  STP_TAKER: 5, // self-trade prevention expired the incoming order
  STP_MAKER: 6, // self-trade prevention expired the resting order
  REDUCE_ONLY: 7, // position closed or flipped, so the reduce-only order can no longer reduce
  OCO: 8, // its one-cancels-other partner fired or was cancelled
  DEAD_MAN: 9, // gateway dead-man switch
  HALT: 10, // market halted with cancel-all
  LIQUIDATION: 11,
  MARGIN: 12, // reserved for the ledger's margin-driven cancels
  PRICE_BAND: 13, // a fired stop-limit / take-profit-limit whose limit lies outside the band at firing
  FOK_UNFILLED: 14, // a fired fill-or-kill trigger that could not fill completely
} as const;

export type CancelReasonValue = (typeof CancelReason)[keyof typeof CancelReason];

const reasonNames = new Map<number, string>(Object.entries(CancelReason).map(([k, v]) => [v, k]));
export function cancelReasonName(reason: number): string {
  return reasonNames.get(reason) ?? `UNKNOWN_REASON_${reason}`;
}
