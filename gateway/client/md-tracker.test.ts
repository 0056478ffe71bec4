import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { L2SnapshotFrame, L2UpdateFrame } from '../binary/client-decode.js';
import { SnapshotFlag } from '../binary/frames.js';
import { MarketDataTracker } from './md-tracker.js';

const M = 4;

function snapshot(seq: number, bidLots = 10, flags = SnapshotFlag.BIDS_COMPLETE | SnapshotFlag.ASKS_COMPLETE): L2SnapshotFrame {
  return {
    kind: 'l2Snapshot',
    requestId: 0,
    marketId: M,
    seq,
    tsUs: 0,
    flags,
    bids: [{ side: 0, priceTicks: 100, totalLots: bidLots, orderCount: 1 }],
    asks: [{ side: 1, priceTicks: 101, totalLots: 5, orderCount: 1 }],
  };
}

function update(seq: number, bidLots: number): L2UpdateFrame {
  return { kind: 'l2Update', requestId: 0, marketId: M, seq, tsUs: 0, levels: [{ side: 0, priceTicks: 100, totalLots: bidLots, orderCount: bidLots ? 1 : 0 }] };
}

test('updates that arrive before the snapshot are buffered, then those newer than it are replayed', () => {
  const t = new MarketDataTracker();
  assert.deepEqual(t.onL2Update(update(9, 1)), { bookChanged: false });
  assert.deepEqual(t.onL2Update(update(10, 2)), { bookChanged: false });
  assert.deepEqual(t.onL2Update(update(11, 3)), { bookChanged: false });
  assert.equal(t.book(M), undefined, 'no book until a snapshot');
  const r = t.onL2Snapshot(snapshot(10));
  assert.equal(r.gap, undefined);
  assert.equal(t.book(M)?.seq, 11);
  assert.equal(t.book(M)?.bestBid()?.totalLots, 3);
});

test('a stale update (seq ≤ last) is ignored, the next one applies', () => {
  const t = new MarketDataTracker();
  t.onL2Snapshot(snapshot(5));
  assert.deepEqual(t.onL2Update(update(5, 99)), { bookChanged: false });
  assert.deepEqual(t.onL2Update(update(6, 0)), { bookChanged: true });
  assert.equal(t.book(M)?.bestBid(), undefined, 'totalLots 0 removed the level');
});

test('a jump is a gap: the market stops exposing a book until the next snapshot', () => {
  const t = new MarketDataTracker();
  t.onL2Snapshot(snapshot(5));
  const r = t.onL2Update(update(7, 1));
  assert.deepEqual(r.gap, { marketId: M, channel: 'l2', expectedSeq: 6, receivedSeq: 7 });
  assert.equal(t.book(M), undefined);
  t.onL2Update(update(8, 2));
  t.onL2Snapshot(snapshot(6));
  assert.equal(t.book(M)?.seq, 8, 'buffered 7 and 8 continue snapshot 6');
  assert.equal(t.book(M)?.bestBid()?.totalLots, 2);
});

test('a snapshot that the buffered updates do not continue is reported as a gap again', () => {
  const t = new MarketDataTracker();
  t.onL2Update(update(20, 1));
  const r = t.onL2Snapshot(snapshot(15));
  assert.deepEqual(r.gap, { marketId: M, channel: 'l2', expectedSeq: 16, receivedSeq: 20 });
  assert.equal(t.isL2Synced(M), false);
});

test('a full buffer drops its oldest updates; a hole that leaves is caught as a gap', () => {
  const t = new MarketDataTracker(2);
  for (const seq of [11, 12, 13]) t.onL2Update(update(seq, seq));
  const r = t.onL2Snapshot(snapshot(10));
  assert.deepEqual(r.gap, { marketId: M, channel: 'l2', expectedSeq: 11, receivedSeq: 12 });
});

test('trade and BBO sequences report jumps but keep tracking', () => {
  const t = new MarketDataTracker();
  const trade = (seq: number) => ({ kind: 'trade' as const, requestId: 0, marketId: M, takerSide: 0, seq, tradeId: seq, priceTicks: 1, sizeLots: 1, tsUs: 0 });
  assert.equal(t.onTrade(trade(50)), undefined, 'the first message sets the baseline');
  assert.equal(t.onTrade(trade(51)), undefined);
  assert.deepEqual(t.onTrade(trade(54)), { marketId: M, channel: 'trades', expectedSeq: 52, receivedSeq: 54 });
  assert.equal(t.onTrade(trade(55)), undefined);
  t.reset(M, false, true, false);
  assert.equal(t.onTrade(trade(3)), undefined, 'a reset (re-subscribe) sets a new baseline');
});

test('an incomplete snapshot side hides levels beyond its horizon until updated', () => {
  const t = new MarketDataTracker();
  t.onL2Snapshot(snapshot(1, 10, SnapshotFlag.ASKS_COMPLETE));
  t.onL2Update({ kind: 'l2Update', requestId: 0, marketId: M, seq: 2, tsUs: 0, levels: [{ side: 0, priceTicks: 90, totalLots: 1, orderCount: 1 }] });
  assert.deepEqual(
    t.book(M)?.bids().map((l) => l.priceTicks),
    [100],
    'level 90 lies beyond the bid horizon (100): levels between may be unknown',
  );
  assert.equal(t.book(M)?.horizonPriceTicks(0), 100);
  assert.equal(t.book(M)?.horizonPriceTicks(1), undefined);
});
