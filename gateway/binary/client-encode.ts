/**
 * Client-side encoder of client→server frames (docs/protocol-binary.md). Used by the
 * typed client, tests and benchmark load generators; not on the server's hot path.
 *
 * `write…(buf, offset, requestId, fields)` writes one frame into `buf` and returns its
 * size, so many frames can be laid out in one buffer (a BATCH); `encode…` allocates a
 * fresh Uint8Array per frame. Both check that every value fits its field and throw
 * RangeError otherwise (a value that does not fit would be silently truncated). They do
 * not enforce the protocol's domains (enum ranges, sizeLots ≥ 1, …): the server does,
 * with documented codes, and tests rely on being able to send such frames.
 */
import { mustBytes, mustSafeU64, mustUint, writeU16, writeU32, writeU64, writeU8 } from './bytes.js';
import { mustCloidBytes } from './cloid.js';
import { FrameBytes, FrameType, HEADER_BYTES, MAX_BATCH_FRAMES, PROTOCOL_VERSION, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, requestFrameBytes } from './frames.js';

export type CloidInput = Uint8Array | string;

export interface NewOrderFields {
  marketId: number;
  /** Side: 0 BUY, 1 SELL. */
  side: number;
  /** OrderType: 0 LIMIT, 1 MARKET. */
  orderType: number;
  /** TimeInForce: 0 GTC, 1 IOC, 2 FOK. */
  tif: number;
  /** OrderFlag bits: 1 POST_ONLY, 2 REDUCE_ONLY. */
  flags?: number;
  /** StpMode; 0 = the account's default. */
  stpMode?: number;
  /** Limit price; 0 for MARKET. */
  priceTicks: number;
  sizeLots: number;
  /** 16 bytes or 32 hex chars; omitted = none (all zero). */
  cloid?: CloidInput;
  /** TriggerKind: 0 NONE, 1 STOP, 2 TAKE_PROFIT. */
  triggerKind?: number;
  triggerPriceTicks?: number;
  /** Pair this trigger one-cancels-other with a live trigger (0 = none). */
  ocoOrderId?: number;
}

export interface CancelFields {
  marketId: number;
  orderId: number;
}

export interface CancelByCloidFields {
  marketId: number;
  cloid: CloidInput;
}

export interface ModifyFields {
  marketId: number;
  orderId: number;
  /** The order's side (must match). */
  side: number;
  newPriceTicks: number;
  /** New remaining size; 0 or omitted = keep the remaining size. */
  newSizeLots?: number;
}

export interface SubscriptionFields {
  marketId: number;
  /** Channel bits: 1 L2, 2 TRADES, 4 BBO. */
  channels: number;
  /** SUBSCRIBE: L2 snapshot levels per side (0 = DEFAULT_L2_DEPTH). */
  depth?: number;
}

export interface LoginFields {
  accountId: number;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** LOGIN only: 64-byte signature of the login message (auth.ts). */
  signature?: Uint8Array;
}

function mustRoom(buf: Uint8Array, offset: number, size: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) throw new RangeError(`no room for a ${size}-byte frame at offset ${offset}`);
}

function writeHeader(b: Uint8Array, o: number, type: number, requestId: number, size: number): void {
  mustUint('requestId', requestId, 0xffffffff);
  mustRoom(b, o, size);
  b.fill(0, o, o + size);
  b[o] = PROTOCOL_VERSION;
  b[o + 1] = type;
  writeU32(b, o + 4, requestId);
}

function u16(name: string, v: number): number {
  mustUint(name, v, 0xffff);
  return v;
}

function u8(name: string, v: number): number {
  mustUint(name, v, 0xff);
  return v;
}

function u64(name: string, v: number): number {
  mustSafeU64(name, v);
  return v;
}

export function writeNewOrder(b: Uint8Array, o: number, requestId: number, f: NewOrderFields): number {
  const cloid = f.cloid === undefined ? undefined : mustCloidBytes(f.cloid);
  const marketId = u16('marketId', f.marketId);
  const side = u8('side', f.side);
  const orderType = u8('orderType', f.orderType);
  const tif = u8('tif', f.tif);
  const flags = u8('flags', f.flags ?? 0);
  const stpMode = u8('stpMode', f.stpMode ?? 0);
  const triggerKind = u8('triggerKind', f.triggerKind ?? 0);
  const priceTicks = u64('priceTicks', f.priceTicks);
  const sizeLots = u64('sizeLots', f.sizeLots);
  const triggerPriceTicks = u64('triggerPriceTicks', f.triggerPriceTicks ?? 0);
  const ocoOrderId = u64('ocoOrderId', f.ocoOrderId ?? 0);
  writeHeader(b, o, FrameType.NEW_ORDER, requestId, FrameBytes.NEW_ORDER);
  writeU16(b, o + 8, marketId);
  writeU8(b, o + 10, side);
  writeU8(b, o + 11, orderType);
  writeU8(b, o + 12, tif);
  writeU8(b, o + 13, flags);
  writeU8(b, o + 14, stpMode);
  writeU8(b, o + 15, triggerKind);
  writeU64(b, o + 16, priceTicks);
  writeU64(b, o + 24, sizeLots);
  writeU64(b, o + 32, triggerPriceTicks);
  writeU64(b, o + 40, ocoOrderId);
  if (cloid) b.set(cloid, o + 48);
  return FrameBytes.NEW_ORDER;
}

export function writeCancel(b: Uint8Array, o: number, requestId: number, f: CancelFields): number {
  const marketId = u16('marketId', f.marketId);
  const orderId = u64('orderId', f.orderId);
  writeHeader(b, o, FrameType.CANCEL, requestId, FrameBytes.CANCEL);
  writeU16(b, o + 8, marketId);
  writeU64(b, o + 16, orderId);
  return FrameBytes.CANCEL;
}

export function writeCancelByCloid(b: Uint8Array, o: number, requestId: number, f: CancelByCloidFields): number {
  const marketId = u16('marketId', f.marketId);
  const cloid = mustCloidBytes(f.cloid);
  writeHeader(b, o, FrameType.CANCEL_BY_CLOID, requestId, FrameBytes.CANCEL_BY_CLOID);
  writeU16(b, o + 8, marketId);
  b.set(cloid, o + 16);
  return FrameBytes.CANCEL_BY_CLOID;
}

export function writeModify(b: Uint8Array, o: number, requestId: number, f: ModifyFields): number {
  const marketId = u16('marketId', f.marketId);
  const side = u8('side', f.side);
  const orderId = u64('orderId', f.orderId);
  const newPriceTicks = u64('newPriceTicks', f.newPriceTicks);
  const newSizeLots = u64('newSizeLots', f.newSizeLots ?? 0);
  writeHeader(b, o, FrameType.MODIFY, requestId, FrameBytes.MODIFY);
  writeU16(b, o + 8, marketId);
  writeU8(b, o + 10, side);
  writeU64(b, o + 16, orderId);
  writeU64(b, o + 24, newPriceTicks);
  writeU64(b, o + 32, newSizeLots);
  return FrameBytes.MODIFY;
}

/** marketId ALL_MARKETS (0xFFFF) cancels in every market. */
export function writeMassCancel(b: Uint8Array, o: number, requestId: number, marketId: number): number {
  u16('marketId', marketId);
  writeHeader(b, o, FrameType.MASS_CANCEL, requestId, FrameBytes.MASS_CANCEL);
  writeU16(b, o + 8, marketId);
  return FrameBytes.MASS_CANCEL;
}

export function writeHeartbeat(b: Uint8Array, o: number, requestId: number, clientTimeUs: number): number {
  u64('clientTimeUs', clientTimeUs);
  writeHeader(b, o, FrameType.HEARTBEAT, requestId, FrameBytes.HEARTBEAT);
  writeU64(b, o + 8, clientTimeUs);
  return FrameBytes.HEARTBEAT;
}

export function writeSetDeadMan(b: Uint8Array, o: number, requestId: number, timeoutMs: number): number {
  mustUint('timeoutMs', timeoutMs, 0xffffffff);
  writeHeader(b, o, FrameType.SET_DEAD_MAN, requestId, FrameBytes.SET_DEAD_MAN);
  writeU32(b, o + 8, timeoutMs);
  return FrameBytes.SET_DEAD_MAN;
}

function writeSubscription(type: number, b: Uint8Array, o: number, requestId: number, f: SubscriptionFields): number {
  const marketId = u16('marketId', f.marketId);
  const channels = u8('channels', f.channels);
  const depth = u16('depth', f.depth ?? 0);
  writeHeader(b, o, type, requestId, FrameBytes.SUBSCRIBE);
  writeU16(b, o + 8, marketId);
  writeU8(b, o + 10, channels);
  writeU16(b, o + 12, depth);
  return FrameBytes.SUBSCRIBE;
}

export function writeSubscribe(b: Uint8Array, o: number, requestId: number, f: SubscriptionFields): number {
  return writeSubscription(FrameType.SUBSCRIBE, b, o, requestId, f);
}

export function writeUnsubscribe(b: Uint8Array, o: number, requestId: number, f: SubscriptionFields): number {
  return writeSubscription(FrameType.UNSUBSCRIBE, b, o, requestId, { marketId: f.marketId, channels: f.channels, depth: 0 });
}

export function writeResync(b: Uint8Array, o: number, requestId: number, marketId: number): number {
  u16('marketId', marketId);
  writeHeader(b, o, FrameType.RESYNC, requestId, FrameBytes.RESYNC);
  writeU16(b, o + 8, marketId);
  return FrameBytes.RESYNC;
}

export function writeLoginRequest(b: Uint8Array, o: number, requestId: number, f: LoginFields): number {
  const accountId = u64('accountId', f.accountId);
  mustBytes('publicKey', f.publicKey, PUBLIC_KEY_BYTES);
  writeHeader(b, o, FrameType.LOGIN_REQUEST, requestId, FrameBytes.LOGIN_REQUEST);
  writeU64(b, o + 8, accountId);
  b.set(f.publicKey, o + 16);
  return FrameBytes.LOGIN_REQUEST;
}

export function writeLogin(b: Uint8Array, o: number, requestId: number, f: LoginFields): number {
  const accountId = u64('accountId', f.accountId);
  mustBytes('publicKey', f.publicKey, PUBLIC_KEY_BYTES);
  mustBytes('signature', f.signature as Uint8Array, SIGNATURE_BYTES);
  writeHeader(b, o, FrameType.LOGIN, requestId, FrameBytes.LOGIN);
  writeU64(b, o + 8, accountId);
  b.set(f.publicKey, o + 16);
  b.set(f.signature as Uint8Array, o + 48);
  return FrameBytes.LOGIN;
}

type Writer<F> = (b: Uint8Array, o: number, requestId: number, f: F) => number;

function encodeWith<F>(size: number, write: Writer<F>, requestId: number, f: F): Uint8Array {
  const b = new Uint8Array(size);
  write(b, 0, requestId, f);
  return b;
}

export const encodeNewOrder = (requestId: number, f: NewOrderFields) => encodeWith(FrameBytes.NEW_ORDER, writeNewOrder, requestId, f);
export const encodeCancel = (requestId: number, f: CancelFields) => encodeWith(FrameBytes.CANCEL, writeCancel, requestId, f);
export const encodeCancelByCloid = (requestId: number, f: CancelByCloidFields) => encodeWith(FrameBytes.CANCEL_BY_CLOID, writeCancelByCloid, requestId, f);
export const encodeModify = (requestId: number, f: ModifyFields) => encodeWith(FrameBytes.MODIFY, writeModify, requestId, f);
export const encodeMassCancel = (requestId: number, marketId: number) => encodeWith(FrameBytes.MASS_CANCEL, writeMassCancel, requestId, marketId);
export const encodeHeartbeat = (requestId: number, clientTimeUs: number) => encodeWith(FrameBytes.HEARTBEAT, writeHeartbeat, requestId, clientTimeUs);
export const encodeSetDeadMan = (requestId: number, timeoutMs: number) => encodeWith(FrameBytes.SET_DEAD_MAN, writeSetDeadMan, requestId, timeoutMs);
export const encodeSubscribe = (requestId: number, f: SubscriptionFields) => encodeWith(FrameBytes.SUBSCRIBE, writeSubscribe, requestId, f);
export const encodeUnsubscribe = (requestId: number, f: SubscriptionFields) => encodeWith(FrameBytes.UNSUBSCRIBE, writeUnsubscribe, requestId, f);
export const encodeResync = (requestId: number, marketId: number) => encodeWith(FrameBytes.RESYNC, writeResync, requestId, marketId);
export const encodeLoginRequest = (requestId: number, f: LoginFields) => encodeWith(FrameBytes.LOGIN_REQUEST, writeLoginRequest, requestId, f);
export const encodeLogin = (requestId: number, f: LoginFields) => encodeWith(FrameBytes.LOGIN, writeLogin, requestId, f);

/**
 * Packs already-encoded client→server frames into one BATCH message (1..MAX_BATCH_FRAMES
 * frames, each a complete batchable frame). `batchRequestId` is echoed only by a
 * batch-level ERROR; each sub-frame keeps its own requestId.
 */
export function encodeBatch(frames: readonly Uint8Array[], batchRequestId = 0): Uint8Array {
  if (frames.length === 0 || frames.length > MAX_BATCH_FRAMES) throw new RangeError(`a batch carries 1..${MAX_BATCH_FRAMES} frames, got ${frames.length}`);
  let size = FrameBytes.BATCH_HEADER;
  for (const f of frames) {
    if (f.length < HEADER_BYTES || requestFrameBytes(f[1]) !== f.length) throw new RangeError(`batch sub-frame of type ${f[1]} has ${f.length} bytes, expected its type's fixed size`);
    size += f.length;
  }
  const b = new Uint8Array(size);
  writeHeader(b, 0, FrameType.BATCH, batchRequestId, FrameBytes.BATCH_HEADER);
  writeU16(b, 8, frames.length);
  let at = FrameBytes.BATCH_HEADER;
  for (const f of frames) {
    b.set(f, at);
    at += f.length;
  }
  return b;
}
