/** Post-only orders (docs/matching.md, PLACE rules 3 and 12, MODIFY rule 8). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code } from '../../engine/codes.js';
import { OrderType, Side, TimeInForce, TriggerKind } from '../../engine/types.js';
import {
  ALICE,
  assertBook,
  assertOk,
  assertRejected,
  BOB,
  bobSells5At100,
  buy,
  CAROL,
  ev,
  forEachEngine,
  PO,
  POST_ONLY,
  sell,
  t,
  TestMarket,
  type PlaceArgs,
} from '../support/dsl.js';

const { BUY, SELL } = Side;

forEachEngine('post-only', (create) => {
  test('a post-only buy below the best ask rests like a GTC limit and reports its flag', () => {
    const m = new TestMarket(create);
    m.mustPlace(bobSells5At100);
    const r = m.place(buy(ALICE, 5, t(99.99), POST_ONLY));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, BUY, t(99.99), 5, PO), ev.rest(r.orderId, ALICE, BUY, t(99.99), 5), ev.level(BUY, t(99.99), 5, 1)]);
    assert.equal(m.engine.order(r.orderId)?.flags, PO);
  });

  const crossing: { name: string; setup: PlaceArgs; order: PlaceArgs }[] = [
    { name: 'a post-only buy that would cross the best ask', setup: sell(BOB, 5, t(100)), order: buy(ALICE, 5, t(100.5), POST_ONLY) },
    { name: 'a post-only buy at exactly the best ask price', setup: sell(BOB, 5, t(100)), order: buy(ALICE, 5, t(100), POST_ONLY) },
    { name: 'a post-only sell at exactly the best bid price', setup: buy(BOB, 5, t(99)), order: sell(ALICE, 5, t(99), POST_ONLY) },
    { name: 'a post-only sell that would cross only its own account\'s bid', setup: buy(ALICE, 5, t(99)), order: sell(ALICE, 1, t(98), POST_ONLY) },
  ];
  for (const c of crossing) {
    test(`${c.name} is rejected POST_ONLY_WOULD_CROSS (never repriced) and changes nothing`, () => {
      const m = new TestMarket(create);
      m.mustPlace(c.setup);
      const before = m.engine.l2(c.setup.side, 10);
      assertRejected(m.place(c.order), Code.POST_ONLY_WOULD_CROSS);
      assert.deepEqual(m.engine.l2(c.setup.side, 10), before);
      assert.equal(m.engine.l2(c.order.side, 10).length, 0);
    });
  }

  const badCombos: { name: string; order: PlaceArgs }[] = [
    { name: 'with IOC', order: buy(ALICE, 1, t(99), { ...POST_ONLY, tif: TimeInForce.IOC }) },
    { name: 'with FOK', order: buy(ALICE, 1, t(99), { ...POST_ONLY, tif: TimeInForce.FOK }) },
    { name: 'on a market order', order: buy(ALICE, 1, 0, { ...POST_ONLY, type: OrderType.MARKET, tif: TimeInForce.IOC }) },
    { name: 'on a stop-limit trigger', order: buy(ALICE, 1, t(99), { ...POST_ONLY, trigger: { kind: TriggerKind.STOP, price: t(101) } }) },
  ];
  for (const c of badCombos) {
    test(`post-only ${c.name} is INVALID_ORDER_FLAGS`, () => {
      const m = new TestMarket(create);
      m.mustPlace(bobSells5At100);
      assertRejected(m.place(c.order), Code.INVALID_ORDER_FLAGS);
    });
  }

  test('a resting post-only order trades normally as a maker and the fill carries its flags', () => {
    const m = new TestMarket(create);
    const po = m.mustPlace(sell(BOB, 3, t(100), POST_ONLY));
    const r = m.place(buy(ALICE, 2, t(100)));
    assert.deepEqual(r.events.slice(1), [ev.fill(po, BOB, r.orderId, ALICE, BUY, t(100), 2, 1, 0, PO, 0), ev.level(SELL, t(100), 1, 1)]);
  });

  test('modifying a post-only order to a crossing price is POST_ONLY_WOULD_CROSS; a non-crossing move is fine', () => {
    const m = new TestMarket(create);
    m.mustPlace(sell(CAROL, 1, t(101)));
    const po = m.mustPlace(buy(ALICE, 2, t(99), POST_ONLY));
    assertRejected(m.modify(ALICE, po, { price: t(101) }), Code.POST_ONLY_WOULD_CROSS);
    assertRejected(m.modify(ALICE, po, { price: t(102), size: 1 }), Code.POST_ONLY_WOULD_CROSS);
    assertOk(m.modify(ALICE, po, { price: t(100.99) }));
    assertBook(m.engine, { bids: [[t(100.99), 2, 1]], asks: [[t(101), 1, 1]] });
  });

  test('a plain (not post-only) order modified to a crossing price trades instead', () => {
    const m = new TestMarket(create);
    const carol = m.mustPlace(sell(CAROL, 1, t(101)));
    const a = m.mustPlace(buy(ALICE, 2, t(99)));
    const r = m.modify(ALICE, a, { price: t(101) });
    assert.deepEqual(r.events.filter((e) => e.e === 'fill'), [ev.fill(carol, CAROL, a, ALICE, BUY, t(101), 1, 0, 1)]);
  });
});
