import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Code, codeName } from '../../engine/codes.js';
import { OrderType, Side, TimeInForce } from '../../engine/types.js';
import { generateEd25519KeyPair } from '../binary/auth.js';
import { encodeCancel, encodeHeartbeat, encodeNewOrder } from '../binary/client-encode.js';
import { Channel, FrameType } from '../binary/frames.js';
import { BinaryClient, LoginError, ProtocolError } from './binary-client.js';
import { FAKE_REJECT_PRICE_TICKS, FakeBinaryServer } from './fake-server.test-support.js';
import type { GapEvent } from './md-tracker.js';

const alice = generateEd25519KeyPair();
const stranger = generateEd25519KeyPair();
const ALICE = 7;
let server: FakeBinaryServer;

before(async () => {
  server = await FakeBinaryServer.start(new Map([[Buffer.from(alice.publicKeyRaw).toString('hex'), ALICE]]));
});
after(async () => {
  await server.close();
});

const limitBuy = { marketId: 1, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 100, sizeLots: 5 };

test('the client logs in with its Ed25519 key and gets ACCEPTED / REJECTED for its orders', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    assert.equal(client.loggedIn, true);
    const accepted = await client.placeOrder({ ...limitBuy, cloid: 'aa'.repeat(16) });
    assert.equal(accepted.kind, 'accepted');
    if (accepted.kind === 'accepted') {
      assert.equal(accepted.cloid, 'aa'.repeat(16));
      assert.equal(accepted.acceptedSizeLots, 5);
    }
    const rejected = await client.placeOrder({ ...limitBuy, priceTicks: FAKE_REJECT_PRICE_TICKS });
    assert.equal(rejected.kind, 'rejected');
    if (rejected.kind === 'rejected') assert.equal(codeName(rejected.code), 'PRICE_OUT_OF_BAND');
  } finally {
    await client.close();
  }
});

test('a key not registered for the account is refused with LOGIN_FAILED', async () => {
  await assert.rejects(BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: stranger.privateKey }), (err: unknown) => {
    assert.ok(err instanceof LoginError);
    assert.equal(err.frame.code, Code.LOGIN_FAILED);
    return true;
  });
});

test('cancel, modify, mass-cancel, heartbeat and dead-man helpers resolve with their answers', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    const done = once(client, 'done');
    const cancelled = await client.cancel({ marketId: 1, orderId: 42 });
    assert.equal(cancelled.kind, 'cancelled');
    assert.equal((await done)[0].orderId, 42);
    const modified = await client.modify({ marketId: 1, orderId: 42, side: Side.BUY, newPriceTicks: 99, newSizeLots: 3 });
    assert.equal(modified.kind, 'modified');
    assert.equal((await client.massCancel()).requestType, FrameType.MASS_CANCEL);
    assert.equal((await client.heartbeat(123)).clientTimeUs, 123);
    assert.equal((await client.setDeadMan(5000)).value, 5000);
    await client.setDeadMan(0);
    const byCloid = await client.cancelByCloid({ marketId: 1, cloid: '01'.repeat(16) });
    assert.equal(byCloid.kind, 'rejected');
  } finally {
    await client.close();
  }
});

test('an ERROR frame rejects the request it answers with a ProtocolError naming code and field', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    await assert.rejects(client.setDeadMan(1), (err: unknown) => {
      assert.ok(err instanceof ProtocolError);
      assert.equal(codeName(err.code), 'FIELD_OUT_OF_RANGE');
      assert.match(err.message, /TIMEOUT_MS/);
      return true;
    });
  } finally {
    await client.close();
  }
});

test('sendRaw delivers hostile bytes: a bad field gets an ERROR, a wrong version closes the socket', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  const bad = encodeNewOrder(777, limitBuy);
  bad[12] = 9; // tif out of range
  const error = once(client, 'protocolError');
  client.sendRaw(bad);
  const [frame] = await error;
  assert.deepEqual([frame.requestId, codeName(frame.code), frame.requestType], [777, 'FIELD_OUT_OF_RANGE', FrameType.NEW_ORDER]);

  const closed = once(client, 'close');
  const v2 = encodeHeartbeat(1, 1);
  v2[0] = 2;
  client.sendRaw(v2);
  const [code, reason] = await closed;
  assert.deepEqual([code, reason], [1002, 'UNSUPPORTED_VERSION']);
});

test('subscribing builds the local book; an L2 gap emits "gap" and auto-resyncs', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    server.l2Seq = 10;
    const firstBook = once(client, 'book');
    await client.subscribe({ marketId: 1, channels: Channel.L2 | Channel.TRADES });
    await firstBook;
    assert.deepEqual(client.book(1)?.bestBid(), { priceTicks: 100, totalLots: 10, orderCount: 1 });

    const applied = once(client, 'book');
    server.pushL2Update(1, 11, [[0, 100, 4, 1]]);
    await applied;
    assert.equal(client.book(1)?.bestBid()?.totalLots, 4);

    const gaps: GapEvent[] = [];
    client.on('gap', (g) => gaps.push(g));
    const resynced = once(client, 'l2Snapshot');
    server.l2Seq = 20; // the snapshot the resync gets
    server.pushL2Update(1, 13, [[0, 100, 1, 1]]); // 12 is missing
    await resynced;
    assert.deepEqual(gaps, [{ marketId: 1, channel: 'l2', expectedSeq: 12, receivedSeq: 13 }]);
    assert.equal(client.book(1)?.seq, 20);
    assert.equal(client.book(1)?.bestBid()?.totalLots, 10, 'book replaced by the snapshot; the stale buffered update was dropped');

    const tradeGap = once(client, 'gap');
    server.pushTrade(1, 1);
    server.pushTrade(1, 3);
    assert.deepEqual((await tradeGap)[0], { marketId: 1, channel: 'trades', expectedSeq: 2, receivedSeq: 3 });
  } finally {
    await client.close();
  }
});

test('the fast path sends pre-encoded batches; reports arrive as events', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 150; i++) frames.push(i % 3 === 2 ? encodeCancel(client.nextRequestId(), { marketId: 1, orderId: i + 1 }) : encodeNewOrder(client.nextRequestId(), limitBuy));
    const batches = BinaryClient.preEncodeBatches(frames);
    assert.equal(batches.length, 3);
    let accepted = 0;
    let cancelled = 0;
    const all = new Promise<void>((resolve) => {
      const check = () => accepted === 100 && cancelled === 50 && resolve();
      client.on('accepted', () => (accepted++, check()));
      client.on('cancelled', () => (cancelled++, check()));
    });
    await client.sendPreEncoded(batches);
    await all;
    assert.deepEqual([accepted, cancelled], [100, 50]);
  } finally {
    await client.close();
  }
});

test('reports() iterates execution reports until aborted', async () => {
  const client = await BinaryClient.connect({ url: server.url, accountId: ALICE, privateKey: alice.privateKey });
  try {
    const ac = new AbortController();
    const kinds: string[] = [];
    const reading = (async () => {
      for await (const r of client.reports(ac.signal)) {
        kinds.push(r.kind);
        if (kinds.length === 3) ac.abort();
      }
    })();
    await client.placeOrder(limitBuy);
    await client.cancel({ marketId: 1, orderId: 5 });
    await reading;
    assert.deepEqual(kinds, ['accepted', 'cancelled', 'done']);
  } finally {
    await client.close();
  }
});
