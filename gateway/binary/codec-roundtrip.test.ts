import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../engine/codes.js';
import { Op } from '../../engine/command.js';
import { CancelReason } from '../../engine/codes.js';
import { cloidHexFromWords } from './cloid.js';
import {
  encodeBatch,
  encodeCancel,
  encodeCancelByCloid,
  encodeHeartbeat,
  encodeLogin,
  encodeLoginRequest,
  encodeMassCancel,
  encodeModify,
  encodeNewOrder,
  encodeResync,
  encodeSetDeadMan,
  encodeSubscribe,
  encodeUnsubscribe,
} from './client-encode.js';
import { decodeReport, type ServerFrame } from './client-decode.js';
import { BatchCursor, tryDecodeRequest } from './decode.js';
import { ReportEncoder } from './encode.js';
import {
  ACCEPTED_IS_TRIGGER,
  ALL_MARKETS,
  Channel,
  DEFAULT_L2_DEPTH,
  DoneStatus,
  FieldId,
  FrameBytes,
  FrameType,
  Liquidity,
  ModifyCause,
  SnapshotFlag,
} from './frames.js';
import { RequestFrame } from './request-frame.js';
import { LimitSell_Market0_PxMaxSafe, StopLimitBuy_Market3_Px101_Size7 } from './fixtures.test-support.js';

function decodeOk(bytes: Uint8Array): RequestFrame {
  const out = new RequestFrame();
  const code = tryDecodeRequest(bytes, out);
  assert.equal(code, Code.OK, `decode failed with ${code} (field ${out.errorField})`);
  return out;
}

function reportOk(bytes: Uint8Array): ServerFrame {
  const r = decodeReport(bytes);
  if (!r.ok) assert.fail(`report decode failed with ${r.code} (field ${r.field})`);
  return r.frame;
}

// ---- client → server ------------------------------------------------------------------

test('NEW_ORDER round-trips every field into the engine Command', () => {
  const bytes = encodeNewOrder(42, StopLimitBuy_Market3_Px101_Size7);
  assert.equal(bytes.length, FrameBytes.NEW_ORDER);
  const f = decodeOk(bytes);
  assert.equal(f.type, FrameType.NEW_ORDER);
  assert.equal(f.requestId, 42);
  const c = f.command;
  assert.equal(c.op, Op.PLACE);
  assert.deepEqual(
    [c.marketId, c.side, c.orderType, c.tif, c.flags, c.stpMode, c.priceTicks, c.sizeLots, c.triggerKind, c.triggerPriceTicks, c.ocoOrderId],
    [3, 0, 0, 0, 2, 2, 101, 7, 1, 100, 2 ** 40 + 5],
  );
  assert.equal(cloidHexFromWords(c.cloid0, c.cloid1, c.cloid2, c.cloid3), '00112233445566778899aabbccddeeff');
  assert.equal(c.seq, 0, 'seq is the sequencer’s to set');
});

test('NEW_ORDER carries prices and sizes up to Number.MAX_SAFE_INTEGER exactly', () => {
  const c = decodeOk(encodeNewOrder(1, LimitSell_Market0_PxMaxSafe)).command;
  assert.equal(c.priceTicks, Number.MAX_SAFE_INTEGER);
  assert.equal(c.sizeLots, 2 ** 33 + 1);
  assert.equal(c.hasCloid(), false);
});

test('NEW_ORDER bytes match the documented layout (golden frame)', () => {
  const hex = Buffer.from(encodeNewOrder(0x01020304, StopLimitBuy_Market3_Px101_Size7)).toString('hex');
  const expected =
    '01' + '10' + '0000' + '04030201' + // header: version 1, NEW_ORDER, flags 0, requestId LE
    '0300' + '00' + '00' + '00' + '02' + '02' + '01' + // marketId, side, orderType, tif, orderFlags, stpMode, triggerKind
    '6500000000000000' + // priceTicks 101
    '0700000000000000' + // sizeLots 7
    '6400000000000000' + // triggerPriceTicks 100
    '0500000000010000' + // ocoOrderId 2^40 + 5
    '00112233445566778899aabbccddeeff'; // cloid
  assert.equal(hex, expected);
});

test('CANCEL, CANCEL_BY_CLOID, MODIFY and MASS_CANCEL round-trip into their Commands', () => {
  let c = decodeOk(encodeCancel(7, { marketId: 9, orderId: 123456789012 })).command;
  assert.deepEqual([c.op, c.marketId, c.orderId], [Op.CANCEL, 9, 123456789012]);

  c = decodeOk(encodeCancelByCloid(8, { marketId: 2, cloid: 'ffffffff000000000000000000000001' })).command;
  assert.equal(c.op, Op.CANCEL_BY_CLOID);
  assert.equal(c.marketId, 2);
  assert.equal(cloidHexFromWords(c.cloid0, c.cloid1, c.cloid2, c.cloid3), 'ffffffff000000000000000000000001');
  assert.equal(c.cloid0, -1, 'cloid words are int32, like the ring codec');

  c = decodeOk(encodeModify(9, { marketId: 1, orderId: 55, side: 1, newPriceTicks: 999, newSizeLots: 0 })).command;
  assert.deepEqual([c.op, c.marketId, c.orderId, c.side, c.priceTicks, c.sizeLots], [Op.MODIFY, 1, 55, 1, 999, 0]);

  let f = decodeOk(encodeMassCancel(10, 4));
  assert.deepEqual([f.command.op, f.command.marketId, f.command.value, f.marketId], [Op.CANCEL_ALL, 4, 0, 4]);
  f = decodeOk(encodeMassCancel(11, ALL_MARKETS));
  assert.deepEqual([f.command.marketId, f.command.value], [ALL_MARKETS, 1], 'all markets → Command.value 1');
});

test('session frames round-trip: LOGIN_REQUEST, LOGIN, HEARTBEAT, SET_DEAD_MAN, SUBSCRIBE, UNSUBSCRIBE, RESYNC', () => {
  const publicKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const signature = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);

  let f = decodeOk(encodeLoginRequest(1, { accountId: 77, publicKey }));
  assert.deepEqual([f.type, f.accountId], [FrameType.LOGIN_REQUEST, 77]);
  assert.deepEqual(f.publicKey, publicKey);

  f = decodeOk(encodeLogin(2, { accountId: 2 ** 32 + 3, publicKey, signature }));
  assert.deepEqual([f.type, f.requestId, f.accountId], [FrameType.LOGIN, 2, 2 ** 32 + 3]);
  assert.deepEqual(f.publicKey, publicKey);
  assert.deepEqual(f.signature, signature);

  f = decodeOk(encodeHeartbeat(3, 1_700_000_000_000_000));
  assert.deepEqual([f.type, f.clientTimeUs], [FrameType.HEARTBEAT, 1_700_000_000_000_000]);

  f = decodeOk(encodeSetDeadMan(4, 5000));
  assert.deepEqual([f.type, f.timeoutMs], [FrameType.SET_DEAD_MAN, 5000]);
  assert.equal(decodeOk(encodeSetDeadMan(4, 0)).timeoutMs, 0, '0 disarms');

  f = decodeOk(encodeSubscribe(5, { marketId: 12, channels: Channel.L2 | Channel.BBO, depth: 25 }));
  assert.deepEqual([f.type, f.marketId, f.channels, f.depth], [FrameType.SUBSCRIBE, 12, 5, 25]);
  assert.equal(decodeOk(encodeSubscribe(5, { marketId: 12, channels: Channel.L2 })).depth, DEFAULT_L2_DEPTH, 'depth 0 = default');

  f = decodeOk(encodeUnsubscribe(6, { marketId: 12, channels: Channel.TRADES }));
  assert.deepEqual([f.type, f.marketId, f.channels], [FrameType.UNSUBSCRIBE, 12, Channel.TRADES]);

  f = decodeOk(encodeResync(7, 65534));
  assert.deepEqual([f.type, f.marketId], [FrameType.RESYNC, 65534]);
});

test('a BATCH is validated whole, then its sub-frames decode one by one with their own requestIds', () => {
  const subs = [
    encodeNewOrder(100, StopLimitBuy_Market3_Px101_Size7),
    encodeCancel(101, { marketId: 3, orderId: 9 }),
    encodeHeartbeat(102, 5),
    encodeModify(103, { marketId: 3, orderId: 9, side: 0, newPriceTicks: 1 }),
  ];
  const batch = encodeBatch(subs, 99);
  assert.equal(batch.length, FrameBytes.BATCH_HEADER + 64 + 24 + 16 + 40);
  const frame = decodeOk(batch);
  assert.deepEqual([frame.type, frame.requestId, frame.batchCount], [FrameType.BATCH, 99, 4]);

  const cursor = new BatchCursor();
  cursor.begin(batch, 0, frame.batchCount);
  const seen: [number, number][] = [];
  while (cursor.hasNext()) {
    assert.equal(cursor.tryDecodeNext(frame), Code.OK);
    seen.push([frame.type, frame.requestId]);
  }
  assert.deepEqual(seen, [
    [FrameType.NEW_ORDER, 100],
    [FrameType.CANCEL, 101],
    [FrameType.HEARTBEAT, 102],
    [FrameType.MODIFY, 103],
  ]);
});

test('a bad field in one batch sub-frame fails that sub-frame only', () => {
  const bad = encodeCancel(201, { marketId: 1, orderId: 0 });
  const batch = encodeBatch([encodeHeartbeat(200, 1), bad, encodeHeartbeat(202, 2)]);
  const frame = decodeOk(batch);
  const cursor = new BatchCursor();
  cursor.begin(batch, 0, frame.batchCount);
  const codes: number[] = [];
  while (cursor.hasNext()) codes.push(cursor.tryDecodeNext(frame));
  assert.deepEqual(codes, [Code.OK, Code.FIELD_OUT_OF_RANGE, Code.OK]);
});

test('decoding reuses the caller’s RequestFrame and Command (no per-message objects)', () => {
  const out = new RequestFrame();
  const command = out.command;
  const publicKey = out.publicKey;
  tryDecodeRequest(encodeNewOrder(1, StopLimitBuy_Market3_Px101_Size7), out);
  tryDecodeRequest(encodeLogin(2, { accountId: 1, publicKey: new Uint8Array(32).fill(1), signature: new Uint8Array(64) }), out);
  tryDecodeRequest(encodeCancel(3, { marketId: 1, orderId: 2 }), out);
  assert.equal(out.command, command);
  assert.equal(out.publicKey, publicKey);
  assert.equal(out.command.op, Op.CANCEL);
  assert.equal(out.command.sizeLots, 0, 'order fields of the previous NEW_ORDER were reset');
});

// ---- server → client ------------------------------------------------------------------

test('every fixed-size report round-trips through ReportEncoder and decodeReport', () => {
  const enc = new ReportEncoder();
  const nonce = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const cases: [Uint8Array, ServerFrame][] = [
    [enc.encodeChallenge(0, nonce, 30_000).slice(), { kind: 'challenge', requestId: 0, nonce, validForMs: 30_000 }],
    [enc.encodeLoginOk(5, 77, 9, 1_700_000_000_000_000).slice(), { kind: 'loginOk', requestId: 5, accountId: 77, sessionId: 9, serverTimeUs: 1_700_000_000_000_000 }],
    [enc.encodeLoginRejected(5, Code.LOGIN_FAILED, 2).slice(), { kind: 'loginRejected', requestId: 5, code: Code.LOGIN_FAILED, attemptsLeft: 2 }],
    [enc.encodeHeartbeatAck(6, 123, 456).slice(), { kind: 'heartbeatAck', requestId: 6, clientTimeUs: 123, serverTimeUs: 456 }],
    [enc.encodeAck(7, FrameType.MASS_CANCEL, 12).slice(), { kind: 'ack', requestId: 7, requestType: FrameType.MASS_CANCEL, value: 12 }],
    [
      enc.encodeError(8, Code.FIELD_OUT_OF_RANGE, FrameType.NEW_ORDER, FieldId.TIF, 0).slice(),
      { kind: 'error', requestId: 8, code: Code.FIELD_OUT_OF_RANGE, requestType: FrameType.NEW_ORDER, fieldId: FieldId.TIF, detail: 0 },
    ],
    [
      enc.encodeAccepted(9, 3, 1, 1 | ACCEPTED_IS_TRIGGER, 1001, 1001, 1_700_000_000_000_001, 250, 40, 0x33221100, 0x77665544, -1, 1).slice(),
      {
        kind: 'accepted',
        requestId: 9,
        marketId: 3,
        side: 1,
        orderFlags: 1,
        isTrigger: true,
        orderId: 1001,
        seq: 1001,
        tsUs: 1_700_000_000_000_001,
        priceTicks: 250,
        acceptedSizeLots: 40,
        cloid: '0011223344556677ffffffff01000000',
      },
    ],
    [
      enc.encodeRejected(10, Code.POST_ONLY_WOULD_CROSS, 3, FrameType.NEW_ORDER, 0, 1002, 1002, 0, 0, 0, 0).slice(),
      { kind: 'rejected', requestId: 10, code: Code.POST_ONLY_WOULD_CROSS, marketId: 3, requestType: FrameType.NEW_ORDER, side: 0, orderId: 1002, seq: 1002, cloid: '0'.repeat(32) },
    ],
    [
      enc.encodeFill(0, 3, 0, Liquidity.MAKER, 1001, 555, 250, 10, 30, -1234, 1_700_000_000_000_002).slice(),
      { kind: 'fill', requestId: 0, marketId: 3, side: 0, liquidity: Liquidity.MAKER, orderId: 1001, tradeId: 555, priceTicks: 250, sizeLots: 10, remainingLots: 30, feeMicros: -1234, tsUs: 1_700_000_000_000_002 },
    ],
    [
      enc.encodeCancelled(11, 3, 1, CancelReason.USER, 1001, 30, 77).slice(),
      { kind: 'cancelled', requestId: 11, marketId: 3, side: 1, reason: CancelReason.USER, orderId: 1001, remainingLots: 30, tsUs: 77 },
    ],
    [
      enc.encodeModified(12, 3, 0, ModifyCause.CLIENT, true, 1001, 260, 30, 35, 1010, 78).slice(),
      { kind: 'modified', requestId: 12, marketId: 3, side: 0, cause: ModifyCause.CLIENT, requeued: true, orderId: 1001, priceTicks: 260, oldRemainingLots: 30, newRemainingLots: 35, seq: 1010, tsUs: 78 },
    ],
    [enc.encodeDone(0, 3, 0, DoneStatus.FILLED, 1001, 79).slice(), { kind: 'done', requestId: 0, marketId: 3, side: 0, status: DoneStatus.FILLED, orderId: 1001, tsUs: 79 }],
    [enc.encodeTriggered(0, 3, 1, 1003, 240, 80).slice(), { kind: 'triggered', requestId: 0, marketId: 3, side: 1, orderId: 1003, markPriceTicks: 240, tsUs: 80 }],
    [
      enc.encodeTrade(0, 3, 1, 17, 555, 250, 10, 81).slice(),
      { kind: 'trade', requestId: 0, marketId: 3, takerSide: 1, seq: 17, tradeId: 555, priceTicks: 250, sizeLots: 10, tsUs: 81 },
    ],
    [
      enc.encodeBbo(0, 3, 18, 249, 100, 251, 0, 82).slice(),
      { kind: 'bbo', requestId: 0, marketId: 3, seq: 18, bidPriceTicks: 249, bidSizeLots: 100, askPriceTicks: 251, askSizeLots: 0, tsUs: 82 },
    ],
  ];
  const seenTypes = new Set<number>();
  for (const [bytes, expected] of cases) {
    seenTypes.add(bytes[1]);
    assert.deepEqual(reportOk(bytes), expected, expected.kind);
  }
  assert.equal(seenTypes.size, cases.length);
});

test('FILL bytes match the documented layout, with a signed fee (golden frame)', () => {
  const hex = Buffer.from(new ReportEncoder().encodeFill(0, 1, 1, Liquidity.TAKER, 9, 8, 7, 6, 5, -2, 4)).toString('hex');
  const expected =
    '01' + '52' + '0000' + '00000000' + // header
    '0100' + '01' + '01' + '00000000' + // marketId, side, liquidity, reserved
    '0900000000000000' + // orderId
    '0800000000000000' + // tradeId
    '0700000000000000' + // priceTicks
    '0600000000000000' + // sizeLots
    '0500000000000000' + // remainingLots
    'feffffffffffffff' + // feeMicros −2
    '0400000000000000'; // tsUs
  assert.equal(hex, expected);
});

test('L2_SNAPSHOT round-trips bids then asks, counts and completeness flags', () => {
  const enc = new ReportEncoder();
  enc.beginL2(FrameType.L2_SNAPSHOT, 21, 3, 500, 90);
  assert.ok(enc.addL2Level(0, 100, 5, 1));
  assert.ok(enc.addL2Level(0, 99, 7, 2));
  assert.ok(enc.addL2Level(1, 101, 3, 1));
  assert.equal(enc.addL2Level(0, 98, 1, 1), false, 'a bid after an ask is refused');
  const bytes = enc.finishL2(SnapshotFlag.BIDS_COMPLETE | SnapshotFlag.ASKS_COMPLETE);
  assert.equal(bytes.length, FrameBytes.L2_HEADER + 3 * FrameBytes.L2_LEVEL);
  assert.deepEqual(reportOk(bytes), {
    kind: 'l2Snapshot',
    requestId: 21,
    marketId: 3,
    seq: 500,
    tsUs: 90,
    flags: 3,
    bids: [
      { side: 0, priceTicks: 100, totalLots: 5, orderCount: 1 },
      { side: 0, priceTicks: 99, totalLots: 7, orderCount: 2 },
    ],
    asks: [{ side: 1, priceTicks: 101, totalLots: 3, orderCount: 1 }],
  });
});

test('L2_UPDATE round-trips changed levels, a removed level being totalLots 0', () => {
  const enc = new ReportEncoder();
  enc.beginL2(FrameType.L2_UPDATE, 0, 3, 501, 91);
  enc.addL2Level(1, 101, 0, 0);
  enc.addL2Level(0, 100, 9, 2);
  assert.deepEqual(reportOk(enc.finishL2()), {
    kind: 'l2Update',
    requestId: 0,
    marketId: 3,
    seq: 501,
    tsUs: 91,
    levels: [
      { side: 1, priceTicks: 101, totalLots: 0, orderCount: 0 },
      { side: 0, priceTicks: 100, totalLots: 9, orderCount: 2 },
    ],
  });
});

test('an empty L2_UPDATE is a 32-byte frame with count 0', () => {
  const enc = new ReportEncoder();
  enc.beginL2(FrameType.L2_UPDATE, 0, 1, 1, 1);
  const bytes = enc.finishL2();
  assert.equal(bytes.length, FrameBytes.L2_HEADER);
  assert.deepEqual((reportOk(bytes) as { levels: unknown[] }).levels, []);
});

test('the encoder returns the same preallocated view for a fixed frame type: valid until the next encode', () => {
  const enc = new ReportEncoder();
  const a = enc.encodeCancelled(1, 1, 0, CancelReason.USER, 5, 1, 1);
  const b = enc.encodeCancelled(2, 1, 0, CancelReason.USER, 6, 1, 1);
  assert.equal(a, b, 'one view object per frame type');
  assert.equal(a.buffer, b.buffer);
  const c = enc.encodeDone(3, 1, 0, DoneStatus.CANCELLED, 6, 1);
  assert.equal(a[1], FrameType.DONE, 'the earlier view now shows the later frame');
  assert.equal(c.buffer, a.buffer);
});
