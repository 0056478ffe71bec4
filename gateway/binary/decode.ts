/**
 * Server-side decoder of client→server frames (docs/protocol-binary.md).
 *
 * `tryDecodeRequest(bytes, out, offset, length)` validates one frame and writes it
 * into a reused RequestFrame (order frames straight into `out.command`). It returns
 * a Code (OK = 0) and never throws on any input; on failure `out.errorField` names
 * the offending field and `out.fatal` says the connection must be closed
 * (see close-policy.ts).
 *
 * Allocation: none. Bytes are read with integer arithmetic from the caller's
 * Uint8Array (bytes.ts), public keys and signatures are copied into buffers the
 * RequestFrame owns, and the only objects touched are `out` and `out.command`.
 * The caller makes one Uint8Array view per WebSocket message (uWS hands out a fresh
 * ArrayBuffer per message); decoding a BATCH's sub-frames reuses that same view.
 *
 * Checks, in this order; the first failure wins:
 *   1. length > MAX_REQUEST_FRAME_BYTES             FRAME_TOO_LARGE     fatal
 *   2. length < HEADER_BYTES                        TRUNCATED_FRAME     fatal
 *   3. version ≠ PROTOCOL_VERSION                   UNSUPPORTED_VERSION fatal
 *   4. type not a client→server type                UNKNOWN_FRAME_TYPE
 *   5. header flags ≠ 0                             RESERVED_NOT_ZERO
 *   6. length below / above the type's layout       TRUNCATED_FRAME / TRAILING_BYTES
 *   7. body fields in layout order: reserved bytes and undefined bits → RESERVED_NOT_ZERO,
 *      64-bit value above 2^53 − 1 → INTEGER_NOT_SAFE, anything else outside the
 *      field's domain → FIELD_OUT_OF_RANGE.
 * Cross-field order rules (post-only with IOC, trigger price on a non-trigger, …)
 * are the engine's, with the engine's codes: the decoder checks each field alone.
 */
import { Code } from '../../engine/codes.js';
import { Op, type Command } from '../../engine/command.js';
import { OrderFlag } from '../../engine/types.js';
import { copyBytes, isZero, readI32, readU16, readU32, readU64, readU8 } from './bytes.js';
import {
  ALL_CHANNELS,
  ALL_MARKETS,
  DEFAULT_L2_DEPTH,
  FieldId,
  FrameBytes,
  FrameType,
  HEADER_BYTES,
  MAX_BATCH_FRAMES,
  MAX_DEAD_MAN_MS,
  MAX_L2_DEPTH,
  MAX_MARKET_ID,
  MAX_REQUEST_FRAME_BYTES,
  MIN_DEAD_MAN_MS,
  PROTOCOL_VERSION,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  isBatchable,
  requestFrameBytes,
} from './frames.js';
import type { RequestFrame } from './request-frame.js';

const KNOWN_ORDER_FLAGS = OrderFlag.POST_ONLY | OrderFlag.REDUCE_ONLY;

function fail(out: RequestFrame, code: number, field: number): number {
  out.errorField = field;
  return code;
}

/** Decodes one client→server frame from `bytes[offset, offset + length)` into `out`. */
export function tryDecodeRequest(bytes: Uint8Array, out: RequestFrame, offset = 0, length = bytes.length - offset): number {
  out.version = 0;
  out.type = 0;
  out.requestId = 0;
  out.frameBytes = length;
  out.errorField = FieldId.NONE;
  out.fatal = false;

  if (length > MAX_REQUEST_FRAME_BYTES) {
    out.fatal = true;
    return fail(out, Code.FRAME_TOO_LARGE, FieldId.LENGTH);
  }
  if (length < HEADER_BYTES) {
    out.fatal = true;
    return fail(out, Code.TRUNCATED_FRAME, FieldId.LENGTH);
  }
  const o = offset;
  out.version = bytes[o];
  out.type = bytes[o + 1];
  out.requestId = readU32(bytes, o + 4);
  if (out.version !== PROTOCOL_VERSION) {
    out.fatal = true;
    return fail(out, Code.UNSUPPORTED_VERSION, FieldId.VERSION);
  }
  const type = out.type;
  const expectedBytes = type === FrameType.BATCH ? FrameBytes.BATCH_HEADER : requestFrameBytes(type);
  if (expectedBytes === 0) return fail(out, Code.UNKNOWN_FRAME_TYPE, FieldId.TYPE);
  if (readU16(bytes, o + 2) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.HEADER_FLAGS);
  if (length < expectedBytes) return fail(out, Code.TRUNCATED_FRAME, FieldId.LENGTH);
  if (length > expectedBytes && type !== FrameType.BATCH) return fail(out, Code.TRAILING_BYTES, FieldId.LENGTH);

  switch (type) {
    case FrameType.NEW_ORDER:
      return decodeNewOrder(bytes, o, out);
    case FrameType.CANCEL:
      return decodeCancel(bytes, o, out);
    case FrameType.CANCEL_BY_CLOID:
      return decodeCancelByCloid(bytes, o, out);
    case FrameType.MODIFY:
      return decodeModify(bytes, o, out);
    case FrameType.MASS_CANCEL:
      return decodeMassCancel(bytes, o, out);
    case FrameType.HEARTBEAT:
      return decodeHeartbeat(bytes, o, out);
    case FrameType.SET_DEAD_MAN:
      return decodeSetDeadMan(bytes, o, out);
    case FrameType.SUBSCRIBE:
    case FrameType.UNSUBSCRIBE:
      return decodeSubscription(bytes, o, out);
    case FrameType.RESYNC:
      return decodeResync(bytes, o, out);
    case FrameType.LOGIN_REQUEST:
    case FrameType.LOGIN:
      return decodeLogin(bytes, o, out);
    case FrameType.BATCH:
      return decodeBatchHeader(bytes, o, length, out);
    default:
      return fail(out, Code.UNKNOWN_FRAME_TYPE, FieldId.TYPE);
  }
}

/** marketId of a market-specific frame: 0..MAX_MARKET_ID (0xFFFF means "all" and only MASS_CANCEL takes it). */
function readMarketId(bytes: Uint8Array, at: number, out: RequestFrame): number {
  const marketId = readU16(bytes, at);
  if (marketId > MAX_MARKET_ID) {
    out.errorField = FieldId.MARKET_ID;
    return -1;
  }
  return marketId;
}

function readCloid(bytes: Uint8Array, at: number, cmd: Command): void {
  cmd.cloid0 = readI32(bytes, at);
  cmd.cloid1 = readI32(bytes, at + 4);
  cmd.cloid2 = readI32(bytes, at + 8);
  cmd.cloid3 = readI32(bytes, at + 12);
}

//  8 marketId u16 | 10 side u8 | 11 orderType u8 | 12 tif u8 | 13 orderFlags u8 | 14 stpMode u8 | 15 triggerKind u8
// 16 priceTicks u64 | 24 sizeLots u64 | 32 triggerPriceTicks u64 | 40 ocoOrderId u64 | 48 cloid [16]
function decodeNewOrder(b: Uint8Array, o: number, out: RequestFrame): number {
  const cmd = out.command.reset();
  cmd.op = Op.PLACE;
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  cmd.marketId = marketId;
  cmd.side = readU8(b, o + 10);
  if (cmd.side > 1) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.SIDE);
  cmd.orderType = readU8(b, o + 11);
  if (cmd.orderType > 1) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.ORDER_TYPE);
  cmd.tif = readU8(b, o + 12);
  if (cmd.tif > 2) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.TIF);
  cmd.flags = readU8(b, o + 13);
  if ((cmd.flags & ~KNOWN_ORDER_FLAGS) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.ORDER_FLAGS);
  cmd.stpMode = readU8(b, o + 14);
  if (cmd.stpMode > 3) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.STP_MODE);
  cmd.triggerKind = readU8(b, o + 15);
  if (cmd.triggerKind > 2) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.TRIGGER_KIND);
  cmd.priceTicks = readU64(b, o + 16);
  if (cmd.priceTicks !== cmd.priceTicks) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.PRICE_TICKS);
  cmd.sizeLots = readU64(b, o + 24);
  if (cmd.sizeLots !== cmd.sizeLots) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.SIZE_LOTS);
  if (cmd.sizeLots === 0) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.SIZE_LOTS);
  cmd.triggerPriceTicks = readU64(b, o + 32);
  if (cmd.triggerPriceTicks !== cmd.triggerPriceTicks) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.TRIGGER_PRICE_TICKS);
  cmd.ocoOrderId = readU64(b, o + 40);
  if (cmd.ocoOrderId !== cmd.ocoOrderId) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.OCO_ORDER_ID);
  readCloid(b, o + 48, cmd);
  return Code.OK;
}

//  8 marketId u16 | 10 reserved [6] | 16 orderId u64
function decodeCancel(b: Uint8Array, o: number, out: RequestFrame): number {
  const cmd = out.command.reset();
  cmd.op = Op.CANCEL;
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  cmd.marketId = marketId;
  if (!isZero(b, o + 10, 6)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  return readOrderId(b, o + 16, out, cmd);
}

function readOrderId(b: Uint8Array, at: number, out: RequestFrame, cmd: Command): number {
  cmd.orderId = readU64(b, at);
  if (cmd.orderId !== cmd.orderId) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.ORDER_ID);
  if (cmd.orderId === 0) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.ORDER_ID);
  return Code.OK;
}

//  8 marketId u16 | 10 reserved [6] | 16 cloid [16] (not all zero)
function decodeCancelByCloid(b: Uint8Array, o: number, out: RequestFrame): number {
  const cmd = out.command.reset();
  cmd.op = Op.CANCEL_BY_CLOID;
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  cmd.marketId = marketId;
  if (!isZero(b, o + 10, 6)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  readCloid(b, o + 16, cmd);
  if (!cmd.hasCloid()) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.CLOID);
  return Code.OK;
}

//  8 marketId u16 | 10 side u8 | 11 reserved [5] | 16 orderId u64 | 24 newPriceTicks u64 | 32 newSizeLots u64 (0 = keep)
function decodeModify(b: Uint8Array, o: number, out: RequestFrame): number {
  const cmd = out.command.reset();
  cmd.op = Op.MODIFY;
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  cmd.marketId = marketId;
  cmd.side = readU8(b, o + 10);
  if (cmd.side > 1) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.SIDE);
  if (!isZero(b, o + 11, 5)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  const code = readOrderId(b, o + 16, out, cmd);
  if (code !== Code.OK) return code;
  cmd.priceTicks = readU64(b, o + 24);
  if (cmd.priceTicks !== cmd.priceTicks) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.PRICE_TICKS);
  if (cmd.priceTicks === 0) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.PRICE_TICKS);
  cmd.sizeLots = readU64(b, o + 32);
  if (cmd.sizeLots !== cmd.sizeLots) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.SIZE_LOTS);
  return Code.OK;
}

//  8 marketId u16 (ALL_MARKETS = every market) | 10 reserved [6]
function decodeMassCancel(b: Uint8Array, o: number, out: RequestFrame): number {
  const cmd = out.command.reset();
  cmd.op = Op.CANCEL_ALL;
  const marketId = readU16(b, o + 8);
  out.marketId = marketId;
  cmd.marketId = marketId;
  cmd.value = marketId === ALL_MARKETS ? 1 : 0;
  if (!isZero(b, o + 10, 6)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  return Code.OK;
}

//  8 clientTimeUs u64
function decodeHeartbeat(b: Uint8Array, o: number, out: RequestFrame): number {
  out.clientTimeUs = readU64(b, o + 8);
  if (out.clientTimeUs !== out.clientTimeUs) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.CLIENT_TIME_US);
  return Code.OK;
}

//  8 timeoutMs u32 (0 = off, else MIN_DEAD_MAN_MS..MAX_DEAD_MAN_MS) | 12 reserved u32
function decodeSetDeadMan(b: Uint8Array, o: number, out: RequestFrame): number {
  out.timeoutMs = readU32(b, o + 8);
  if (out.timeoutMs !== 0 && (out.timeoutMs < MIN_DEAD_MAN_MS || out.timeoutMs > MAX_DEAD_MAN_MS)) {
    return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.TIMEOUT_MS);
  }
  if (readU32(b, o + 12) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  return Code.OK;
}

//  8 marketId u16 | 10 channels u8 | 11 reserved u8 | 12 depth u16 (SUBSCRIBE: 0 = default; UNSUBSCRIBE: 0) | 14 reserved u16
function decodeSubscription(b: Uint8Array, o: number, out: RequestFrame): number {
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  out.marketId = marketId;
  out.channels = readU8(b, o + 10);
  if ((out.channels & ~ALL_CHANNELS) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.CHANNELS);
  if (out.channels === 0) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.CHANNELS);
  if (readU8(b, o + 11) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  const depth = readU16(b, o + 12);
  if (out.type === FrameType.UNSUBSCRIBE) {
    if (depth !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.DEPTH);
    out.depth = 0;
  } else {
    if (depth > MAX_L2_DEPTH) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.DEPTH);
    out.depth = depth === 0 ? DEFAULT_L2_DEPTH : depth;
  }
  if (readU16(b, o + 14) !== 0) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  return Code.OK;
}

//  8 marketId u16 | 10 reserved [6]
function decodeResync(b: Uint8Array, o: number, out: RequestFrame): number {
  const marketId = readMarketId(b, o + 8, out);
  if (marketId < 0) return Code.FIELD_OUT_OF_RANGE;
  out.marketId = marketId;
  if (!isZero(b, o + 10, 6)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  return Code.OK;
}

//  8 accountId u64 | 16 publicKey [32] | LOGIN only: 48 signature [64]
function decodeLogin(b: Uint8Array, o: number, out: RequestFrame): number {
  out.accountId = readU64(b, o + 8);
  if (out.accountId !== out.accountId) return fail(out, Code.INTEGER_NOT_SAFE, FieldId.ACCOUNT_ID);
  copyBytes(b, o + 16, out.publicKey, 0, PUBLIC_KEY_BYTES);
  if (out.type === FrameType.LOGIN) copyBytes(b, o + 48, out.signature, 0, SIGNATURE_BYTES);
  return Code.OK;
}

/**
 * BATCH: 8 count u16 (1..MAX_BATCH_FRAMES) | 10 reserved [6] | 16 sub-frames back to back.
 * Validates that the sub-frames tile the frame exactly (each a batchable type with the
 * protocol version; its size is its type's fixed size) before any of them is used, so
 * a structurally bad batch executes nothing. Sub-frame fields are checked one by one
 * later, by BatchCursor; `out.errorField` = BATCH_SUBFRAME on a tiling error.
 */
function decodeBatchHeader(b: Uint8Array, o: number, length: number, out: RequestFrame): number {
  const count = readU16(b, o + 8);
  out.batchCount = count;
  if (count === 0 || count > MAX_BATCH_FRAMES) return fail(out, Code.FIELD_OUT_OF_RANGE, FieldId.BATCH_COUNT);
  if (!isZero(b, o + 10, 6)) return fail(out, Code.RESERVED_NOT_ZERO, FieldId.RESERVED);
  let at = FrameBytes.BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    if (at + HEADER_BYTES > length) return fail(out, Code.TRUNCATED_FRAME, FieldId.BATCH_SUBFRAME);
    const subType = b[o + at + 1];
    if (b[o + at] !== PROTOCOL_VERSION || !isBatchable(subType)) return fail(out, Code.INVALID_BATCH, FieldId.BATCH_SUBFRAME);
    at += requestFrameBytes(subType);
    if (at > length) return fail(out, Code.TRUNCATED_FRAME, FieldId.BATCH_SUBFRAME);
  }
  if (at !== length) return fail(out, Code.TRAILING_BYTES, FieldId.BATCH_SUBFRAME);
  return Code.OK;
}

/**
 * Walks the sub-frames of a BATCH that `tryDecodeRequest` accepted. Reusable:
 *
 *   if (tryDecodeRequest(bytes, frame) === Code.OK && frame.type === FrameType.BATCH) {
 *     cursor.begin(bytes, 0, frame.batchCount);
 *     while (cursor.hasNext()) { const code = cursor.tryDecodeNext(frame); ... }
 *   }
 *
 * Each sub-frame is decoded (and may fail) on its own; its own requestId correlates
 * the responses. Decoding overwrites `frame`, batch fields included.
 */
export class BatchCursor {
  #bytes: Uint8Array = EMPTY;
  #at = 0;
  #left = 0;

  begin(bytes: Uint8Array, frameOffset: number, batchCount: number): void {
    this.#bytes = bytes;
    this.#at = frameOffset + FrameBytes.BATCH_HEADER;
    this.#left = batchCount;
  }

  hasNext(): boolean {
    return this.#left > 0;
  }

  tryDecodeNext(out: RequestFrame): number {
    const bytes = this.#bytes;
    const at = this.#at;
    const size = requestFrameBytes(bytes[at + 1]);
    this.#at = at + size;
    this.#left--;
    if (this.#left === 0) this.#bytes = EMPTY;
    return tryDecodeRequest(bytes, out, at, size);
  }
}

const EMPTY = new Uint8Array(0);
