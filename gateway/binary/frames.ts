/**
 * Binary protocol v1: frame type numbers, sizes, bounds and field enums. The byte
 * layouts are documented in docs/protocol-binary.md (the source of truth); the
 * offsets used by the encoders and decoders live next to each frame's code.
 *
 * Every frame starts with the same 8-byte header, little-endian:
 *
 *   off size field
 *    0   u8  version    PROTOCOL_VERSION (1); checked first, so v2 may change anything after it
 *    1   u8  type       FrameType
 *    2   u16 flags      reserved in v1, must be 0
 *    4   u32 requestId  client-chosen; echoed by every response to that request; 0 = unsolicited
 *
 * The body then starts at offset 8, so every u64 field of a fixed layout is 8-byte
 * aligned within the frame. One WebSocket binary message carries exactly one frame
 * (a BATCH frame carries several client→server frames back to back).
 */

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 8;

/**
 * Largest client→server message (a BATCH of MAX_BATCH_FRAMES of the largest batchable
 * frame fits: 16 + 64 × 64 = 4,112 bytes). The server should also set its WebSocket
 * max payload to this value.
 */
export const MAX_REQUEST_FRAME_BYTES = 8192;
/** Largest server→client message (an L2_SNAPSHOT of 2 × MAX_L2_DEPTH levels: 48,032 bytes). */
export const MAX_REPORT_FRAME_BYTES = 65536;

/** Sub-frames per BATCH frame: 1..64. */
export const MAX_BATCH_FRAMES = 64;
/** L2_SNAPSHOT levels per side, and the largest SUBSCRIBE depth. */
export const MAX_L2_DEPTH = 1000;
/** Snapshot depth used when SUBSCRIBE says depth 0. */
export const DEFAULT_L2_DEPTH = 100;
/** Changed levels per L2_UPDATE frame (the server splits larger change sets into several updates). */
export const MAX_L2_UPDATE_LEVELS = 1024;
/** Markets one connection may subscribe to at once (server-enforced: TOO_MANY_SUBSCRIPTIONS). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 64;
/** SET_DEAD_MAN: 0 disarms; otherwise the timeout must lie in [MIN, MAX]. */
export const MIN_DEAD_MAN_MS = 500;
export const MAX_DEAD_MAN_MS = 600_000;
/** Login policy (server-enforced). */
export const CHALLENGE_VALID_MS = 30_000;
export const LOGIN_TIMEOUT_MS = 10_000;
export const MAX_LOGIN_ATTEMPTS = 3;

/** marketId meaning "every market" (MASS_CANCEL only); a market with id 0xFFFF cannot be addressed. */
export const ALL_MARKETS = 0xffff;
/** Largest marketId a market-specific frame may carry. */
export const MAX_MARKET_ID = 0xfffe;

export const NONCE_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const CLOID_BYTES = 16;

/**
 * Frame types. Client→server 0x01..0x1F, server→client session 0x41..0x4F,
 * execution reports 0x50..0x5F, market data 0x60..0x6F. Stable numbers.
 */
export const FrameType = {
  // client → server
  LOGIN_REQUEST: 0x01,
  LOGIN: 0x02,
  HEARTBEAT: 0x03,
  SET_DEAD_MAN: 0x04,
  SUBSCRIBE: 0x05,
  UNSUBSCRIBE: 0x06,
  RESYNC: 0x07,
  NEW_ORDER: 0x10,
  CANCEL: 0x11,
  CANCEL_BY_CLOID: 0x12,
  MODIFY: 0x13,
  MASS_CANCEL: 0x14,
  BATCH: 0x1f,
  // server → client: session
  CHALLENGE: 0x41,
  LOGIN_OK: 0x42,
  LOGIN_REJECTED: 0x43,
  HEARTBEAT_ACK: 0x44,
  ACK: 0x45,
  ERROR: 0x46,
  // server → client: execution reports
  ACCEPTED: 0x50,
  REJECTED: 0x51,
  FILL: 0x52,
  CANCELLED: 0x53,
  MODIFIED: 0x54,
  DONE: 0x55,
  TRIGGERED: 0x56,
  // server → client: market data
  L2_SNAPSHOT: 0x60,
  L2_UPDATE: 0x61,
  TRADE: 0x62,
  BBO: 0x63,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

const frameTypeNames = new Map<number, string>(Object.entries(FrameType).map(([k, v]) => [v, k]));
export function frameTypeName(type: number): string {
  return frameTypeNames.get(type) ?? `UNKNOWN_FRAME_TYPE_${type}`;
}

/** Total size in bytes (header included) of each fixed-size frame. */
export const FrameBytes = {
  LOGIN_REQUEST: 48,
  LOGIN: 112,
  HEARTBEAT: 16,
  SET_DEAD_MAN: 16,
  SUBSCRIBE: 16,
  UNSUBSCRIBE: 16,
  RESYNC: 16,
  NEW_ORDER: 64,
  CANCEL: 24,
  CANCEL_BY_CLOID: 32,
  MODIFY: 40,
  MASS_CANCEL: 16,
  /** BATCH header only; N sub-frames follow. */
  BATCH_HEADER: 16,
  CHALLENGE: 48,
  LOGIN_OK: 32,
  LOGIN_REJECTED: 16,
  HEARTBEAT_ACK: 24,
  ACK: 16,
  ERROR: 16,
  ACCEPTED: 72,
  REJECTED: 48,
  FILL: 72,
  CANCELLED: 40,
  MODIFIED: 64,
  DONE: 32,
  TRIGGERED: 40,
  /** L2_SNAPSHOT / L2_UPDATE fixed part; L2_LEVEL bytes per level follow. */
  L2_HEADER: 32,
  L2_LEVEL: 24,
  TRADE: 56,
  BBO: 64,
} as const;

/**
 * Size of a client→server frame by type, 0 for a type that is not a client→server
 * frame (or is BATCH, whose size depends on its content). Indexed table: no branch
 * chain, no allocation.
 */
const requestBytesByType = new Uint16Array(256);
requestBytesByType[FrameType.LOGIN_REQUEST] = FrameBytes.LOGIN_REQUEST;
requestBytesByType[FrameType.LOGIN] = FrameBytes.LOGIN;
requestBytesByType[FrameType.HEARTBEAT] = FrameBytes.HEARTBEAT;
requestBytesByType[FrameType.SET_DEAD_MAN] = FrameBytes.SET_DEAD_MAN;
requestBytesByType[FrameType.SUBSCRIBE] = FrameBytes.SUBSCRIBE;
requestBytesByType[FrameType.UNSUBSCRIBE] = FrameBytes.UNSUBSCRIBE;
requestBytesByType[FrameType.RESYNC] = FrameBytes.RESYNC;
requestBytesByType[FrameType.NEW_ORDER] = FrameBytes.NEW_ORDER;
requestBytesByType[FrameType.CANCEL] = FrameBytes.CANCEL;
requestBytesByType[FrameType.CANCEL_BY_CLOID] = FrameBytes.CANCEL_BY_CLOID;
requestBytesByType[FrameType.MODIFY] = FrameBytes.MODIFY;
requestBytesByType[FrameType.MASS_CANCEL] = FrameBytes.MASS_CANCEL;

export function requestFrameBytes(type: number): number {
  return requestBytesByType[type & 0xff];
}

/** Client→server types a BATCH may carry: everything except BATCH, LOGIN_REQUEST and LOGIN. */
export function isBatchable(type: number): boolean {
  return requestFrameBytes(type) !== 0 && type !== FrameType.LOGIN_REQUEST && type !== FrameType.LOGIN;
}

/** Market-data channel bits (SUBSCRIBE / UNSUBSCRIBE `channels`). */
export const Channel = {
  L2: 1,
  TRADES: 2,
  BBO: 4,
} as const;
export const ALL_CHANNELS = Channel.L2 | Channel.TRADES | Channel.BBO;

/** FILL `liquidity`. */
export const Liquidity = { MAKER: 0, TAKER: 1 } as const;

/** DONE `status`: why the order left the exchange. */
export const DoneStatus = { FILLED: 1, CANCELLED: 2 } as const;

/** MODIFIED `cause`. */
export const ModifyCause = {
  /** The client's MODIFY was applied. */
  CLIENT: 0,
  /** A reduce-only order was shrunk to the position by the exchange (queue place kept). */
  REDUCE_ONLY: 1,
} as const;

/** ACCEPTED `orderFlags` bits (the OrderFlag bits POST_ONLY=1, REDUCE_ONLY=2, plus:) */
export const ACCEPTED_IS_TRIGGER = 0x80;

/** L2_SNAPSHOT `flags`: this side of the book has no levels beyond those sent. */
export const SnapshotFlag = {
  BIDS_COMPLETE: 1,
  ASKS_COMPLETE: 2,
} as const;

/**
 * Which field an ERROR is about (the ERROR frame's `fieldId`, the "short reason").
 * Stable numbers; 0 = the frame as a whole.
 */
export const FieldId = {
  NONE: 0,
  VERSION: 1,
  TYPE: 2,
  HEADER_FLAGS: 3,
  LENGTH: 4,
  RESERVED: 5,
  MARKET_ID: 6,
  SIDE: 7,
  ORDER_TYPE: 8,
  TIF: 9,
  ORDER_FLAGS: 10,
  STP_MODE: 11,
  TRIGGER_KIND: 12,
  PRICE_TICKS: 13,
  SIZE_LOTS: 14,
  TRIGGER_PRICE_TICKS: 15,
  OCO_ORDER_ID: 16,
  CLOID: 17,
  ORDER_ID: 18,
  ACCOUNT_ID: 19,
  TIMEOUT_MS: 20,
  CHANNELS: 21,
  DEPTH: 22,
  CLIENT_TIME_US: 23,
  BATCH_COUNT: 24,
  BATCH_SUBFRAME: 25,
} as const;
export type FieldIdValue = (typeof FieldId)[keyof typeof FieldId];

const fieldNames = new Map<number, string>(Object.entries(FieldId).map(([k, v]) => [v, k]));
export function fieldName(fieldId: number): string {
  return fieldNames.get(fieldId) ?? `UNKNOWN_FIELD_${fieldId}`;
}
