import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Command, Op } from '../command.js';
import { RecordingSink, type RecordedEvent } from '../events.js';
import { demoMarkets } from '../market-spec.js';
import { OrderType, Side, StpMode, TimeInForce } from '../types.js';
import { COMMAND_RECORD_LENGTH, decodeCommand, encodeCommand } from './command-codec.js';
import { EVENT_RECORD_LENGTH, EventEncoder, decodeEvents, type EventStreamHandler } from './event-codec.js';
import { Doorbell, RecordRing } from './record-ring.js';

function record(len: number, first: number): Float64Array {
  const r = new Float64Array(len);
  for (let i = 0; i < len; i++) r[i] = first + i;
  return r;
}

test('a full ring refuses a whole record and loses nothing already queued', () => {
  const ring = RecordRing.create(3, 4);
  assert.equal(ring.capacityRecords, 3);
  for (let k = 0; k < 3; k++) assert.equal(ring.tryPush(record(4, k * 10)), true);
  assert.equal(ring.tryPush(record(4, 99)), false);
  assert.equal(ring.freeRecords(), 0);
  const out = new Float64Array(12);
  assert.equal(ring.popMany(out, 10), 3);
  assert.deepEqual(Array.from(out), [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
});

test('records survive wrap-around in order', () => {
  const ring = RecordRing.create(4, 3);
  const out = new Float64Array(3);
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    while (ring.tryPush(record(3, next))) next += 100;
    const n = ring.popMany(out, 1);
    assert.equal(n, 1);
    assert.deepEqual(Array.from(out), [expect, expect + 1, expect + 2]);
    expect += 100;
  }
});

test('pushMany pushes only whole records that fit', () => {
  const ring = RecordRing.create(2, 2);
  const batch = new Float64Array([1, 2, 3, 4, 5, 6]);
  assert.equal(ring.pushMany(batch, 3), 2);
  assert.equal(ring.pendingRecords(), 2);
});

test('a command survives encoding with every field intact', () => {
  const c = new Command();
  Object.assign(c, {
    op: Op.PLACE, seq: 2 ** 40 + 7, tsUs: 1_763_000_000_000_000, marketId: 2, accountId: 123456, orderId: 2 ** 40 + 7,
    cloid0: -1, cloid1: 0x7fffffff, cloid2: -2147483648, cloid3: 5, side: 1, orderType: 1, tif: 2, flags: 3, stpMode: 3,
    triggerKind: 2, priceTicks: 9_000_000_000, sizeLots: 2 ** 31 - 1, triggerPriceTicks: 77, ocoOrderId: 55, preheldLots: 9, amount: 2 ** 52, value: 1,
  });
  const buf = new Float64Array(COMMAND_RECORD_LENGTH);
  encodeCommand(c, buf, 0);
  const d = decodeCommand(buf, 0, new Command());
  assert.deepEqual({ ...d }, { ...c });
});

test('out-of-range enum values below 16 survive encoding so the engine can refuse them', () => {
  const c = new Command();
  c.side = 7;
  c.tif = 9;
  const buf = new Float64Array(COMMAND_RECORD_LENGTH);
  encodeCommand(c, buf, 0);
  const d = decodeCommand(buf, 0, new Command());
  assert.equal(d.side, 7);
  assert.equal(d.tif, 9);
});

class Collect extends RecordingSink implements EventStreamHandler {
  ctx: string[] = [];
  done: number[] = [];
  setContext(marketId: number, causeSeq: number): void {
    this.ctx.push(`${marketId}:${causeSeq}`);
  }
  onDone(code: number): void {
    this.done.push(code);
  }
}

test('every sink call round-trips through the event codec with its market and cause', () => {
  const enc = new EventEncoder(1);
  enc.begin(3, 41);
  enc.onReject(41, 41, 9, -3010, 1, 5);
  enc.onAccept(42, 9, 0, 100, 5, 2, true);
  enc.onFill(1, 2, 3, 4, 1, 100, 5, 0, 7, 2, 0);
  enc.onCancel(5, 6, 1, 7, 3, 1);
  enc.onRest(8, 9, 0, 101, 4);
  enc.onModify(8, 9, 0, 102, 4, 6, 2, 1, true);
  enc.onReduce(8, 9, 0, 6, 3, 2);
  enc.onTrigger(11, 9, 555);
  enc.onMark(556);
  enc.end(0);
  const c = new Collect();
  decodeEvents(enc.buffer, enc.count, c);
  const expected = new RecordingSink();
  expected.onReject(41, 41, 9, -3010, 1, 5);
  expected.onAccept(42, 9, 0, 100, 5, 2, true);
  expected.onFill(1, 2, 3, 4, 1, 100, 5, 0, 7, 2, 0);
  expected.onCancel(5, 6, 1, 7, 3, 1);
  expected.onRest(8, 9, 0, 101, 4);
  expected.onModify(8, 9, 0, 102, 4, 6, 2, 1, true);
  expected.onReduce(8, 9, 0, 6, 3, 2);
  expected.onTrigger(11, 9, 555);
  expected.onMark(556);
  assert.deepEqual(c.events, expected.events);
  assert.deepEqual(c.done, [0]);
  assert.ok(c.ctx.every((x) => x === '3:41'));
});

test('level events are coalesced per command to the last aggregate of each level', () => {
  const enc = new EventEncoder();
  enc.begin(0, 1);
  enc.onLevel(0, 100, 10, 1);
  enc.onLevel(1, 105, 3, 1);
  enc.onLevel(0, 100, 4, 2);
  enc.end(0);
  enc.begin(0, 2);
  enc.onLevel(0, 100, 0, 0);
  enc.end(0);
  const c = new Collect();
  decodeEvents(enc.buffer, enc.count, c);
  const levels = c.events.filter((e): e is Extract<RecordedEvent, { e: 'level' }> => e.e === 'level');
  assert.deepEqual(
    levels.map((l) => [l.side, l.priceTicks, l.totalLots, l.orderCount]),
    [
      [0, 100, 4, 2],
      [1, 105, 3, 1],
      [0, 100, 0, 0],
    ],
  );
});

test('a market worker thread applies commands from its ring and answers on the event ring', async () => {
  const markets = demoMarkets();
  const commandRing = RecordRing.create(64, COMMAND_RECORD_LENGTH);
  const eventRing = RecordRing.create(256, EVENT_RECORD_LENGTH);
  const commandBell = Doorbell.create();
  const eventBell = Doorbell.create();
  const worker = new Worker(fileURLToPath(new URL('../worker/market-worker.js', import.meta.url)), {
    workerData: {
      workerIndex: 0, markets, commandRing: commandRing.handle, eventRing: eventRing.handle,
      commandBell: commandBell.sab, eventBell: eventBell.sab, spinIterations: 100, parkTimeoutMs: 50, batchSize: 32, cpu: -1,
    },
  });
  const ready = await new Promise<{ type: string; markets: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  assert.deepEqual(ready.markets, ['BTC-PERP', 'ETH-PERP', 'SOL-PERP']);
  const c = new Command();
  const buf = new Float64Array(COMMAND_RECORD_LENGTH);
  const send = (fill: (c: Command) => void): void => {
    c.reset();
    fill(c);
    encodeCommand(c, buf, 0);
    assert.ok(commandRing.tryPush(buf));
    commandBell.ring();
  };
  const base = { op: Op.PLACE, marketId: 1, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, stpMode: StpMode.EXPIRE_TAKER, sizeLots: 10 };
  send((c) => Object.assign(c, base, { seq: 1, orderId: 1, accountId: 7, side: Side.SELL, priceTicks: 350_000 }));
  send((c) => Object.assign(c, base, { seq: 2, orderId: 2, accountId: 8, side: Side.BUY, priceTicks: 350_000, sizeLots: 4 }));
  send((c) => Object.assign(c, { op: Op.PLACE, seq: 3, marketId: 42, accountId: 8, sizeLots: 1 }));

  const got = new Collect();
  got.recordLevels = false;
  const out = new Float64Array(64 * EVENT_RECORD_LENGTH);
  const deadline = Date.now() + 5000;
  while (got.done.length < 3 && Date.now() < deadline) {
    await eventBell.parkAsync(20, () => eventRing.pendingRecords() > 0);
    decodeEvents(out, eventRing.popMany(out, 64), got);
  }
  assert.deepEqual(got.done, [0, 0, -3001]);
  const fill = got.events.find((e) => e.e === 'fill');
  assert.deepEqual(fill && [fill.makerOrderId, fill.takerOrderId, fill.priceTicks, fill.sizeLots, fill.makerRemainingLots], [1, 2, 350_000, 4, 6]);
  assert.ok(got.ctx.includes('42:3'));

  send((c) => Object.assign(c, { op: Op.SHUTDOWN }));
  const stopped = await new Promise<{ type: string }>((resolve) => worker.once('message', resolve));
  assert.equal(stopped.type, 'stopped');
  await worker.terminate();
});
