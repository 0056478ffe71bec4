/**
 * Limit and market orders, time in force, price-time priority, price band, level
 * events (docs/matching.md: "PLACE", "Execution of an incoming order", "Level
 * events", "Fillable quantity (FOK)").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { Side, StpMode } from '../../engine/types.js';
import {
  ALICE,
  aliceBuys5At100,
  assertBook,
  assertOk,
  assertPositions,
  assertRejected,
  BOB,
  bobBuys5At100,
  bobSells5At100,
  buy,
  CAROL,
  carolSells2At101,
  DAVE,
  ev,
  FOK,
  forEachEngine,
  IOC,
  marketBuy,
  marketSell,
  sell,
  t,
  TestMarket,
} from '../support/dsl.js';

const { BUY, SELL } = Side;

forEachEngine('limit orders', (create) => {
  test('a GTC limit buy with nothing to match rests, and a second one queues behind it at the same level', () => {
    const m = new TestMarket(create);
    const a = m.place(aliceBuys5At100);
    assert.deepEqual(a.events, [ev.accept(a.orderId, ALICE, BUY, t(100), 5), ev.rest(a.orderId, ALICE, BUY, t(100), 5), ev.level(BUY, t(100), 5, 1)]);
    const b = m.place(bobBuys5At100);
    assert.deepEqual(b.events, [ev.accept(b.orderId, BOB, BUY, t(100), 5), ev.rest(b.orderId, BOB, BUY, t(100), 5), ev.level(BUY, t(100), 10, 2)]);
    assertBook(m.engine, { bids: [[t(100), 10, 2]] });
    assert.equal(m.engine.liveOrderCount(), 2);
  });

  test('levels are kept in price priority on both sides', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(ALICE, 1, t(98)));
    m.mustPlace(buy(ALICE, 2, t(99.5)));
    m.mustPlace(buy(BOB, 3, t(99)));
    m.mustPlace(sell(CAROL, 4, t(102)));
    m.mustPlace(sell(DAVE, 5, t(100.5)));
    m.mustPlace(sell(CAROL, 6, t(101)));
    assertBook(m.engine, {
      bids: [[t(99.5), 2, 1], [t(99), 3, 1], [t(98), 1, 1]],
      asks: [[t(100.5), 5, 1], [t(101), 6, 1], [t(102), 4, 1]],
    });
    assert.deepEqual(m.engine.l2(BUY, 2).map((l) => l.priceTicks), [t(99.5), t(99)], 'l2 depth limits the levels');
  });

  test('a crossing buy fills the best asks at the makers\' prices and moves positions', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const carol = m.mustPlace(carolSells2At101);
    const r = m.place(buy(ALICE, 6, t(101)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 6),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 5, 0, 1),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(carol, CAROL, r.orderId, ALICE, BUY, t(101), 1, 1, 0),
      ev.level(SELL, t(101), 1, 1),
    ]);
    assertBook(m.engine, { asks: [[t(101), 1, 1]] });
    assertPositions(m.engine, { [ALICE]: 6, [BOB]: -5, [CAROL]: -1 });
    assert.equal(m.engine.order(bob), undefined, 'a maker filled to 0 leaves the book');
    assert.equal(m.engine.order(carol)?.filledLots, 1);
  });

  test('a taker with a better limit still trades at the maker\'s price', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const r = m.place(buy(ALICE, 5, t(102)));
    assert.deepEqual(r.events.filter((e) => e.e === 'fill'), [ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 5, 0, 0)]);
  });

  test('orders at one price fill in arrival order (FIFO), a partially filled maker keeps the head of the queue', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const carol = m.mustPlace(sell(CAROL, 2, t(100)));
    m.mustPlace(sell(DAVE, 2, t(100)));
    const r1 = m.place(buy(ALICE, 3, t(100)));
    assert.deepEqual(r1.events.slice(1), [
      ev.fill(bob, BOB, r1.orderId, ALICE, BUY, t(100), 2, 0, 1),
      ev.level(SELL, t(100), 4, 2),
      ev.fill(carol, CAROL, r1.orderId, ALICE, BUY, t(100), 1, 1, 0),
      ev.level(SELL, t(100), 3, 2),
    ]);
    const r2 = m.place(buy(ALICE, 1, t(100)));
    assert.deepEqual(r2.events.filter((e) => e.e === 'fill'), [ev.fill(carol, CAROL, r2.orderId, ALICE, BUY, t(100), 1, 0, 0)]);
  });

  test('a better price fills before an older order at a worse price', () => {
    const m = new TestMarket(create);
    const carol = m.mustPlace(sell(CAROL, 2, t(101)));
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const r = m.place(buy(ALICE, 3, t(101)));
    assert.deepEqual(r.events.filter((e) => e.e === 'fill').map((e) => (e as { makerOrderId: number }).makerOrderId), [bob, carol]);
  });

  test('a buy sweeps several levels and rests its rest at its limit, with a level event after each change', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const carol = m.mustPlace(sell(CAROL, 2, t(101)));
    m.mustPlace(sell(DAVE, 9, t(101.5)));
    const r = m.place(buy(ALICE, 6, t(101)));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 6),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 2, 0, 4),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(carol, CAROL, r.orderId, ALICE, BUY, t(101), 2, 0, 2),
      ev.level(SELL, t(101), 0, 0),
      ev.rest(r.orderId, ALICE, BUY, t(101), 2),
      ev.level(BUY, t(101), 2, 1),
    ]);
    assertBook(m.engine, { bids: [[t(101), 2, 1]], asks: [[t(101.5), 9, 1]] });
    const view = m.engine.order(r.orderId)!;
    assert.deepEqual([view.remainingLots, view.filledLots, view.priceTicks], [2, 4, t(101)]);
  });

  test('a crossing sell fills the best bids first (mirror image)', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(buy(BOB, 2, t(100)));
    const dave = m.mustPlace(buy(DAVE, 2, t(99)));
    const r = m.place(sell(CAROL, 3, t(99)));
    assert.deepEqual(r.events.slice(1), [
      ev.fill(bob, BOB, r.orderId, CAROL, SELL, t(100), 2, 0, 1),
      ev.level(BUY, t(100), 0, 0),
      ev.fill(dave, DAVE, r.orderId, CAROL, SELL, t(99), 1, 1, 0),
      ev.level(BUY, t(99), 1, 1),
    ]);
    assertPositions(m.engine, { [BOB]: 2, [DAVE]: 1, [CAROL]: -3 });
  });

  test('a limit at exactly the band edges is accepted; one tick outside is PRICE_OUT_OF_BAND', () => {
    const m = new TestMarket(create); // mark 10000, band ±10%: [9000, 11000]
    assertOk(m.place(buy(ALICE, 1, 9000)));
    assertOk(m.place(sell(BOB, 1, 11000)));
    assertRejected(m.place(buy(ALICE, 1, 8999)), Code.PRICE_OUT_OF_BAND);
    assertRejected(m.place(sell(BOB, 1, 11001)), Code.PRICE_OUT_OF_BAND);
  });

  test('the band rounds inward: bandLow = ceil(mark × 0.9), bandHigh = floor(mark × 1.1)', () => {
    const m = new TestMarket(create);
    m.setMark(10001); // 9000.9 .. 11001.1
    assertRejected(m.place(buy(ALICE, 1, 9000)), Code.PRICE_OUT_OF_BAND);
    assertOk(m.place(buy(ALICE, 1, 9001)));
    assertRejected(m.place(sell(BOB, 1, 11002)), Code.PRICE_OUT_OF_BAND);
    assertOk(m.place(sell(BOB, 1, 11001)));
  });
});

forEachEngine('IOC and market orders', (create) => {
  test('an IOC limit fills what crosses and cancels the rest with IOC_REMAINDER instead of resting', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    m.mustPlace(sell(CAROL, 5, t(101)));
    const r = m.place(buy(ALICE, 7, t(100), IOC));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 7),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 5, 0, 2),
      ev.level(SELL, t(100), 0, 0),
      ev.cancel(r.orderId, ALICE, BUY, 2, CancelReason.IOC_REMAINDER),
    ]);
    assertBook(m.engine, { asks: [[t(101), 5, 1]] });
    assert.equal(m.engine.order(r.orderId), undefined);
  });

  test('an IOC that finds nothing is accepted and cancelled whole, leaving the book untouched', () => {
    const m = new TestMarket(create);
    m.mustPlace(carolSells2At101);
    const r = m.place(buy(ALICE, 3, t(100), IOC));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, BUY, t(100), 3), ev.cancel(r.orderId, ALICE, BUY, 3, CancelReason.IOC_REMAINDER)]);
    assertBook(m.engine, { asks: [[t(101), 2, 1]] });
  });

  test('a market buy trades up to the band high and cancels the rest with MARKET_REMAINDER; it reports price 0', () => {
    const m = new TestMarket(create);
    m.setMark(10500); // band [9450, 11550]
    const far = m.mustPlace(sell(DAVE, 2, 11500));
    m.setMark(10000); // band [9000, 11000]: the ask at 11500 is now beyond it
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const carol = m.mustPlace(sell(CAROL, 2, 11000));
    const r = m.place(marketBuy(ALICE, 10));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, 0, 10),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 2, 0, 8),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(carol, CAROL, r.orderId, ALICE, BUY, 11000, 2, 0, 6),
      ev.level(SELL, 11000, 0, 0),
      ev.cancel(r.orderId, ALICE, BUY, 6, CancelReason.MARKET_REMAINDER),
    ]);
    assertBook(m.engine, { asks: [[11500, 2, 1]] });
    assert.ok(m.engine.order(far));
  });

  test('a market sell trades down to the band low only', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(buy(BOB, 2, 9000));
    m.setMark(10100); // band low = ceil(9090) = 9090 > 9000
    const r = m.place(marketSell(ALICE, 1));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, SELL, 0, 1), ev.cancel(r.orderId, ALICE, SELL, 1, CancelReason.MARKET_REMAINDER)]);
    m.setMark(10000);
    const r2 = m.place(marketSell(ALICE, 1));
    assert.deepEqual(r2.events.slice(1), [ev.fill(bob, BOB, r2.orderId, ALICE, SELL, 9000, 1, 1, 0), ev.level(BUY, 9000, 1, 1)]);
  });

  test('a market order ignores the command\'s price, even an invalid one', () => {
    const m = new TestMarket(create);
    const r = m.place(marketBuy(ALICE, 3, { price: -77 }));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, BUY, 0, 3), ev.cancel(r.orderId, ALICE, BUY, 3, CancelReason.MARKET_REMAINDER)]);
  });

  test('a market order on an empty book is accepted and cancelled whole', () => {
    const m = new TestMarket(create);
    const r = m.place(marketSell(BOB, 4));
    assert.deepEqual(r.events, [ev.accept(r.orderId, BOB, SELL, 0, 4), ev.cancel(r.orderId, BOB, SELL, 4, CancelReason.MARKET_REMAINDER)]);
    assertPositions(m.engine, { [BOB]: 0 });
  });
});

forEachEngine('fill-or-kill', (create) => {
  test('a FOK that can fill completely across levels fills and leaves nothing', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const carol = m.mustPlace(sell(CAROL, 3, t(101)));
    const r = m.place(buy(ALICE, 5, t(101), FOK));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 5),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 2, 0, 3),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(carol, CAROL, r.orderId, ALICE, BUY, t(101), 3, 0, 0),
      ev.level(SELL, t(101), 0, 0),
    ]);
    assertBook(m.engine, {});
  });

  test('a FOK that cannot fill completely within its limit is FOK_CANNOT_FILL and changes nothing', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(BOB, 2, t(100)));
    m.mustPlace(sell(CAROL, 3, t(102)));
    assertRejected(m.place(buy(ALICE, 3, t(101), FOK)), Code.FOK_CANNOT_FILL);
    assertRejected(m.place(buy(ALICE, 6, t(102), FOK)), Code.FOK_CANNOT_FILL);
    assertOk(m.place(buy(ALICE, 5, t(102), FOK)));
  });

  test('a FOK market order counts only liquidity inside the band', () => {
    const m = new TestMarket(create);
    m.setMark(10500);
    m.mustPlace(sell(DAVE, 5, 11500));
    m.setMark(10000);
    m.mustPlace(sell(BOB, 2, t(100)));
    assertRejected(m.place(marketBuy(ALICE, 3, FOK)), Code.FOK_CANNOT_FILL);
    assertOk(m.place(marketBuy(ALICE, 2, FOK)));
    assertPositions(m.engine, { [ALICE]: 2 });
  });

  test('the FOK walk skips own orders under EXPIRE_MAKER, and execution then cancels them', () => {
    const m = new TestMarket(create);
    const own = m.mustPlace(sell(ALICE, 2, t(100)));
    const bob = m.mustPlace(sell(BOB, 3, t(100)));
    const r = m.place(buy(ALICE, 3, t(100), { ...FOK, stp: StpMode.EXPIRE_MAKER }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(100), 3),
      ev.cancel(own, ALICE, SELL, 2, CancelReason.STP_MAKER),
      ev.level(SELL, t(100), 3, 1),
      ev.fill(bob, BOB, r.orderId, ALICE, BUY, t(100), 3, 0, 0),
      ev.level(SELL, t(100), 0, 0),
    ]);
  });

  test('the FOK walk stops at an own order under EXPIRE_TAKER and EXPIRE_BOTH', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(BOB, 3, t(100)));
    m.mustPlace(sell(ALICE, 2, t(100)));
    m.mustPlace(sell(CAROL, 5, t(100)));
    assertRejected(m.place(buy(ALICE, 4, t(100), { ...FOK, stp: StpMode.EXPIRE_TAKER })), Code.FOK_CANNOT_FILL);
    assertRejected(m.place(buy(ALICE, 4, t(100), { ...FOK, stp: StpMode.EXPIRE_BOTH })), Code.FOK_CANNOT_FILL);
    // enough before the own order: accepted, and the own order is never reached
    const r = m.place(buy(ALICE, 3, t(100), { ...FOK, stp: StpMode.EXPIRE_BOTH }));
    assertOk(r);
    assertBook(m.engine, { asks: [[t(100), 7, 2]] });
  });
});
