/** Self-trade prevention (docs/matching.md, "Execution of an incoming order", step 1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { Side, StpMode } from '../../engine/types.js';
import {
  ALICE,
  assertBook,
  assertPositions,
  assertRejected,
  BOB,
  buy,
  CAROL,
  ev,
  forEachEngine,
  IOC,
  marketBuy,
  sell,
  t,
  TestMarket,
} from '../support/dsl.js';

const { BUY, SELL } = Side;

/** Asks at 100: Bob 1 (head), Alice 2, Carol 3. */
function bookWithAliceInTheMiddle(m: TestMarket): { bob: number; alice: number; carol: number } {
  return { bob: m.mustPlace(sell(BOB, 1, t(100))), alice: m.mustPlace(sell(ALICE, 2, t(100), { stp: StpMode.EXPIRE_BOTH })), carol: m.mustPlace(sell(CAROL, 3, t(100))) };
}

forEachEngine('self-trade prevention', (create) => {
  test('EXPIRE_TAKER: the incoming order keeps its earlier fills, stops at its own order and its rest is cancelled STP_TAKER (a GTC does not rest)', () => {
    const m = new TestMarket(create);
    const o = bookWithAliceInTheMiddle(m);
    const r = m.place(buy(ALICE, 5, t(101), { stp: StpMode.EXPIRE_TAKER }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 5),
      ev.fill(o.bob, BOB, r.orderId, ALICE, BUY, t(100), 1, 0, 4),
      ev.level(SELL, t(100), 5, 2),
      ev.cancel(r.orderId, ALICE, BUY, 4, CancelReason.STP_TAKER),
    ]);
    assertBook(m.engine, { asks: [[t(100), 5, 2]] });
    assertPositions(m.engine, { [ALICE]: 1, [BOB]: -1, [CAROL]: 0 });
    assert.ok(m.engine.order(o.alice), 'the resting order of the same account stays (the maker\'s own STP mode does not matter)');
  });

  test('EXPIRE_MAKER: the own resting order is cancelled STP_MAKER and matching continues behind it', () => {
    const m = new TestMarket(create);
    const o = bookWithAliceInTheMiddle(m);
    const r = m.place(buy(ALICE, 5, t(101), { stp: StpMode.EXPIRE_MAKER }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 5),
      ev.fill(o.bob, BOB, r.orderId, ALICE, BUY, t(100), 1, 0, 4),
      ev.level(SELL, t(100), 5, 2),
      ev.cancel(o.alice, ALICE, SELL, 2, CancelReason.STP_MAKER),
      ev.level(SELL, t(100), 3, 1),
      ev.fill(o.carol, CAROL, r.orderId, ALICE, BUY, t(100), 3, 0, 1),
      ev.level(SELL, t(100), 0, 0),
      ev.rest(r.orderId, ALICE, BUY, t(101), 1),
      ev.level(BUY, t(101), 1, 1),
    ]);
    assertPositions(m.engine, { [ALICE]: 4, [BOB]: -1, [CAROL]: -3 });
  });

  test('EXPIRE_BOTH: the own resting order is cancelled STP_MAKER, then the incoming rest STP_TAKER', () => {
    const m = new TestMarket(create);
    const o = bookWithAliceInTheMiddle(m);
    const r = m.place(buy(ALICE, 5, t(101), { stp: StpMode.EXPIRE_BOTH }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 5),
      ev.fill(o.bob, BOB, r.orderId, ALICE, BUY, t(100), 1, 0, 4),
      ev.level(SELL, t(100), 5, 2),
      ev.cancel(o.alice, ALICE, SELL, 2, CancelReason.STP_MAKER),
      ev.level(SELL, t(100), 3, 1),
      ev.cancel(r.orderId, ALICE, BUY, 4, CancelReason.STP_TAKER),
    ]);
    assertBook(m.engine, { asks: [[t(100), 3, 1]] });
  });

  test('EXPIRE_MAKER removes several own orders across levels and never prints a self-fill', () => {
    const m = new TestMarket(create);
    const a1 = m.mustPlace(sell(ALICE, 1, t(100)));
    const a2 = m.mustPlace(sell(ALICE, 1, t(100.5)));
    const r = m.place(buy(ALICE, 2, t(101), { stp: StpMode.EXPIRE_MAKER }));
    assert.deepEqual(r.events, [
      ev.accept(r.orderId, ALICE, BUY, t(101), 2),
      ev.cancel(a1, ALICE, SELL, 1, CancelReason.STP_MAKER),
      ev.level(SELL, t(100), 0, 0),
      ev.cancel(a2, ALICE, SELL, 1, CancelReason.STP_MAKER),
      ev.level(SELL, t(100.5), 0, 0),
      ev.rest(r.orderId, ALICE, BUY, t(101), 2),
      ev.level(BUY, t(101), 2, 1),
    ]);
    assertPositions(m.engine, { [ALICE]: 0 });
  });

  test('STP cancels an IOC or market order with STP_TAKER, not with its remainder reason', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(ALICE, 2, t(100)));
    const ioc = m.place(buy(ALICE, 1, t(100), IOC));
    assert.deepEqual(ioc.events, [ev.accept(ioc.orderId, ALICE, BUY, t(100), 1), ev.cancel(ioc.orderId, ALICE, BUY, 1, CancelReason.STP_TAKER)]);
    const mkt = m.place(marketBuy(ALICE, 1, { stp: StpMode.EXPIRE_BOTH }));
    assert.equal(mkt.events.at(-1)?.e, 'cancel');
    assert.deepEqual(mkt.events.at(-1), ev.cancel(mkt.orderId, ALICE, BUY, 1, CancelReason.STP_TAKER));
  });

  test('orders of other accounts never trigger STP, even at the same price', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(100)));
    const r = m.place(buy(CAROL, 2, t(100), { stp: StpMode.EXPIRE_BOTH }));
    assert.deepEqual(r.events.slice(1), [ev.fill(bob, BOB, r.orderId, CAROL, BUY, t(100), 2, 0, 0), ev.level(SELL, t(100), 0, 0)]);
  });

  test('STP mode DEFAULT (resolved by the ledger) and unknown modes are INVALID_ORDER_FLAGS in the market', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(BOB, 2, t(100)));
    assertRejected(m.place(buy(ALICE, 1, t(99), { stp: StpMode.DEFAULT })), Code.INVALID_ORDER_FLAGS);
    assertRejected(m.place(buy(ALICE, 1, t(99), { stp: 4 })), Code.INVALID_ORDER_FLAGS);
  });
});
