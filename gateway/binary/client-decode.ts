/**
 * Client-side decoder of server→client frames into plain objects (allocates: this is
 * the client's side, not the server's hot path). Never throws: returns
 * `{ ok: false, code, field }` for a frame it cannot trust, with the same codes the
 * server uses (wrong version, unknown type, length not matching the layout,
 * 64-bit value above 2^53 − 1, header flags set).
 */
import { Code } from '../../engine/codes.js';
import { readI32, readI64, readU16, readU32, readU64, readU8 } from './bytes.js';
import { cloidHexAt } from './cloid.js';
import { ACCEPTED_IS_TRIGGER, FieldId, FrameBytes, FrameType, HEADER_BYTES, MAX_REPORT_FRAME_BYTES, NONCE_BYTES, PROTOCOL_VERSION } from './frames.js';

export interface ChallengeFrame { kind: 'challenge'; requestId: number; nonce: Uint8Array; validForMs: number }
export interface LoginOkFrame { kind: 'loginOk'; requestId: number; accountId: number; sessionId: number; serverTimeUs: number }
export interface LoginRejectedFrame { kind: 'loginRejected'; requestId: number; code: number; attemptsLeft: number }
export interface HeartbeatAckFrame { kind: 'heartbeatAck'; requestId: number; clientTimeUs: number; serverTimeUs: number }
export interface AckFrame { kind: 'ack'; requestId: number; requestType: number; value: number }
export interface ErrorFrame { kind: 'error'; requestId: number; code: number; requestType: number; fieldId: number; detail: number }

export interface AcceptedReport {
  kind: 'accepted';
  requestId: number;
  marketId: number;
  side: number;
  /** OrderFlag bits (POST_ONLY, REDUCE_ONLY) of the accepted order. */
  orderFlags: number;
  isTrigger: boolean;
  orderId: number;
  seq: number;
  tsUs: number;
  priceTicks: number;
  acceptedSizeLots: number;
  cloid: string;
}
export interface RejectedReport {
  kind: 'rejected';
  requestId: number;
  code: number;
  marketId: number;
  requestType: number;
  side: number;
  orderId: number;
  seq: number;
  cloid: string;
}
export interface FillReport {
  kind: 'fill';
  requestId: number;
  marketId: number;
  side: number;
  /** Liquidity: 0 MAKER, 1 TAKER. */
  liquidity: number;
  orderId: number;
  tradeId: number;
  priceTicks: number;
  sizeLots: number;
  remainingLots: number;
  /** Signed: negative = rebate. */
  feeMicros: number;
  tsUs: number;
}
export interface CancelledReport { kind: 'cancelled'; requestId: number; marketId: number; side: number; reason: number; orderId: number; remainingLots: number; tsUs: number }
export interface ModifiedReport {
  kind: 'modified';
  requestId: number;
  marketId: number;
  side: number;
  cause: number;
  requeued: boolean;
  orderId: number;
  priceTicks: number;
  oldRemainingLots: number;
  newRemainingLots: number;
  seq: number;
  tsUs: number;
}
export interface DoneReport { kind: 'done'; requestId: number; marketId: number; side: number; status: number; orderId: number; tsUs: number }
export interface TriggeredReport { kind: 'triggered'; requestId: number; marketId: number; side: number; orderId: number; markPriceTicks: number; tsUs: number }

export interface L2Level { side: number; priceTicks: number; totalLots: number; orderCount: number }
export interface L2SnapshotFrame { kind: 'l2Snapshot'; requestId: number; marketId: number; seq: number; tsUs: number; flags: number; bids: L2Level[]; asks: L2Level[] }
export interface L2UpdateFrame { kind: 'l2Update'; requestId: number; marketId: number; seq: number; tsUs: number; levels: L2Level[] }
export interface TradeFrame { kind: 'trade'; requestId: number; marketId: number; takerSide: number; seq: number; tradeId: number; priceTicks: number; sizeLots: number; tsUs: number }
export interface BboFrame {
  kind: 'bbo';
  requestId: number;
  marketId: number;
  seq: number;
  bidPriceTicks: number;
  bidSizeLots: number;
  askPriceTicks: number;
  askSizeLots: number;
  tsUs: number;
}

export type SessionFrame = ChallengeFrame | LoginOkFrame | LoginRejectedFrame | HeartbeatAckFrame | AckFrame | ErrorFrame;
export type ExecutionReport = AcceptedReport | RejectedReport | FillReport | CancelledReport | ModifiedReport | DoneReport | TriggeredReport;
export type MarketDataFrame = L2SnapshotFrame | L2UpdateFrame | TradeFrame | BboFrame;
export type ServerFrame = SessionFrame | ExecutionReport | MarketDataFrame;

export type DecodeResult = { ok: true; frame: ServerFrame } | { ok: false; code: number; field: number };

class Refusal {
  constructor(
    readonly code: number,
    readonly field: number,
  ) {}
}

function u64(b: Uint8Array, o: number): number {
  const v = readU64(b, o);
  if (v !== v) throw new Refusal(Code.INTEGER_NOT_SAFE, FieldId.NONE);
  return v;
}

function i64(b: Uint8Array, o: number): number {
  const v = readI64(b, o);
  if (v !== v) throw new Refusal(Code.INTEGER_NOT_SAFE, FieldId.NONE);
  return v;
}

const fixedReportBytes = new Map<number, number>([
  [FrameType.CHALLENGE, FrameBytes.CHALLENGE],
  [FrameType.LOGIN_OK, FrameBytes.LOGIN_OK],
  [FrameType.LOGIN_REJECTED, FrameBytes.LOGIN_REJECTED],
  [FrameType.HEARTBEAT_ACK, FrameBytes.HEARTBEAT_ACK],
  [FrameType.ACK, FrameBytes.ACK],
  [FrameType.ERROR, FrameBytes.ERROR],
  [FrameType.ACCEPTED, FrameBytes.ACCEPTED],
  [FrameType.REJECTED, FrameBytes.REJECTED],
  [FrameType.FILL, FrameBytes.FILL],
  [FrameType.CANCELLED, FrameBytes.CANCELLED],
  [FrameType.MODIFIED, FrameBytes.MODIFIED],
  [FrameType.DONE, FrameBytes.DONE],
  [FrameType.TRIGGERED, FrameBytes.TRIGGERED],
  [FrameType.TRADE, FrameBytes.TRADE],
  [FrameType.BBO, FrameBytes.BBO],
]);

/** Decodes one server→client frame (one WebSocket message). */
export function decodeReport(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, frame: mustDecodeReport(bytes) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, code: err.code, field: err.field };
    return { ok: false, code: Code.MALFORMED, field: FieldId.NONE };
  }
}

function mustDecodeReport(b: Uint8Array): ServerFrame {
  if (b.length > MAX_REPORT_FRAME_BYTES) throw new Refusal(Code.FRAME_TOO_LARGE, FieldId.LENGTH);
  if (b.length < HEADER_BYTES) throw new Refusal(Code.TRUNCATED_FRAME, FieldId.LENGTH);
  if (b[0] !== PROTOCOL_VERSION) throw new Refusal(Code.UNSUPPORTED_VERSION, FieldId.VERSION);
  const type = b[1];
  if (readU16(b, 2) !== 0) throw new Refusal(Code.RESERVED_NOT_ZERO, FieldId.HEADER_FLAGS);
  const requestId = readU32(b, 4);
  if (type === FrameType.L2_SNAPSHOT || type === FrameType.L2_UPDATE) return decodeL2(b, type, requestId);
  const size = fixedReportBytes.get(type);
  if (size === undefined) throw new Refusal(Code.UNKNOWN_FRAME_TYPE, FieldId.TYPE);
  if (b.length < size) throw new Refusal(Code.TRUNCATED_FRAME, FieldId.LENGTH);
  if (b.length > size) throw new Refusal(Code.TRAILING_BYTES, FieldId.LENGTH);
  switch (type) {
    case FrameType.CHALLENGE:
      return { kind: 'challenge', requestId, nonce: b.slice(8, 8 + NONCE_BYTES), validForMs: readU32(b, 40) };
    case FrameType.LOGIN_OK:
      return { kind: 'loginOk', requestId, accountId: u64(b, 8), sessionId: u64(b, 16), serverTimeUs: u64(b, 24) };
    case FrameType.LOGIN_REJECTED:
      return { kind: 'loginRejected', requestId, code: readI32(b, 8), attemptsLeft: readU8(b, 12) };
    case FrameType.HEARTBEAT_ACK:
      return { kind: 'heartbeatAck', requestId, clientTimeUs: u64(b, 8), serverTimeUs: u64(b, 16) };
    case FrameType.ACK:
      return { kind: 'ack', requestId, requestType: readU8(b, 8), value: readU32(b, 12) };
    case FrameType.ERROR:
      return { kind: 'error', requestId, code: readI32(b, 8), requestType: readU8(b, 12), fieldId: readU8(b, 13), detail: readU16(b, 14) };
    case FrameType.ACCEPTED: {
      const flags = readU8(b, 11);
      return {
        kind: 'accepted',
        requestId,
        marketId: readU16(b, 8),
        side: readU8(b, 10),
        orderFlags: flags & ~ACCEPTED_IS_TRIGGER,
        isTrigger: (flags & ACCEPTED_IS_TRIGGER) !== 0,
        orderId: u64(b, 16),
        seq: u64(b, 24),
        tsUs: u64(b, 32),
        priceTicks: u64(b, 40),
        acceptedSizeLots: u64(b, 48),
        cloid: cloidHexAt(b, 56),
      };
    }
    case FrameType.REJECTED:
      return {
        kind: 'rejected',
        requestId,
        code: readI32(b, 8),
        marketId: readU16(b, 12),
        requestType: readU8(b, 14),
        side: readU8(b, 15),
        orderId: u64(b, 16),
        seq: u64(b, 24),
        cloid: cloidHexAt(b, 32),
      };
    case FrameType.FILL:
      return {
        kind: 'fill',
        requestId,
        marketId: readU16(b, 8),
        side: readU8(b, 10),
        liquidity: readU8(b, 11),
        orderId: u64(b, 16),
        tradeId: u64(b, 24),
        priceTicks: u64(b, 32),
        sizeLots: u64(b, 40),
        remainingLots: u64(b, 48),
        feeMicros: i64(b, 56),
        tsUs: u64(b, 64),
      };
    case FrameType.CANCELLED:
      return { kind: 'cancelled', requestId, marketId: readU16(b, 8), side: readU8(b, 10), reason: readU8(b, 11), orderId: u64(b, 16), remainingLots: u64(b, 24), tsUs: u64(b, 32) };
    case FrameType.MODIFIED:
      return {
        kind: 'modified',
        requestId,
        marketId: readU16(b, 8),
        side: readU8(b, 10),
        cause: readU8(b, 11),
        requeued: readU8(b, 12) !== 0,
        orderId: u64(b, 16),
        priceTicks: u64(b, 24),
        oldRemainingLots: u64(b, 32),
        newRemainingLots: u64(b, 40),
        seq: u64(b, 48),
        tsUs: u64(b, 56),
      };
    case FrameType.DONE:
      return { kind: 'done', requestId, marketId: readU16(b, 8), side: readU8(b, 10), status: readU8(b, 11), orderId: u64(b, 16), tsUs: u64(b, 24) };
    case FrameType.TRIGGERED:
      return { kind: 'triggered', requestId, marketId: readU16(b, 8), side: readU8(b, 10), orderId: u64(b, 16), markPriceTicks: u64(b, 24), tsUs: u64(b, 32) };
    case FrameType.TRADE:
      return {
        kind: 'trade',
        requestId,
        marketId: readU16(b, 8),
        takerSide: readU8(b, 10),
        seq: u64(b, 16),
        tradeId: u64(b, 24),
        priceTicks: u64(b, 32),
        sizeLots: u64(b, 40),
        tsUs: u64(b, 48),
      };
    case FrameType.BBO:
      return {
        kind: 'bbo',
        requestId,
        marketId: readU16(b, 8),
        seq: u64(b, 16),
        bidPriceTicks: u64(b, 24),
        bidSizeLots: u64(b, 32),
        askPriceTicks: u64(b, 40),
        askSizeLots: u64(b, 48),
        tsUs: u64(b, 56),
      };
    default:
      throw new Refusal(Code.UNKNOWN_FRAME_TYPE, FieldId.TYPE);
  }
}

function decodeL2(b: Uint8Array, type: number, requestId: number): ServerFrame {
  if (b.length < FrameBytes.L2_HEADER) throw new Refusal(Code.TRUNCATED_FRAME, FieldId.LENGTH);
  const marketId = readU16(b, 8);
  const seq = u64(b, 16);
  const tsUs = u64(b, 24);
  const isSnapshot = type === FrameType.L2_SNAPSHOT;
  const bidCount = readU16(b, 10);
  const count = isSnapshot ? bidCount + readU16(b, 12) : bidCount;
  const size = FrameBytes.L2_HEADER + count * FrameBytes.L2_LEVEL;
  if (b.length < size) throw new Refusal(Code.TRUNCATED_FRAME, FieldId.LENGTH);
  if (b.length > size) throw new Refusal(Code.TRAILING_BYTES, FieldId.LENGTH);
  const levels: L2Level[] = new Array(count);
  for (let i = 0, at = FrameBytes.L2_HEADER; i < count; i++, at += FrameBytes.L2_LEVEL) {
    levels[i] = { side: readU8(b, at + 20), priceTicks: u64(b, at), totalLots: u64(b, at + 8), orderCount: readU32(b, at + 16) };
  }
  if (isSnapshot) {
    return { kind: 'l2Snapshot', requestId, marketId, seq, tsUs, flags: readU16(b, 14), bids: levels.slice(0, bidCount), asks: levels.slice(bidCount) };
  }
  return { kind: 'l2Update', requestId, marketId, seq, tsUs, levels };
}
