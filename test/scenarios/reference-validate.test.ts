/**
 * The reference engine's validateInternalState() is not vacuous: corrupting each
 * structure it guards makes it throw. (Reference-only: it reaches into internals.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReferenceMarket, ReferenceMarket } from '../../engine/reference/reference-market.js';
import { OrderFlag, Side } from '../../engine/types.js';
import { ALICE, BOB, buy, CAROL, sell, stop, t, takeProfit, TestMarket } from '../support/dsl.js';

function populated(): { m: TestMarket; ref: ReferenceMarket } {
  const m = new TestMarket(createReferenceMarket);
  m.givePosition(ALICE, 3, CAROL);
  m.mustPlace(buy(ALICE, 2, t(99), { cloid: 1 }));
  m.mustPlace(buy(BOB, 3, t(99)));
  m.mustPlace(buy(BOB, 1, t(98)));
  m.mustPlace(sell(ALICE, 3, t(101), { flags: OrderFlag.REDUCE_ONLY }));
  m.mustPlace(sell(BOB, 2, t(102), { cloid: 2 }));
  const sl = m.mustPlace(stop(ALICE, Side.SELL, 1, t(95)));
  m.mustPlace(takeProfit(ALICE, Side.SELL, 1, t(105), { oco: sl }));
  return { m, ref: m.engine as ReferenceMarket };
}

const corruptions: { name: string; corrupt: (r: ReferenceMarket) => void; message: RegExp }[] = [
  { name: 'a crossed book', corrupt: (r) => (r.asks.levels[0].price = t(98.5)), message: /crossed|sits in/ },
  { name: 'levels out of order', corrupt: (r) => r.bids.levels.reverse(), message: /not strictly ordered/ },
  { name: 'an empty level left behind', corrupt: (r) => r.bids.levels.push({ price: t(90), orders: [] }), message: /empty/ },
  { name: 'an order with remaining 0', corrupt: (r) => (r.bids.levels[0].orders[0].remaining = 0), message: /remaining 0/ },
  { name: 'an order unreachable by id', corrupt: (r) => r.byId.delete(r.bids.levels[0].orders[1].id), message: /not reachable/ },
  { name: 'an id pointing at no order in the book', corrupt: (r) => r.byId.set(999, { ...r.bids.levels[0].orders[0], id: 999 }), message: /reachable/ },
  { name: 'two live orders sharing a cloid', corrupt: (r) => (r.asks.levels[0].orders[0].cloid = [1, 0, 0, 0]), message: /cloid/ },
  { name: 'a reduce-only order above its reducible amount', corrupt: (r) => r.positions.set(ALICE, 1).set(CAROL, -1), message: /reducible/ },
  { name: 'positions not summing to zero', corrupt: (r) => r.positions.set(BOB, 4), message: /sum/ },
  { name: 'a zero position entry', corrupt: (r) => r.positions.set(BOB, 0), message: /position of account/ },
  { name: 'triggers out of id order', corrupt: (r) => r.triggers.reverse(), message: /order id order/ },
  { name: 'a one-sided OCO link', corrupt: (r) => (r.triggers[1].oco = 0), message: /OCO/ },
  { name: 'too many open orders for an account', corrupt: (r) => ((r.spec as { maxOpenOrdersPerAccount: number }).maxOpenOrdersPerAccount = 3), message: /open orders/ },
];

for (const c of corruptions) {
  test(`reference validateInternalState detects ${c.name}`, () => {
    const { ref } = populated();
    ref.validateInternalState();
    c.corrupt(ref);
    assert.throws(() => ref.validateInternalState(), c.message);
  });
}
