/** CANCEL, CANCEL_BY_CLOID, CANCEL_ALL and MODIFY (docs/matching.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { Side } from '../../engine/types.js';
import {
  ALICE,
  aliceBuys5At99,
  assertBook,
  assertOk,
  assertRejected,
  BOB,
  bobSells5At100,
  buy,
  CAROL,
  DAVE,
  ev,
  forEachEngine,
  liveIds,
  REDUCE_ONLY,
  RO,
  sell,
  stop,
  t,
  takeProfit,
  TestMarket,
} from '../support/dsl.js';

const { BUY, SELL } = Side;

forEachEngine('cancel', (create) => {
  test('cancelling a resting order reports USER and the level\'s new aggregate', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    m.mustPlace(sell(CAROL, 2, t(100)));
    const r = m.cancel(BOB, bob);
    assert.deepEqual(r.events, [ev.cancel(bob, BOB, SELL, 5, CancelReason.USER), ev.level(SELL, t(100), 2, 1)]);
    assertBook(m.engine, { asks: [[t(100), 2, 1]] });
    assert.equal(m.engine.order(bob), undefined);
  });

  test('cancelling the last order of a level reports the level as gone (0, 0)', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(aliceBuys5At99);
    assert.deepEqual(m.cancel(ALICE, a).events, [ev.cancel(a, ALICE, BUY, 5, CancelReason.USER), ev.level(BUY, t(99), 0, 0)]);
    assertBook(m.engine, {});
  });

  test('cancelling a parked trigger reports USER and no level event', () => {
    const m = new TestMarket(create);
    const s = m.mustPlace(stop(ALICE, BUY, 2, t(105)));
    assert.deepEqual(m.cancel(ALICE, s).events, [ev.cancel(s, ALICE, BUY, 2, CancelReason.USER)]);
    assert.equal(m.engine.liveOrderCount(), 0);
  });

  test('cancelling an unknown, filled or already-cancelled order is UNKNOWN_ORDER', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const carol = m.mustPlace(sell(CAROL, 1, t(101)));
    m.mustPlace(buy(ALICE, 5, t(100)));
    m.cancel(CAROL, carol);
    assertRejected(m.cancel(BOB, 424242), Code.UNKNOWN_ORDER);
    assertRejected(m.cancel(BOB, bob), Code.UNKNOWN_ORDER);
    assertRejected(m.cancel(CAROL, carol), Code.UNKNOWN_ORDER);
  });

  test('cancelling another account\'s order is NOT_OWNER', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    assertRejected(m.cancel(ALICE, bob), Code.NOT_OWNER);
    assert.ok(m.engine.order(bob));
  });

  test('cancels work while the market is halted', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const a = m.mustPlace(buy(ALICE, 1, t(99), { cloid: 5 }));
    m.halt();
    assertOk(m.cancel(BOB, bob));
    assertOk(m.cancelByCloid(ALICE, 5));
    assertBook(m.engine, {});
    assert.equal(m.engine.order(a), undefined);
  });
});

forEachEngine('cancel by cloid', (create) => {
  test('cancel by cloid matches all four words of the account\'s live order', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(buy(ALICE, 1, t(99), { cloid: [1, 2, 3, 4] }));
    const b = m.mustPlace(buy(ALICE, 1, t(98), { cloid: [1, 2, 3, 5] }));
    assertRejected(m.cancelByCloid(ALICE, [1, 2, 3, 6]), Code.UNKNOWN_ORDER);
    const r = m.cancelByCloid(ALICE, [1, 2, 3, 5]);
    assert.deepEqual(r.events, [ev.cancel(b, ALICE, BUY, 1, CancelReason.USER), ev.level(BUY, t(98), 0, 0)]);
    assert.ok(m.engine.order(a));
  });

  test('another account\'s cloid is UNKNOWN_ORDER (not NOT_OWNER), and an all-zero cloid never matches', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(ALICE, 1, t(99), { cloid: 9 }));
    m.mustPlace(buy(ALICE, 1, t(98)));
    assertRejected(m.cancelByCloid(BOB, 9), Code.UNKNOWN_ORDER);
    assertRejected(m.cancelByCloid(ALICE, 0), Code.UNKNOWN_ORDER);
  });

  test('a cloid is free again once its order is gone (filled or cancelled)', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(ALICE, 1, t(99), { cloid: 9 }));
    assertRejected(m.place(buy(ALICE, 1, t(98), { cloid: 9 })), Code.DUPLICATE_CLOID);
    m.cancelByCloid(ALICE, 9);
    const again = m.mustPlace(sell(ALICE, 1, t(101), { cloid: 9 }));
    m.mustPlace(buy(BOB, 1, t(101)));
    assert.equal(m.engine.order(again), undefined);
    assertOk(m.place(buy(ALICE, 1, t(98), { cloid: 9 })));
  });

  test('cancel by cloid of a trigger in an OCO pair cancels the partner with OCO', () => {
    const m = new TestMarket(create);
    const sl = m.mustPlace(stop(ALICE, SELL, 2, t(95), { cloid: 11 }));
    const tp = m.mustPlace(takeProfit(ALICE, SELL, 2, t(105), { oco: sl, cloid: 12 }));
    const r = m.cancelByCloid(ALICE, 12);
    assert.deepEqual(r.events, [ev.cancel(tp, ALICE, SELL, 2, CancelReason.USER), ev.cancel(sl, ALICE, SELL, 2, CancelReason.OCO)]);
  });
});

forEachEngine('cancel all', (create) => {
  test('cancel-all cancels every live order of the account, triggers included, in order id order with MASS_CANCEL', () => {
    const m = new TestMarket(create);
    const a1 = m.mustPlace(buy(ALICE, 1, t(99)));
    const bob = m.mustPlace(buy(BOB, 2, t(99)));
    const a2 = m.mustPlace(stop(ALICE, BUY, 3, t(105)));
    const a3 = m.mustPlace(sell(ALICE, 4, t(101)));
    const a4 = m.mustPlace(buy(ALICE, 5, t(98)));
    const r = m.cancelAll(ALICE);
    assert.deepEqual(r.events, [
      ev.cancel(a1, ALICE, BUY, 1, CancelReason.MASS_CANCEL),
      ev.level(BUY, t(99), 2, 1),
      ev.cancel(a2, ALICE, BUY, 3, CancelReason.MASS_CANCEL),
      ev.cancel(a3, ALICE, SELL, 4, CancelReason.MASS_CANCEL),
      ev.level(SELL, t(101), 0, 0),
      ev.cancel(a4, ALICE, BUY, 5, CancelReason.MASS_CANCEL),
      ev.level(BUY, t(98), 0, 0),
    ]);
    assert.deepEqual(liveIds(m.engine, BOB), [bob]);
    assertBook(m.engine, { bids: [[t(99), 2, 1]] });
  });

  test('cancel-all cancels the later order of an OCO pair as OCO and skips it afterwards', () => {
    const m = new TestMarket(create);
    const sl = m.mustPlace(stop(ALICE, SELL, 2, t(95)));
    const tp = m.mustPlace(takeProfit(ALICE, SELL, 2, t(105), { oco: sl }));
    const r = m.cancelAll(ALICE);
    assert.deepEqual(r.events, [ev.cancel(sl, ALICE, SELL, 2, CancelReason.MASS_CANCEL), ev.cancel(tp, ALICE, SELL, 2, CancelReason.OCO)]);
  });

  test('cancel-all never rejects: an account without orders gets OK and no events, also while halted', () => {
    const m = new TestMarket(create);
    m.mustPlace(bobSells5At100);
    const r = m.cancelAll(ALICE);
    assert.deepEqual([r.code, r.events], [Code.OK, []]);
    m.halt();
    const r2 = m.cancelAll(BOB);
    assert.equal(r2.code, Code.OK);
    assert.equal(r2.events.length, 2);
  });
});

forEachEngine('modify', (create) => {
  test('a smaller size at the same price shrinks in place and keeps queue priority', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const carol = m.mustPlace(sell(CAROL, 5, t(100)));
    const r = m.modify(BOB, bob, { price: t(100), size: 2 });
    assert.deepEqual(r.events, [ev.modify(bob, BOB, SELL, t(100), 5, 2, 2, 0, false), ev.level(SELL, t(100), 7, 2)]);
    const a = m.place(buy(ALICE, 3, t(100)));
    assert.deepEqual(a.events.filter((e) => e.e === 'fill').map((e) => (e as { makerOrderId: number }).makerOrderId), [bob, carol]);
  });

  test('the same price and size is applied in place with onModify and no level event', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    assert.deepEqual(m.modify(BOB, bob, { price: t(100), size: 5, preheld: 0 }).events, [ev.modify(bob, BOB, SELL, t(100), 5, 5, 0, 0, false)]);
    assert.deepEqual(m.modify(BOB, bob, { price: t(100) }).events, [ev.modify(bob, BOB, SELL, t(100), 5, 5, 0, 0, false)]);
  });

  test('size 0 keeps the remaining size; a price change requeues the order at the tail of its new level', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const carol = m.mustPlace(sell(CAROL, 1, t(101)));
    const r = m.modify(BOB, bob, { price: t(101) });
    assert.deepEqual(r.events, [
      ev.modify(bob, BOB, SELL, t(101), 5, 5, 0, 0, true),
      ev.level(SELL, t(100), 0, 0),
      ev.rest(bob, BOB, SELL, t(101), 5),
      ev.level(SELL, t(101), 6, 2),
    ]);
    const a = m.place(buy(ALICE, 2, t(101)));
    assert.deepEqual(a.events.filter((e) => e.e === 'fill').map((e) => (e as { makerOrderId: number }).makerOrderId), [carol, bob]);
  });

  test('a size increase at the same price loses queue priority', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    const carol = m.mustPlace(sell(CAROL, 5, t(100)));
    const r = m.modify(BOB, bob, { price: t(100), size: 8 });
    assert.deepEqual(r.events, [
      ev.modify(bob, BOB, SELL, t(100), 5, 8, 8, 0, true),
      ev.level(SELL, t(100), 5, 1),
      ev.rest(bob, BOB, SELL, t(100), 8),
      ev.level(SELL, t(100), 13, 2),
    ]);
    const a = m.place(buy(ALICE, 6, t(100)));
    assert.deepEqual(a.events.filter((e) => e.e === 'fill').map((e) => (e as { makerOrderId: number }).makerOrderId), [carol, bob]);
  });

  test('a price change that crosses executes as a taker at the new price and rests the rest', () => {
    const m = new TestMarket(create);
    const dave = m.mustPlace(buy(DAVE, 3, t(99)));
    const bob = m.mustPlace(bobSells5At100);
    const r = m.modify(BOB, bob, { price: t(99) });
    assert.deepEqual(r.events, [
      ev.modify(bob, BOB, SELL, t(99), 5, 5, 0, 0, true),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(dave, DAVE, bob, BOB, SELL, t(99), 3, 0, 2),
      ev.level(BUY, t(99), 0, 0),
      ev.rest(bob, BOB, SELL, t(99), 2),
      ev.level(SELL, t(99), 2, 1),
    ]);
  });

  test('a requeued order applies its own STP mode (EXPIRE_TAKER cancels the modified order)', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(BOB, 3, t(99)));
    const ask = m.mustPlace(bobSells5At100);
    const r = m.modify(BOB, ask, { price: t(99) });
    assert.deepEqual(r.events, [
      ev.modify(ask, BOB, SELL, t(99), 5, 5, 0, 0, true),
      ev.level(SELL, t(100), 0, 0),
      ev.cancel(ask, BOB, SELL, 5, CancelReason.STP_TAKER),
    ]);
    assert.equal(m.engine.order(ask), undefined);
  });

  test('the filled amount is kept: size = filled + remaining after a modify', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    m.mustPlace(buy(ALICE, 2, t(100)));
    assertOk(m.modify(BOB, bob, { price: t(101), size: 4, preheld: 1 }));
    const v = m.engine.order(bob)!;
    assert.deepEqual([v.filledLots, v.remainingLots, v.priceTicks], [2, 4, t(101)]);
  });

  test('a size increase needs preheldLots ≥ the increase, else INSUFFICIENT_MARGIN', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(bobSells5At100);
    assertRejected(m.modify(BOB, bob, { price: t(100), size: 8, preheld: 2 }), Code.INSUFFICIENT_MARGIN);
    assertOk(m.modify(BOB, bob, { price: t(100), size: 8, preheld: 3 }));
    assertOk(m.modify(BOB, bob, { price: t(100), size: 3, preheld: 0 }));
  });

  test('a modify that trades runs the reduce-only sweep afterwards', () => {
    const m = new TestMarket(create);
    m.givePosition(CAROL, 5, BOB);
    const dave = m.mustPlace(buy(DAVE, 3, t(99)));
    const ro = m.mustPlace(sell(CAROL, 5, t(102), REDUCE_ONLY));
    const plain = m.mustPlace(sell(CAROL, 4, t(100)));
    const r = m.modify(CAROL, plain, { price: t(99) });
    assert.deepEqual(r.events, [
      ev.modify(plain, CAROL, SELL, t(99), 4, 4, 0, 0, true),
      ev.level(SELL, t(100), 0, 0),
      ev.fill(dave, DAVE, plain, CAROL, SELL, t(99), 3, 0, 1),
      ev.level(BUY, t(99), 0, 0),
      ev.rest(plain, CAROL, SELL, t(99), 1),
      ev.level(SELL, t(99), 1, 1),
      ev.reduce(ro, CAROL, SELL, 5, 2, RO),
      ev.level(SELL, t(102), 2, 1),
    ]);
  });

  test('an unchanged price may lie outside the band (the mark moved); a changed one may not', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(buy(ALICE, 5, 9100));
    m.setMark(11000); // band [9900, 12100]
    assertOk(m.modify(ALICE, a, { price: 9100, size: 3 }));
    assertRejected(m.modify(ALICE, a, { price: 9150 }), Code.PRICE_OUT_OF_BAND);
    assertOk(m.modify(ALICE, a, { price: 9900 }));
  });
});
