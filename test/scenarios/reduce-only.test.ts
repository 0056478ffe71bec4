/**
 * Reduce-only orders: placement (PLACE rule 11), reduce-only makers and takers in
 * execution (steps 2–4), the reduce-only sweep, FOK with reduce-only makers,
 * reduce-only MODIFY and fired reduce-only triggers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { Side } from '../../engine/types.js';
import {
  ALICE,
  assertBook,
  assertOk,
  assertPositions,
  assertRejected,
  BOB,
  buy,
  CAROL,
  DAVE,
  ev,
  FOK,
  forEachEngine,
  IOC,
  marketBuy,
  REDUCE_ONLY,
  RO,
  sell,
  stop,
  t,
  takeProfit,
  TestMarket,
} from '../support/dsl.js';

const { BUY, SELL } = Side;

forEachEngine('reduce-only placement', (create) => {
  test('a reduce-only order without a position is REDUCE_ONLY_WOULD_INCREASE on either side', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(BOB, 5, t(101)));
    assertRejected(m.place(buy(ALICE, 1, t(100), REDUCE_ONLY)), Code.REDUCE_ONLY_WOULD_INCREASE);
    assertRejected(m.place(sell(ALICE, 1, t(102), REDUCE_ONLY)), Code.REDUCE_ONLY_WOULD_INCREASE);
  });

  test('a reduce-only buy while long (and a reduce-only sell while short) is REDUCE_ONLY_WOULD_INCREASE', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 3, BOB);
    assertRejected(m.place(buy(ALICE, 1, t(99), REDUCE_ONLY)), Code.REDUCE_ONLY_WOULD_INCREASE);
    assertRejected(m.place(sell(BOB, 1, t(101), REDUCE_ONLY)), Code.REDUCE_ONLY_WOULD_INCREASE);
  });

  test('a reduce-only sell larger than the long position is accepted shrunk to the position', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 3, BOB);
    const r = m.place(sell(ALICE, 5, t(101), REDUCE_ONLY));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, SELL, t(101), 3, RO), ev.rest(r.orderId, ALICE, SELL, t(101), 3), ev.level(SELL, t(101), 3, 1)]);
  });

  test('a reduce-only buy closes a short and is shrunk to it', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, -4, BOB);
    const carol = m.mustPlace(sell(CAROL, 10, t(100)));
    const r = m.place(buy(ALICE, 10, t(100), { ...REDUCE_ONLY, ...IOC }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 4, RO),
      ev.fill(carol, CAROL, r.orderId, ALICE, BUY, t(100), 4, 6, 0, 0, RO),
      ev.level(SELL, t(100), 6, 1),
    ]);
    assertPositions(m.engine, { [ALICE]: 0 });
  });

  test('other reduce-only orders do not use up the position: each is checked against the position alone', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 3, BOB);
    assert.equal(m.place(sell(ALICE, 3, t(101), REDUCE_ONLY)).events[0].e, 'accept');
    const r = m.place(sell(ALICE, 9, t(102), REDUCE_ONLY));
    assert.deepEqual(r.events[0], ev.accept(r.orderId, ALICE, SELL, t(102), 3, RO));
  });

  test('a reduce-only market order closes the position', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, -2, BOB);
    m.mustPlace(sell(CAROL, 5, t(100)));
    assertOk(m.place(marketBuy(ALICE, 5, REDUCE_ONLY)));
    assertPositions(m.engine, { [ALICE]: 0, [CAROL]: -2 });
  });
});

forEachEngine('reduce-only in execution', (create) => {
  test('a reduce-only maker whose position closed earlier in the same execution is cancelled REDUCE_ONLY when reached', () => {
    const m = new TestMarket(create);
    m.givePosition(CAROL, 5, DAVE);
    const ro = m.mustPlace(sell(CAROL, 5, t(101), REDUCE_ONLY));
    const plain = m.mustPlace(sell(CAROL, 5, t(100)));
    const r = m.place(buy(ALICE, 10, t(101)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 10),
      ev.fill(plain, CAROL, r.orderId, ALICE, BUY, t(100), 5, 0, 5),
      ev.level(SELL, t(100), 0, 0),
      ev.cancel(ro, CAROL, SELL, 5, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(101), 0, 0),
      ev.rest(r.orderId, ALICE, BUY, t(101), 5),
      ev.level(BUY, t(101), 5, 1),
    ]);
    assertPositions(m.engine, { [CAROL]: 0, [ALICE]: 5 });
  });

  test('a reduce-only maker fills only its reducible amount, then is cancelled REDUCE_ONLY', () => {
    const m = new TestMarket(create);
    m.givePosition(CAROL, 5, DAVE);
    const ro = m.mustPlace(sell(CAROL, 5, t(101), REDUCE_ONLY));
    const plain = m.mustPlace(sell(CAROL, 3, t(100)));
    const r = m.place(buy(ALICE, 10, t(101)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 10),
      ev.fill(plain, CAROL, r.orderId, ALICE, BUY, t(100), 3, 0, 7),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(ro, CAROL, r.orderId, ALICE, BUY, t(101), 2, 3, 5, RO, 0),
      ev.level(SELL, t(101), 3, 1),
      ev.cancel(ro, CAROL, SELL, 3, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(101), 0, 0),
      ev.rest(r.orderId, ALICE, BUY, t(101), 5),
      ev.level(BUY, t(101), 5, 1),
    ]);
  });

  test('a FOK counts a reduce-only maker only up to its account\'s reducible amount after the fills before it', () => {
    const m = new TestMarket(create);
    m.givePosition(CAROL, 3, DAVE);
    const plain = m.mustPlace(sell(CAROL, 2, t(100)));
    const ro = m.mustPlace(sell(CAROL, 3, t(100), REDUCE_ONLY));
    assertRejected(m.place(buy(ALICE, 4, t(100), FOK)), Code.FOK_CANNOT_FILL); // 2 + min(3, 3 - 2) = 3 < 4
    const r = m.place(buy(ALICE, 3, t(100), FOK));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 3),
      ev.fill(plain, CAROL, r.orderId, ALICE, BUY, t(100), 2, 0, 1),
      ev.level(SELL, t(100), 3, 1),
      ev.fill(ro, CAROL, r.orderId, ALICE, BUY, t(100), 1, 2, 0, RO, 0),
      ev.level(SELL, t(100), 2, 1),
      // sweep: Carol's position is now 0
      ev.cancel(ro, CAROL, SELL, 2, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(100), 0, 0),
    ]);
  });
});

forEachEngine('reduce-only sweep', (create) => {
  test('the sweep shrinks a resting reduce-only order in place (onReduce + onLevel) and it keeps its queue place', () => {
    const m = new TestMarket(create);
    m.givePosition(CAROL, 10, DAVE);
    const ro = m.mustPlace(sell(CAROL, 10, t(101), REDUCE_ONLY));
    const bob = m.mustPlace(sell(BOB, 2, t(101)));
    const plain = m.mustPlace(sell(CAROL, 4, t(100)));
    const r = m.place(buy(ALICE, 4, t(100)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 4),
      ev.fill(plain, CAROL, r.orderId, ALICE, BUY, t(100), 4, 0, 0),
      ev.level(SELL, t(100), 0, 0),
      ev.reduce(ro, CAROL, SELL, 10, 6),
      ev.level(SELL, t(101), 8, 2),
    ]);
    const r2 = m.place(buy(DAVE, 7, t(101)));
    assert.deepEqual(r2.events.slice(1), [
      ev.fill(ro, CAROL, r2.orderId, DAVE, BUY, t(101), 6, 0, 1, RO, 0),
      ev.level(SELL, t(101), 2, 1),
      ev.fill(bob, BOB, r2.orderId, DAVE, BUY, t(101), 1, 1, 0),
      ev.level(SELL, t(101), 1, 1),
    ]);
  });

  test('the sweep cancels reduce-only orders of closed positions in ascending account id, then order id order', () => {
    const m = new TestMarket(create);
    m.givePosition(BOB, 2, DAVE);
    m.givePosition(CAROL, 2, DAVE);
    const b1 = m.mustPlace(sell(BOB, 2, t(105), REDUCE_ONLY));
    const c1 = m.mustPlace(sell(CAROL, 2, t(106), REDUCE_ONLY));
    const c2 = m.mustPlace(sell(CAROL, 1, t(107), REDUCE_ONLY));
    const b2 = m.mustPlace(sell(BOB, 2, t(108), REDUCE_ONLY));
    const carolPlain = m.mustPlace(sell(CAROL, 2, t(100)));
    const bobPlain = m.mustPlace(sell(BOB, 2, t(100)));
    const r = m.place(buy(ALICE, 4, t(100)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 4),
      ev.fill(carolPlain, CAROL, r.orderId, ALICE, BUY, t(100), 2, 0, 2),
      ev.level(SELL, t(100), 2, 1),
      ev.fill(bobPlain, BOB, r.orderId, ALICE, BUY, t(100), 2, 0, 0),
      ev.level(SELL, t(100), 0, 0),
      ev.cancel(b1, BOB, SELL, 2, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(105), 0, 0),
      ev.cancel(b2, BOB, SELL, 2, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(108), 0, 0),
      ev.cancel(c1, CAROL, SELL, 2, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(106), 0, 0),
      ev.cancel(c2, CAROL, SELL, 1, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(107), 0, 0),
    ]);
    assertBook(m.engine, {});
  });

  test('the sweep covers reduce-only triggers in order id order among resting orders: shrunk without a level event, cancelled with their OCO partner', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 5, BOB);
    const sl = m.mustPlace(stop(ALICE, SELL, 5, t(95), REDUCE_ONLY));
    const tp = m.mustPlace(takeProfit(ALICE, SELL, 5, t(105), { ...REDUCE_ONLY, oco: sl }));
    const lim = m.mustPlace(sell(ALICE, 5, t(101), REDUCE_ONLY));
    const carol1 = m.mustPlace(buy(CAROL, 2, t(100)));
    const r = m.place(sell(ALICE, 2, t(100), IOC));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, SELL, t(100), 2),
      ev.fill(carol1, CAROL, r.orderId, ALICE, SELL, t(100), 2, 0, 0),
      ev.level(BUY, t(100), 0, 0),
      ev.reduce(sl, ALICE, SELL, 5, 3),
      ev.reduce(tp, ALICE, SELL, 5, 3),
      ev.reduce(lim, ALICE, SELL, 5, 3),
      ev.level(SELL, t(101), 3, 1),
    ]);
    assert.equal(m.engine.order(sl)?.remainingLots, 3);
    const carol2 = m.mustPlace(buy(CAROL, 3, t(100)));
    const r2 = m.place(sell(ALICE, 3, t(100), IOC));
    assert.deepEqual(r2.events, [
      ev.accept(r2.orderId, ALICE, SELL, t(100), 3),
      ev.fill(carol2, CAROL, r2.orderId, ALICE, SELL, t(100), 3, 0, 0),
      ev.level(BUY, t(100), 0, 0),
      ev.cancel(sl, ALICE, SELL, 3, CancelReason.REDUCE_ONLY, RO),
      ev.cancel(tp, ALICE, SELL, 3, CancelReason.OCO, RO),
      ev.cancel(lim, ALICE, SELL, 3, CancelReason.REDUCE_ONLY, RO),
      ev.level(SELL, t(101), 0, 0),
    ]);
    assert.equal(m.engine.liveOrderCount(), 0);
  });

  test('a reduce-only trigger placed without a position is cancelled by the sweep when the position moves the other way', () => {
    const m = new TestMarket(create);
    const sl = m.mustPlace(stop(ALICE, SELL, 5, t(95), REDUCE_ONLY)); // no position yet: accepted, checked at firing
    m.mustPlace(buy(BOB, 1, t(100)));
    const r = m.place(sell(ALICE, 1, t(100), IOC)); // Alice goes short: a reduce-only sell can never reduce
    assert.deepEqual(r.events.slice(-1), [ev.cancel(sl, ALICE, SELL, 5, CancelReason.REDUCE_ONLY, RO)]);
  });

  test('a reduce-only trigger placed without a position is shrunk by the sweep when a position opens', () => {
    const m = new TestMarket(create);
    const sl = m.mustPlace(stop(ALICE, SELL, 5, t(95), REDUCE_ONLY));
    m.mustPlace(sell(BOB, 2, t(100)));
    const r = m.place(buy(ALICE, 2, t(100)));
    assert.deepEqual(r.events.slice(-1), [ev.reduce(sl, ALICE, SELL, 5, 2)]);
  });
});

forEachEngine('reduce-only modify and triggers', (create) => {
  test('a reduce-only MODIFY is clipped to the position; growing within it requeues without a margin check', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 5, BOB);
    const o = m.mustPlace(sell(ALICE, 2, t(101), REDUCE_ONLY));
    const grow = m.modify(ALICE, o, { price: t(101), size: 4, preheld: 0 });
    assert.deepEqual(grow.events, [
      ev.modify(o, ALICE, SELL, t(101), 2, 4, 0, RO, true),
      ev.level(SELL, t(101), 0, 0),
      ev.rest(o, ALICE, SELL, t(101), 4),
      ev.level(SELL, t(101), 4, 1),
    ]);
    const clipped = m.modify(ALICE, o, { price: t(101), size: 50, preheld: 0 });
    assert.deepEqual(clipped.events, [
      ev.modify(o, ALICE, SELL, t(101), 4, 5, 0, RO, true),
      ev.level(SELL, t(101), 0, 0),
      ev.rest(o, ALICE, SELL, t(101), 5),
      ev.level(SELL, t(101), 5, 1),
    ]);
    const same = m.modify(ALICE, o, { price: t(101), size: 9, preheld: 0 }); // clipped to 5 = remaining: in place
    assert.deepEqual(same.events, [ev.modify(o, ALICE, SELL, t(101), 5, 5, 0, RO, false)]);
  });

  test('a fired reduce-only trigger larger than the position is shrunk (onReduce) before it executes', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 3, BOB);
    const sl = m.place(stop(ALICE, SELL, 5, t(99), REDUCE_ONLY));
    assert.deepEqual(sl.events, [ev.accept(sl.orderId, ALICE, SELL, 0, 5, RO, true)], 'reduce-only triggers are not shrunk at placement');
    const carol = m.mustPlace(buy(CAROL, 10, t(98.5)));
    const r = m.setMark(t(99));
    assert.deepEqual(r.events, [
      ev.mark(t(99)),
      ev.trigger(sl.orderId, ALICE, t(99)),
      ev.reduce(sl.orderId, ALICE, SELL, 5, 3),
      ev.fill(carol, CAROL, sl.orderId, ALICE, SELL, t(98.5), 3, 7, 0, 0, RO),
      ev.level(BUY, t(98.5), 7, 1),
    ]);
    assertPositions(m.engine, { [ALICE]: 0 });
  });

  test('a fired reduce-only trigger with nothing to reduce is cancelled REDUCE_ONLY', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(CAROL, 10, t(98.5)));
    const sl = m.mustPlace(stop(ALICE, SELL, 3, t(99), REDUCE_ONLY));
    const r = m.setMark(t(99));
    assert.deepEqual(r.events, [ev.mark(t(99)), ev.trigger(sl, ALICE, t(99)), ev.cancel(sl, ALICE, SELL, 3, CancelReason.REDUCE_ONLY, RO)]);
    assertBook(m.engine, { bids: [[t(98.5), 10, 1]] });
  });
});
