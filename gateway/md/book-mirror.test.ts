import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Side } from '../../engine/types.js';
import { BookMirror } from './book-mirror.js';

test('a snapshot lists the best levels first on each side with the mdSeq it reflects', () => {
  const b = new BookMirror(1);
  b.applyLevel(Side.BUY, 100, 5, 1);
  b.applyLevel(Side.BUY, 102, 7, 2);
  b.applyLevel(Side.SELL, 110, 3, 1);
  b.applyLevel(Side.SELL, 105, 4, 1);
  b.takeUpdate();
  const s = b.snapshot(10);
  assert.equal(s.mdSeq, 1);
  assert.deepEqual(s.bids.map((l) => l.priceTicks), [102, 100]);
  assert.deepEqual(s.asks.map((l) => l.priceTicks), [105, 110]);
  assert.deepEqual(b.snapshot(1).bids, [{ priceTicks: 102, totalLots: 7, orderCount: 2 }]);
});

test('updates merge changes per level, keep first-change order and advance mdSeq by one', () => {
  const b = new BookMirror(1);
  assert.equal(b.takeUpdate(), undefined);
  b.applyLevel(Side.BUY, 100, 5, 1);
  b.applyLevel(Side.SELL, 105, 4, 1);
  b.applyLevel(Side.BUY, 100, 9, 2);
  const u1 = b.takeUpdate()!;
  assert.equal(u1.mdSeq, 1);
  assert.deepEqual(u1.bids, [{ priceTicks: 100, totalLots: 9, orderCount: 2 }]);
  assert.deepEqual(u1.asks, [{ priceTicks: 105, totalLots: 4, orderCount: 1 }]);
  b.applyLevel(Side.BUY, 100, 0, 0);
  const u2 = b.takeUpdate()!;
  assert.equal(u2.mdSeq, 2);
  assert.deepEqual(u2.bids, [{ priceTicks: 100, totalLots: 0, orderCount: 0 }]);
  assert.equal(b.levelCount(Side.BUY), 0);
});

test('the best bid and offer follow additions, removals of the best and rescans', () => {
  const b = new BookMirror(1);
  b.applyLevel(Side.BUY, 100, 5, 1);
  b.applyLevel(Side.BUY, 101, 6, 1);
  b.applyLevel(Side.SELL, 104, 2, 1);
  b.applyLevel(Side.SELL, 103, 3, 1);
  assert.deepEqual(b.bbo(), { bidPriceTicks: 101, bidLots: 6, askPriceTicks: 103, askLots: 3 });
  b.applyLevel(Side.BUY, 101, 0, 0);
  b.applyLevel(Side.SELL, 103, 0, 0);
  assert.deepEqual(b.bbo(), { bidPriceTicks: 100, bidLots: 5, askPriceTicks: 104, askLots: 2 });
  b.applyLevel(Side.BUY, 100, 0, 0);
  b.applyLevel(Side.SELL, 104, 0, 0);
  assert.deepEqual(b.bbo(), { bidPriceTicks: 0, bidLots: 0, askPriceTicks: 0, askLots: 0 });
});
