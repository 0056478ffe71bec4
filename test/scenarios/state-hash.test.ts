/**
 * The state hash walk (docs/matching.md, "State hash"), recomputed by hand from a
 * small known state: both engines must feed exactly this sequence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateHasher } from '../../engine/state-hash.js';
import { MarketStatus, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import { ALICE, BOB, buy, CAROL, DAVE, forEachEngine, sell, stop, t, takeProfit, TestMarket } from '../support/dsl.js';

const { BUY } = Side;

forEachEngine('state hash', (create) => {
  test('the hash of a small state equals the documented walk: mark, status, bids, asks, triggers, positions', () => {
    const m = new TestMarket(create);
    const a = m.place(buy(ALICE, 2, t(99), { cloid: [1, 2, 3, 4], stp: StpMode.EXPIRE_MAKER }));
    const b = m.place(buy(BOB, 3, t(99), { flags: 1 }));
    const c = m.place(sell(CAROL, 5, t(101)));
    m.place(buy(DAVE, 1, t(101), { tif: TimeInForce.IOC })); // Carol 4 left, filled 1; Dave +1, Carol -1
    const s1 = m.place(stop(ALICE, BUY, 6, t(105), { type: OrderType.LIMIT, tif: TimeInForce.GTC, price: t(106), stp: StpMode.EXPIRE_BOTH, cloid: 9 }));
    const s2 = m.place(takeProfit(ALICE, BUY, 7, t(95), { oco: s1.orderId }));
    m.halt();
    m.setMark(t(100.5));

    const h = new StateHasher();
    h.add(t(100.5)).add(MarketStatus.HALTED);
    // bids: one level, two orders in FIFO order
    h.add(t(99)).add(2).add(5);
    h.add(a.orderId).add(ALICE).add(2).add(0).add(0).add(StpMode.EXPIRE_MAKER).add(TimeInForce.GTC).add(1).add(2).add(3).add(4).add(a.cmd.tsUs);
    h.add(b.orderId).add(BOB).add(3).add(0).add(1).add(StpMode.EXPIRE_TAKER).add(TimeInForce.GTC).add(0).add(0).add(0).add(0).add(b.cmd.tsUs);
    h.add(-1);
    // asks
    h.add(t(101)).add(1).add(4);
    h.add(c.orderId).add(CAROL).add(4).add(1).add(0).add(StpMode.EXPIRE_TAKER).add(TimeInForce.GTC).add(0).add(0).add(0).add(0).add(c.cmd.tsUs);
    h.add(-1);
    // triggers in order id order
    h.add(s1.orderId).add(ALICE).add(BUY).add(OrderType.LIMIT).add(TimeInForce.GTC).add(0).add(StpMode.EXPIRE_BOTH).add(TriggerKind.STOP).add(t(105)).add(t(106)).add(6).add(0).add(s2.orderId);
    h.add(9).add(0).add(0).add(0).add(s1.cmd.tsUs);
    h.add(s2.orderId).add(ALICE).add(BUY).add(OrderType.MARKET).add(TimeInForce.IOC).add(0).add(StpMode.EXPIRE_TAKER).add(TriggerKind.TAKE_PROFIT).add(t(95)).add(0).add(7).add(0).add(s1.orderId);
    h.add(0).add(0).add(0).add(0).add(s2.cmd.tsUs);
    h.add(-1);
    // non-zero positions by account id
    h.add(CAROL).add(-1).add(DAVE).add(1).add(-1);

    assert.equal(m.engine.stateHash(), h.digest());
  });

  test('an empty market hashes mark, status and three terminators', () => {
    const m = new TestMarket(create);
    assert.equal(m.engine.stateHash(), new StateHasher().add(10_000).add(MarketStatus.ACTIVE).add(-1).add(-1).add(-1).add(-1).digest());
  });

  test('the hash follows queue order, not order id order, after a requeue', () => {
    const m = new TestMarket(create);
    const a = m.place(sell(ALICE, 1, t(101)));
    const b = m.place(sell(BOB, 1, t(101)));
    const before = m.engine.stateHash();
    m.modify(ALICE, a.orderId, { price: t(101), size: 2 }); // to the tail, behind Bob
    m.modify(ALICE, a.orderId, { price: t(101), size: 1 }); // shrink in place: back to size 1 but still behind Bob
    const after = m.engine.stateHash();
    assert.notEqual(after, before);
    const h = new StateHasher().add(10_000).add(0).add(-1).add(t(101)).add(2).add(2);
    h.add(b.orderId).add(BOB).add(1).add(0).add(0).add(1).add(0).add(0).add(0).add(0).add(0).add(b.cmd.tsUs);
    h.add(a.orderId).add(ALICE).add(1).add(0).add(0).add(1).add(0).add(0).add(0).add(0).add(0).add(a.cmd.tsUs);
    h.add(-1).add(-1).add(-1);
    assert.equal(after, h.digest(), 'tsUs stays the PLACE command\'s after a modify');
  });
});
