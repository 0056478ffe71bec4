import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, codeName } from '../../engine/codes.js';
import { writeU16, writeU32, writeU64 } from './bytes.js';
import { closeCodeFor, WsClose } from './close-policy.js';
import {
  encodeBatch,
  encodeCancel,
  encodeCancelByCloid,
  encodeHeartbeat,
  encodeLogin,
  encodeMassCancel,
  encodeModify,
  encodeNewOrder,
  encodeResync,
  encodeSetDeadMan,
  encodeSubscribe,
  encodeUnsubscribe,
} from './client-encode.js';
import { decodeReport } from './client-decode.js';
import { tryDecodeRequest } from './decode.js';
import { ReportEncoder } from './encode.js';
import { Channel, FieldId, fieldName, FrameBytes, FrameType, MAX_BATCH_FRAMES, MAX_DEAD_MAN_MS, MAX_L2_DEPTH, MAX_REQUEST_FRAME_BYTES, MIN_DEAD_MAN_MS } from './frames.js';
import { RequestFrame } from './request-frame.js';
import { StopLimitBuy_Market3_Px101_Size7 } from './fixtures.test-support.js';

const newOrder = () => encodeNewOrder(77, StopLimitBuy_Market3_Px101_Size7);
const modify = () => encodeModify(77, { marketId: 1, orderId: 5, side: 0, newPriceTicks: 10, newSizeLots: 3 });
const subscribe = () => encodeSubscribe(77, { marketId: 1, channels: Channel.L2 });

/** Returns a copy of `bytes` after `edit` pokes it. */
function poked(bytes: Uint8Array, edit: (b: Uint8Array) => void): Uint8Array {
  const b = bytes.slice();
  edit(b);
  return b;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const TWO_POW_53 = [0, 0, 0, 0, 0, 0, 0x20, 0]; // 2^53 little-endian: the first unsafe integer

interface HostileCase {
  name: string;
  bytes: Uint8Array;
  code: number;
  field: number;
  /** The connection must close (and with which WebSocket close code). */
  close: number;
}

const cases: HostileCase[] = [
  // framing: fatal
  { name: 'an empty message closes the socket as a truncated header', bytes: new Uint8Array(0), code: Code.TRUNCATED_FRAME, field: FieldId.LENGTH, close: WsClose.PROTOCOL_ERROR },
  { name: 'a 7-byte message closes the socket as a truncated header', bytes: newOrder().subarray(0, 7), code: Code.TRUNCATED_FRAME, field: FieldId.LENGTH, close: WsClose.PROTOCOL_ERROR },
  { name: 'a version-2 header closes the socket', bytes: poked(newOrder(), (b) => (b[0] = 2)), code: Code.UNSUPPORTED_VERSION, field: FieldId.VERSION, close: WsClose.PROTOCOL_ERROR },
  { name: 'a version-0 header closes the socket', bytes: poked(newOrder(), (b) => (b[0] = 0)), code: Code.UNSUPPORTED_VERSION, field: FieldId.VERSION, close: WsClose.PROTOCOL_ERROR },
  {
    name: 'a message above MAX_REQUEST_FRAME_BYTES closes the socket with 1009',
    bytes: new Uint8Array(MAX_REQUEST_FRAME_BYTES + 1).fill(1),
    code: Code.FRAME_TOO_LARGE,
    field: FieldId.LENGTH,
    close: WsClose.MESSAGE_TOO_BIG,
  },
  // header: ERROR, socket stays
  { name: 'an unknown frame type gets an ERROR', bytes: poked(newOrder(), (b) => (b[1] = 0x3c)), code: Code.UNKNOWN_FRAME_TYPE, field: FieldId.TYPE, close: 0 },
  { name: 'a server→client type sent by a client is an unknown frame type', bytes: poked(newOrder(), (b) => (b[1] = FrameType.FILL)), code: Code.UNKNOWN_FRAME_TYPE, field: FieldId.TYPE, close: 0 },
  { name: 'header flags set are reserved bits', bytes: poked(newOrder(), (b) => (b[3] = 0x80)), code: Code.RESERVED_NOT_ZERO, field: FieldId.HEADER_FLAGS, close: 0 },
  { name: 'a NEW_ORDER one byte short is truncated', bytes: newOrder().subarray(0, FrameBytes.NEW_ORDER - 1), code: Code.TRUNCATED_FRAME, field: FieldId.LENGTH, close: 0 },
  { name: 'a header-only NEW_ORDER is truncated', bytes: newOrder().subarray(0, 8), code: Code.TRUNCATED_FRAME, field: FieldId.LENGTH, close: 0 },
  { name: 'a NEW_ORDER with one trailing byte has trailing bytes', bytes: concat(newOrder(), new Uint8Array(1)), code: Code.TRAILING_BYTES, field: FieldId.LENGTH, close: 0 },
  { name: 'two frames in one message have trailing bytes', bytes: concat(encodeHeartbeat(1, 1), encodeHeartbeat(2, 2)), code: Code.TRAILING_BYTES, field: FieldId.LENGTH, close: 0 },
  // NEW_ORDER fields
  { name: 'marketId 0xFFFF on a NEW_ORDER is out of range', bytes: poked(newOrder(), (b) => writeU16(b, 8, 0xffff)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.MARKET_ID, close: 0 },
  { name: 'side 2 is out of range', bytes: poked(newOrder(), (b) => (b[10] = 2)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.SIDE, close: 0 },
  { name: 'orderType 2 is out of range', bytes: poked(newOrder(), (b) => (b[11] = 2)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.ORDER_TYPE, close: 0 },
  { name: 'tif 3 is out of range', bytes: poked(newOrder(), (b) => (b[12] = 3)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.TIF, close: 0 },
  { name: 'an undefined order flag bit is a reserved bit', bytes: poked(newOrder(), (b) => (b[13] = 4)), code: Code.RESERVED_NOT_ZERO, field: FieldId.ORDER_FLAGS, close: 0 },
  { name: 'stpMode 4 is out of range', bytes: poked(newOrder(), (b) => (b[14] = 4)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.STP_MODE, close: 0 },
  { name: 'triggerKind 3 is out of range', bytes: poked(newOrder(), (b) => (b[15] = 3)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.TRIGGER_KIND, close: 0 },
  { name: 'a priceTicks of 2^53 is not a safe integer', bytes: poked(newOrder(), (b) => b.set(TWO_POW_53, 16)), code: Code.INTEGER_NOT_SAFE, field: FieldId.PRICE_TICKS, close: 0 },
  { name: 'a priceTicks of 2^64 − 1 is not a safe integer', bytes: poked(newOrder(), (b) => b.fill(0xff, 16, 24)), code: Code.INTEGER_NOT_SAFE, field: FieldId.PRICE_TICKS, close: 0 },
  { name: 'a sizeLots of 2^53 is not a safe integer', bytes: poked(newOrder(), (b) => b.set(TWO_POW_53, 24)), code: Code.INTEGER_NOT_SAFE, field: FieldId.SIZE_LOTS, close: 0 },
  { name: 'a sizeLots of 0 is out of range', bytes: poked(newOrder(), (b) => writeU64(b, 24, 0)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.SIZE_LOTS, close: 0 },
  { name: 'a triggerPriceTicks of 2^53 is not a safe integer', bytes: poked(newOrder(), (b) => b.set(TWO_POW_53, 32)), code: Code.INTEGER_NOT_SAFE, field: FieldId.TRIGGER_PRICE_TICKS, close: 0 },
  { name: 'an ocoOrderId of 2^53 is not a safe integer', bytes: poked(newOrder(), (b) => b.set(TWO_POW_53, 40)), code: Code.INTEGER_NOT_SAFE, field: FieldId.OCO_ORDER_ID, close: 0 },
  // CANCEL / CANCEL_BY_CLOID / MODIFY / MASS_CANCEL
  { name: 'a CANCEL of order 0 is out of range', bytes: encodeCancel(1, { marketId: 1, orderId: 0 }), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.ORDER_ID, close: 0 },
  {
    name: 'a CANCEL of order 2^53 is not a safe integer',
    bytes: poked(encodeCancel(1, { marketId: 1, orderId: 1 }), (b) => b.set(TWO_POW_53, 16)),
    code: Code.INTEGER_NOT_SAFE,
    field: FieldId.ORDER_ID,
    close: 0,
  },
  {
    name: 'a CANCEL with padding set has a reserved byte',
    bytes: poked(encodeCancel(1, { marketId: 1, orderId: 1 }), (b) => (b[12] = 1)),
    code: Code.RESERVED_NOT_ZERO,
    field: FieldId.RESERVED,
    close: 0,
  },
  {
    name: 'a CANCEL in market 0xFFFF is out of range',
    bytes: encodeCancel(1, { marketId: 0xffff, orderId: 1 }),
    code: Code.FIELD_OUT_OF_RANGE,
    field: FieldId.MARKET_ID,
    close: 0,
  },
  {
    name: 'a CANCEL_BY_CLOID with an all-zero cloid is out of range',
    bytes: encodeCancelByCloid(1, { marketId: 1, cloid: '0'.repeat(32) }),
    code: Code.FIELD_OUT_OF_RANGE,
    field: FieldId.CLOID,
    close: 0,
  },
  { name: 'a MODIFY with side 5 is out of range', bytes: poked(modify(), (b) => (b[10] = 5)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.SIDE, close: 0 },
  { name: 'a MODIFY with padding set has a reserved byte', bytes: poked(modify(), (b) => (b[15] = 1)), code: Code.RESERVED_NOT_ZERO, field: FieldId.RESERVED, close: 0 },
  { name: 'a MODIFY to price 0 is out of range', bytes: poked(modify(), (b) => writeU64(b, 24, 0)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.PRICE_TICKS, close: 0 },
  { name: 'a MODIFY to size 2^53 is not a safe integer', bytes: poked(modify(), (b) => b.set(TWO_POW_53, 32)), code: Code.INTEGER_NOT_SAFE, field: FieldId.SIZE_LOTS, close: 0 },
  { name: 'a MASS_CANCEL with padding set has a reserved byte', bytes: poked(encodeMassCancel(1, 1), (b) => (b[15] = 9)), code: Code.RESERVED_NOT_ZERO, field: FieldId.RESERVED, close: 0 },
  // session frames
  { name: 'a dead-man timeout below the minimum is out of range', bytes: encodeSetDeadMan(1, MIN_DEAD_MAN_MS - 1), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.TIMEOUT_MS, close: 0 },
  { name: 'a dead-man timeout above the maximum is out of range', bytes: encodeSetDeadMan(1, MAX_DEAD_MAN_MS + 1), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.TIMEOUT_MS, close: 0 },
  { name: 'a HEARTBEAT time of 2^53 is not a safe integer', bytes: poked(encodeHeartbeat(1, 1), (b) => b.set(TWO_POW_53, 8)), code: Code.INTEGER_NOT_SAFE, field: FieldId.CLIENT_TIME_US, close: 0 },
  { name: 'a SUBSCRIBE to no channel is out of range', bytes: encodeSubscribe(1, { marketId: 1, channels: 0 }), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.CHANNELS, close: 0 },
  { name: 'a SUBSCRIBE to an undefined channel bit is a reserved bit', bytes: encodeSubscribe(1, { marketId: 1, channels: 8 }), code: Code.RESERVED_NOT_ZERO, field: FieldId.CHANNELS, close: 0 },
  { name: 'a SUBSCRIBE deeper than MAX_L2_DEPTH is out of range', bytes: encodeSubscribe(1, { marketId: 1, channels: 1, depth: MAX_L2_DEPTH + 1 }), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.DEPTH, close: 0 },
  { name: 'a SUBSCRIBE with padding set has a reserved byte', bytes: poked(subscribe(), (b) => (b[14] = 1)), code: Code.RESERVED_NOT_ZERO, field: FieldId.RESERVED, close: 0 },
  { name: 'an UNSUBSCRIBE with a depth has a reserved field set', bytes: poked(encodeUnsubscribe(1, { marketId: 1, channels: 1 }), (b) => writeU16(b, 12, 5)), code: Code.RESERVED_NOT_ZERO, field: FieldId.DEPTH, close: 0 },
  { name: 'a RESYNC of market 0xFFFF is out of range', bytes: encodeResync(1, 0xffff), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.MARKET_ID, close: 0 },
  {
    name: 'a LOGIN for account 2^53 is not a safe integer',
    bytes: poked(encodeLogin(1, { accountId: 1, publicKey: new Uint8Array(32), signature: new Uint8Array(64) }), (b) => b.set(TWO_POW_53, 8)),
    code: Code.INTEGER_NOT_SAFE,
    field: FieldId.ACCOUNT_ID,
    close: 0,
  },
  // BATCH structure
  { name: 'a BATCH of 0 frames is out of range', bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => writeU16(b, 8, 0)), code: Code.FIELD_OUT_OF_RANGE, field: FieldId.BATCH_COUNT, close: 0 },
  {
    name: 'a BATCH above MAX_BATCH_FRAMES is out of range',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => writeU16(b, 8, MAX_BATCH_FRAMES + 1)),
    code: Code.FIELD_OUT_OF_RANGE,
    field: FieldId.BATCH_COUNT,
    close: 0,
  },
  { name: 'a BATCH header shorter than 16 bytes is truncated', bytes: encodeBatch([encodeHeartbeat(1, 1)]).subarray(0, 12), code: Code.TRUNCATED_FRAME, field: FieldId.LENGTH, close: 0 },
  {
    name: 'a BATCH whose count exceeds its sub-frames is truncated',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => writeU16(b, 8, 2)),
    code: Code.TRUNCATED_FRAME,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a BATCH whose count is below its sub-frames has trailing bytes',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1), encodeHeartbeat(2, 2)]), (b) => writeU16(b, 8, 1)),
    code: Code.TRAILING_BYTES,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a BATCH whose last sub-frame is cut short is truncated',
    bytes: encodeBatch([encodeHeartbeat(1, 1), newOrder()]).subarray(0, 16 + 16 + 40),
    code: Code.TRUNCATED_FRAME,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a BATCH inside a BATCH is an invalid batch',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => (b[16 + 1] = FrameType.BATCH)),
    code: Code.INVALID_BATCH,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a LOGIN inside a BATCH is an invalid batch',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => (b[16 + 1] = FrameType.LOGIN)),
    code: Code.INVALID_BATCH,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'an unknown sub-frame type is an invalid batch',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => (b[16 + 1] = 0x3c)),
    code: Code.INVALID_BATCH,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a version-2 sub-frame in a version-1 batch is an invalid batch, not a disconnect',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => (b[16] = 2)),
    code: Code.INVALID_BATCH,
    field: FieldId.BATCH_SUBFRAME,
    close: 0,
  },
  {
    name: 'a BATCH with padding set has a reserved byte',
    bytes: poked(encodeBatch([encodeHeartbeat(1, 1)]), (b) => (b[11] = 1)),
    code: Code.RESERVED_NOT_ZERO,
    field: FieldId.RESERVED,
    close: 0,
  },
];

for (const c of cases) {
  test(c.name, () => {
    const out = new RequestFrame();
    let code = 0;
    assert.doesNotThrow(() => (code = tryDecodeRequest(c.bytes, out)));
    assert.equal(codeName(code), codeName(c.code));
    assert.equal(fieldName(out.errorField), fieldName(c.field));
    assert.equal(closeCodeFor(code, out.fatal), c.close);
  });
}

test('a non-fatal error still reports the offending requestId and type for the ERROR frame', () => {
  const out = new RequestFrame();
  const bytes = poked(newOrder(), (b) => (b[12] = 9));
  assert.equal(tryDecodeRequest(bytes, out), Code.FIELD_OUT_OF_RANGE);
  assert.deepEqual([out.requestId, out.type, out.fatal], [77, FrameType.NEW_ORDER, false]);
});

test('a frame inside a larger buffer decodes by offset and length, ignoring bytes around it', () => {
  const frame = encodeCancel(5, { marketId: 1, orderId: 9 });
  const buf = new Uint8Array(100).fill(0xee);
  buf.set(frame, 30);
  const out = new RequestFrame();
  assert.equal(tryDecodeRequest(buf, out, 30, frame.length), Code.OK);
  assert.equal(out.command.orderId, 9);
});

test('random garbage never throws and always yields a code', () => {
  // Deterministic xorshift so a failure reproduces.
  let s = 0x9e3779b9;
  const rnd = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  const out = new RequestFrame();
  for (let i = 0; i < 20_000; i++) {
    const len = rnd() % 200;
    const b = new Uint8Array(len);
    for (let j = 0; j < len; j++) b[j] = rnd() & 0xff;
    if (len > 1 && rnd() % 2 === 0) b[0] = 1; // often a valid version, to get past the header
    if (len > 2 && rnd() % 2 === 0) b[1] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x1f][rnd() % 13];
    const code = tryDecodeRequest(b, out);
    assert.ok(Number.isInteger(code) && code <= 0);
  }
});

test('the client decoder refuses hostile server frames with the same codes, without throwing', () => {
  const enc = new ReportEncoder();
  const fill = enc.encodeFill(0, 1, 0, 0, 1, 1, 1, 1, 1, -5, 1).slice();
  const expectRefusal = (bytes: Uint8Array, code: number) => {
    const r = decodeReport(bytes);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(codeName(r.code), codeName(code));
  };
  expectRefusal(fill.subarray(0, 5), Code.TRUNCATED_FRAME);
  expectRefusal(fill.subarray(0, FrameBytes.FILL - 1), Code.TRUNCATED_FRAME);
  expectRefusal(concat(fill, new Uint8Array(8)), Code.TRAILING_BYTES);
  expectRefusal(poked(fill, (b) => (b[0] = 9)), Code.UNSUPPORTED_VERSION);
  expectRefusal(poked(fill, (b) => (b[1] = FrameType.NEW_ORDER)), Code.UNKNOWN_FRAME_TYPE);
  expectRefusal(poked(fill, (b) => (b[2] = 1)), Code.RESERVED_NOT_ZERO);
  expectRefusal(poked(fill, (b) => b.set(TWO_POW_53, 32)), Code.INTEGER_NOT_SAFE);
  expectRefusal(poked(fill, (b) => writeU32(b, 60, 0x80000000)), Code.INTEGER_NOT_SAFE); // fee far below −2^53
  enc.beginL2(FrameType.L2_UPDATE, 0, 1, 1, 1);
  enc.addL2Level(0, 1, 1, 1);
  const l2 = enc.finishL2().slice();
  expectRefusal(poked(l2, (b) => writeU16(b, 10, 2)), Code.TRUNCATED_FRAME);
  expectRefusal(new Uint8Array(70_000), Code.FRAME_TOO_LARGE);
});
