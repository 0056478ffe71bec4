/**
 * The real daemon and the real client over loopback sockets: market data (sequence
 * numbers, slow-consumer drops, gap detection and resync), login failures, the
 * dead-man switch, hostile frames, a full ring, and markets on separate workers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { CancelReason, Code } from '../../engine/codes.js';
import { OrderType, Side, TimeInForce } from '../../engine/types.js';
import { generateEd25519KeyPair } from '../../gateway/binary/auth.js';
import type { AcceptedReport, CancelledReport, ErrorFrame, L2SnapshotFrame, L2UpdateFrame, RejectedReport } from '../../gateway/binary/client-decode.js';
import { encodeBatch, writeNewOrder, writeSetDeadMan } from '../../gateway/binary/client-encode.js';
import { Channel, FrameBytes } from '../../gateway/binary/frames.js';
import { BinaryClient, LoginError } from '../../gateway/client/binary-client.js';
import type { GapEvent } from '../../gateway/client/md-tracker.js';
import { FrameRecorder, sleep, startTestDaemon } from '../support/daemon.js';

const SOL = 2;
const SOL_MARK = 150_000;

function newOrderBytes(requestId: number, priceTicks: number, side = Side.BUY, marketId = SOL, sizeLots = 1): Uint8Array {
  const b = new Uint8Array(FrameBytes.NEW_ORDER);
  writeNewOrder(b, 0, requestId, { marketId, side, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks, sizeLots });
  return b;
}

describe('binary gateway sessions against the real daemon', () => {
  it('L2 updates follow the snapshot with sequence numbers one apart, and the client book equals the server book', async () => {
    const d = await startTestDaemon({ workers: 1 });
    try {
      const watcher = await d.demoClient();
      const trader = await d.demoClient();
      const wr = new FrameRecorder(watcher.client);
      await watcher.client.subscribe({ marketId: SOL, channels: Channel.L2 | Channel.TRADES | Channel.BBO, depth: 100 });
      const snap = await wr.wait<L2SnapshotFrame>('l2Snapshot');
      for (let i = 0; i < 20; i++) await trader.client.placeOrder({ marketId: SOL, side: i % 2, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK + (i % 2 ? 100 + i : -100 - i), sizeLots: 5 });
      await sleep(100);
      const updates = wr.of<L2UpdateFrame>('l2Update');
      assert.ok(updates.length > 0);
      updates.forEach((u, i) => assert.equal(u.seq, snap.seq + 1 + i, 'each update is exactly one after the previous'));
      const book = watcher.client.book(SOL)!;
      assert.equal(book.bids().length, 10);
      assert.equal(book.asks().length, 10);
      assert.equal(book.bestBid()!.priceTicks, SOL_MARK - 100);
      assert.equal(book.bestAsk()!.priceTicks, SOL_MARK + 101);
      assert.ok(wr.of('bbo').length > 0, 'BBO published');
    } finally {
      await d.close();
    }
  });

  it('a slow consumer loses market data (never the engine), sees the gap in the sequence and resyncs to the right book', async () => {
    const d = await startTestDaemon({ workers: 1, maxBackpressureBytes: 4_096 });
    try {
      const slow = await d.demoClient();
      const trader = await d.demoClient();
      const fast = await d.demoClient();
      const gaps: GapEvent[] = [];
      slow.client.on('gap', (g) => gaps.push(g));
      await slow.client.subscribe({ marketId: SOL, channels: Channel.L2, depth: 1000 });
      await fast.client.subscribe({ marketId: SOL, channels: Channel.L2, depth: 1000 });
      slow.client.pauseReading();
      // Each cycle rests 960 orders on distinct prices, then mass-cancels them: about
      // 46 KB of L2 updates per cycle. A paused reader's kernel buffers (receive ~128 KB,
      // since it never reads, plus the server's send buffer, up to 4 MB) fill first;
      // after that uWS buffers, and past maxBackpressureBytes market data is dropped.
      const tr = new FrameRecorder(trader.client);
      let requestId = 1_000;
      let drops = 0;
      for (let cycle = 0; cycle < 250 && drops === 0; cycle++) {
        for (let b = 0; b < 15; b++) {
          const frames: Uint8Array[] = [];
          for (let k = 0; k < 64; k++) frames.push(newOrderBytes(++requestId, SOL_MARK - 1 - (b * 64 + k), Side.BUY));
          trader.client.sendRaw(encodeBatch(frames, ++requestId));
        }
        const last = requestId - 1;
        await tr.wait<AcceptedReport>('accepted', (a) => a.requestId === last, 5_000);
        await trader.client.massCancel(SOL);
        tr.frames.length = 0;
        if (cycle % 10 === 9) {
          const text = await (await fetch(`${d.httpBase}/metrics`)).text();
          drops = Number(/perpd_md_drops_total (\d+)/.exec(text)?.[1] ?? 0);
        }
      }
      assert.ok(drops > 0, 'market data to the paused connection was dropped');
      slow.client.resumeReading();
      // The next update after the dropped ones reveals the gap; the client resyncs.
      const gapSeen = new Promise<void>((r) => slow.client.once('gap', () => r()));
      for (let i = 0; i < 50 && gaps.length === 0; i++) {
        await trader.client.placeOrder({ marketId: SOL, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK - 2_000 - i, sizeLots: 1 });
        await sleep(20);
      }
      await gapSeen;
      await sleep(300); // RESYNC round trip
      assert.ok(gaps.some((g) => g.marketId === SOL && g.channel === 'l2'), `a gap was detected: ${JSON.stringify(gaps.slice(0, 3))}`);
      const want = fast.client.book(SOL)!;
      const got = slow.client.book(SOL)!;
      assert.deepEqual(got.bids(50), want.bids(50));
      assert.equal(got.seq, want.seq);
    } finally {
      await d.close();
    }
  });

  it('logins with a wrong key, an unregistered account or a replayed nonce are refused, and three failures close the socket', async () => {
    const d = await startTestDaemon({ workers: 1 });
    try {
      const owner = await d.demoClient();
      const intruder = generateEd25519KeyPair().privateKey;
      const c = new BinaryClient({ url: d.url, accountId: owner.accountId, privateKey: intruder });
      await c.open();
      const closed = new Promise<number>((r) => c.on('close', (code) => r(code)));
      for (let i = 0; i < 3; i++) {
        const err = await c.login().catch((e: unknown) => e);
        assert.ok(err instanceof LoginError, `attempt ${i + 1} refused`);
        assert.equal((err as LoginError).frame.code, Code.LOGIN_FAILED);
      }
      assert.equal(await closed, 1008);
      // A key registered to nobody, claiming an account.
      const stranger = new BinaryClient({ url: d.url, accountId: 999, privateKey: generateEd25519KeyPair().privateKey });
      await stranger.open();
      assert.ok((await stranger.login().catch((e: unknown) => e)) instanceof LoginError);
      stranger.terminate();
      // Order frames before login get NOT_AUTHENTICATED and reach nothing.
      const anon = new BinaryClient({ url: d.url, accountId: 0, privateKey: generateEd25519KeyPair().privateKey });
      await anon.open();
      const ar = new FrameRecorder(anon);
      const before = d.handle.runtime.submitted;
      anon.sendRaw(newOrderBytes(5, SOL_MARK));
      const e = await ar.wait<ErrorFrame>('error');
      assert.equal(e.code, Code.NOT_AUTHENTICATED);
      assert.equal(d.handle.runtime.submitted, before);
      anon.terminate();
    } finally {
      await d.close();
    }
  });

  it('the dead-man switch cancels the session orders when frames stop, and on disconnect', async () => {
    const d = await startTestDaemon({ workers: 1 });
    try {
      const a = await d.demoClient();
      const ar = new FrameRecorder(a.client);
      const o1 = (await a.client.placeOrder({ marketId: SOL, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK - 50, sizeLots: 3 })) as AcceptedReport;
      // Arm with a raw frame so the client does not start its own heartbeats.
      const arm = new Uint8Array(FrameBytes.SET_DEAD_MAN);
      writeSetDeadMan(arm, 0, 77, 500);
      a.client.sendRaw(arm);
      const c = await ar.wait<CancelledReport>('cancelled', (x) => x.orderId === o1.orderId, 3_000);
      assert.equal(c.reason, CancelReason.DEAD_MAN);
      const elapsedFromArm = ar.frames.length; // frames arrived; the order is gone from the book:
      assert.ok(elapsedFromArm > 0);

      const b = await d.demoClient();
      const watcher = await d.demoClient();
      const wr = new FrameRecorder(watcher.client);
      await watcher.client.subscribe({ marketId: SOL, channels: Channel.L2, depth: 100 });
      await b.client.placeOrder({ marketId: SOL, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK + 77, sizeLots: 4 });
      await b.client.setDeadMan(60_000);
      await wr.wait<L2UpdateFrame>('l2Update', (u) => u.levels.some((l) => l.priceTicks === SOL_MARK + 77 && l.totalLots === 4));
      b.client.terminate();
      await wr.wait<L2UpdateFrame>('l2Update', (u) => u.levels.some((l) => l.priceTicks === SOL_MARK + 77 && l.totalLots === 0));
    } finally {
      await d.close();
    }
  });

  it('hostile frames: protocol violations close with a reason, bad fields get ERROR frames, and nothing reaches the engine', async () => {
    const d = await startTestDaemon({ workers: 1 });
    try {
      const cases: { name: string; bytes: (good: Uint8Array) => Uint8Array; close?: number; code?: number }[] = [
        { name: 'truncated header', bytes: (g) => g.slice(0, 5), close: 1002 },
        { name: 'wrong version', bytes: (g) => Object.assign(g.slice(), { 0: 9 }), close: 1002 },
        { name: 'oversized', bytes: () => new Uint8Array(9_000).fill(1), close: 1009 },
        { name: 'unknown frame type', bytes: (g) => Object.assign(g.slice(), { 1: 0x7e }), code: Code.UNKNOWN_FRAME_TYPE },
        { name: 'truncated body', bytes: (g) => g.slice(0, 40), code: Code.TRUNCATED_FRAME },
        { name: 'side out of range', bytes: (g) => Object.assign(g.slice(), { 10: 5 }), code: Code.FIELD_OUT_OF_RANGE },
        { name: 'reserved header flags', bytes: (g) => Object.assign(g.slice(), { 2: 1 }), code: Code.RESERVED_NOT_ZERO },
        { name: 'size above 2^53', bytes: (g) => Object.assign(g.slice(), { 31: 0x7f }), code: Code.INTEGER_NOT_SAFE },
      ];
      const before = d.handle.runtime.submitted;
      for (const k of cases) {
        const a = await d.demoClient();
        const ar = new FrameRecorder(a.client);
        const closed = new Promise<number>((r) => a.client.on('close', (code) => r(code)));
        a.client.sendRaw(k.bytes(newOrderBytes(42, SOL_MARK)));
        if (k.close !== undefined) assert.equal(await closed, k.close, k.name);
        else assert.equal((await ar.wait<ErrorFrame>('error')).code, k.code, k.name);
      }
      // A text message closes with 1003.
      const raw = new WebSocket(d.url);
      await new Promise((r) => raw.once('open', r));
      const code = await new Promise<number>((r) => {
        raw.once('close', (c) => r(c));
        raw.send('{"hello":1}');
      });
      assert.equal(code, 1003);
      assert.equal(d.handle.runtime.submitted, before, 'no hostile frame reached the engine');
      // The daemon still serves a well-formed order.
      const ok = await d.demoClient();
      assert.equal((await ok.client.placeOrder({ marketId: SOL, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK - 1, sizeLots: 1 })).kind, 'accepted');
    } finally {
      await d.close();
    }
  });

  it('a full command ring answers OVERLOADED and every order it accepted is acknowledged', async () => {
    const d = await startTestDaemon({ workers: 1, commandRingRecords: 16, batchSize: 8 });
    try {
      const a = await d.demoClient();
      const ar = new FrameRecorder(a.client);
      const frames: Uint8Array[] = [];
      for (let k = 0; k < 64; k++) frames.push(newOrderBytes(100 + k, SOL_MARK - 1 - k));
      a.client.sendRaw(encodeBatch(frames, 99));
      await sleep(300);
      const acc = ar.of<AcceptedReport>('accepted');
      const rej = ar.of<RejectedReport>('rejected');
      assert.equal(acc.length + rej.length, 64, 'each order got exactly one answer');
      assert.ok(rej.length > 0 && rej.every((r) => r.code === Code.OVERLOADED), 'the overflow is OVERLOADED');
      assert.ok(acc.length >= 16, 'at least a ring-full was accepted');
      const view = d.handle.ledger.accountView(a.accountId)!;
      assert.ok(view, 'account exists');
    } finally {
      await d.close();
    }
  });

  it('commands waiting for the journal are bounded: past journal.maxUnackedCommands the rest is OVERLOADED, and it recovers once durable', async () => {
    // A batch is handled in one uWS callback, so no journal commit can complete between its
    // sub-frames: with a bound of 4, exactly 4 orders of the batch are accepted.
    const d = await startTestDaemon({ workers: 1, journal: { maxUnackedCommands: 4 } });
    try {
      const a = await d.demoClient();
      const ar = new FrameRecorder(a.client);
      const frames: Uint8Array[] = [];
      for (let k = 0; k < 20; k++) frames.push(newOrderBytes(200 + k, SOL_MARK - 1 - k));
      await sleep(100); // LOGIN_OK is not held for the journal: let the account's creation become durable first
      const before = d.handle.runtime.submitted;
      a.client.sendRaw(encodeBatch(frames, 199));
      await sleep(300);
      const acc = ar.of<AcceptedReport>('accepted');
      const rej = ar.of<RejectedReport>('rejected');
      assert.equal(acc.length, 4, 'exactly the bound was accepted');
      assert.equal(rej.length, 16, 'every other order got exactly one answer');
      assert.ok(rej.every((r) => r.code === Code.OVERLOADED), 'the overflow is OVERLOADED');
      assert.deepEqual(
        acc.map((r) => r.requestId),
        [200, 201, 202, 203],
        'the first four in batch order',
      );
      assert.equal(d.handle.runtime.submitted - before, 4, 'refused orders never reached a market');
      // Once the journal caught up, orders are accepted again.
      const r = await a.client.placeOrder({ marketId: SOL, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: SOL_MARK - 100, sizeLots: 1 });
      assert.equal(r.kind, 'accepted');
    } finally {
      await d.close();
    }
  });

  it('three workers own one market each and each market trades on its own', async () => {
    const d = await startTestDaemon({ workers: 3 });
    try {
      const ready = (await (await fetch(`${d.httpBase}/ready`)).json()) as { workers: string[][] };
      assert.deepEqual(ready.workers, [['BTC-PERP'], ['ETH-PERP'], ['SOL-PERP']]);
      const a = await d.demoClient();
      const b = await d.demoClient();
      const marks = [1_000_000, 350_000, 150_000];
      for (let m = 0; m < 3; m++) {
        await a.client.placeOrder({ marketId: m, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: marks[m], sizeLots: 10 });
        await b.client.placeOrder({ marketId: m, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.IOC, priceTicks: marks[m], sizeLots: 10 });
      }
      await sleep(100);
      for (let m = 0; m < 3; m++) assert.equal(d.handle.ledger.positionLots(b.accountId, m), 10, `market ${m} traded`);
    } finally {
      await d.close();
    }
  });
});
