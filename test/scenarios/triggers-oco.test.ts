/** Trigger orders, firing order, OCO pairs, halts (docs/matching.md, "Triggers", "SET_MARKET_STATUS"). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { MarketStatus, OrderType, Side, TimeInForce, TriggerKind } from '../../engine/types.js';
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
  forEachEngine,
  REDUCE_ONLY,
  RO,
  sell,
  stop,
  t,
  takeProfit,
  TestMarket,
  type PlaceArgs,
} from '../support/dsl.js';

const { BUY, SELL } = Side;
const LIMIT_GTC = { type: OrderType.LIMIT, tif: TimeInForce.GTC } as const;

forEachEngine('trigger placement', (create) => {
  test('a trigger parks off-book: accepted with isTrigger, not in the L2, but an open order of its account', () => {
    const m = new TestMarket(create);
    const r = m.place(stop(ALICE, BUY, 2, t(101), { ...LIMIT_GTC, price: t(101.5), cloid: 3 }));
    assert.deepEqual(r.events, [ev.accept(r.orderId, ALICE, BUY, t(101.5), 2, 0, true)]);
    assertBook(m.engine, {});
    const v = m.engine.openOrders(ALICE);
    assert.equal(v.length, 1);
    assert.deepEqual(
      [v[0].orderId, v[0].triggerKind, v[0].triggerPriceTicks, v[0].priceTicks, v[0].remainingLots, v[0].cloid],
      [r.orderId, TriggerKind.STOP, t(101), t(101.5), 2, [3, 0, 0, 0]],
    );
    assert.equal(m.engine.liveOrderCount(), 1);
  });

  const crossed: { name: string; order: PlaceArgs; ok: PlaceArgs }[] = [
    { name: 'a stop buy at or below the mark', order: stop(ALICE, BUY, 1, 10_000), ok: stop(ALICE, BUY, 1, 10_001) },
    { name: 'a stop sell at or above the mark', order: stop(ALICE, SELL, 1, 10_000), ok: stop(ALICE, SELL, 1, 9_999) },
    { name: 'a take-profit buy at or above the mark', order: takeProfit(ALICE, BUY, 1, 10_000), ok: takeProfit(ALICE, BUY, 1, 9_999) },
    { name: 'a take-profit sell at or below the mark', order: takeProfit(ALICE, SELL, 1, 10_000), ok: takeProfit(ALICE, SELL, 1, 10_001) },
  ];
  for (const c of crossed) {
    test(`${c.name} is TRIGGER_ALREADY_CROSSED; one tick on the other side parks`, () => {
      const m = new TestMarket(create);
      m.mustPlace(sell(BOB, 1, t(101)));
      assertRejected(m.place(c.order), Code.TRIGGER_ALREADY_CROSSED);
      assertOk(m.place(c.ok));
    });
  }

  test('a stop-limit whose limit lies outside the band is accepted (the band is checked when it fires)', () => {
    const m = new TestMarket(create);
    assertOk(m.place(stop(ALICE, BUY, 1, t(101), { ...LIMIT_GTC, price: t(150) })));
  });
});

forEachEngine('trigger firing', (create) => {
  test('a stop-market buy fires when the mark reaches its trigger (not a tick before) and trades band-limited', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(101)));
    const s = m.mustPlace(stop(ALICE, BUY, 3, t(100.5)));
    assert.deepEqual(m.setMark(t(100.49)).events, [ev.mark(t(100.49))]);
    const r = m.setMark(t(100.5));
    assert.deepEqual(r.events, [
      ev.mark(t(100.5)),
      ev.trigger(s, ALICE, t(100.5)),
      ev.fill(bob, BOB, s, ALICE, BUY, t(101), 2, 0, 1),
      ev.level(SELL, t(101), 0, 0),
      ev.cancel(s, ALICE, BUY, 1, CancelReason.MARKET_REMAINDER),
    ]);
    assert.equal(m.engine.markPriceTicks(), t(100.5));
    assert.equal(m.engine.liveOrderCount(), 0);
  });

  test('a fired market trigger only trades inside the band around the firing mark', () => {
    const m = new TestMarket(create);
    m.mustPlace(buy(BOB, 2, 9000));
    const tp = m.mustPlace(takeProfit(ALICE, SELL, 1, 10_200));
    const r = m.setMark(10_200); // band low ceil(9180) > 9000
    assert.deepEqual(r.events, [ev.mark(10_200), ev.trigger(tp, ALICE, 10_200), ev.cancel(tp, ALICE, SELL, 1, CancelReason.MARKET_REMAINDER)]);
  });

  test('a stop-limit fires and rests at its limit, keeping its id, cloid, placement time and open-order slot', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 1, t(101.2)));
    const placed = m.place(stop(ALICE, BUY, 3, t(101), { ...LIMIT_GTC, price: t(101.5), cloid: 77 }));
    const s = placed.orderId;
    const r = m.setMark(t(101));
    assert.deepEqual(r.events, [
      ev.mark(t(101)),
      ev.trigger(s, ALICE, t(101)),
      ev.fill(bob, BOB, s, ALICE, BUY, t(101.2), 1, 0, 2),
      ev.level(SELL, t(101.2), 0, 0),
      ev.rest(s, ALICE, BUY, t(101.5), 2),
      ev.level(BUY, t(101.5), 2, 1),
    ]);
    const v = m.engine.order(s)!;
    assert.deepEqual([v.remainingLots, v.filledLots, v.tsUs, v.cloid[0], v.triggerKind], [2, 1, placed.cmd.tsUs, 77, TriggerKind.NONE]);
    assert.deepEqual(m.cancelByCloid(ALICE, 77).events, [ev.cancel(s, ALICE, BUY, 2, CancelReason.USER), ev.level(BUY, t(101.5), 0, 0)]);
  });

  test('a fired stop-limit whose limit lies outside the band at the firing mark is cancelled PRICE_BAND', () => {
    const m = new TestMarket(create);
    const s = m.mustPlace(stop(ALICE, BUY, 3, t(105), { ...LIMIT_GTC, price: t(120) }));
    const r = m.setMark(t(105)); // band high 11550
    assert.deepEqual(r.events, [ev.mark(t(105)), ev.trigger(s, ALICE, t(105)), ev.cancel(s, ALICE, BUY, 3, CancelReason.PRICE_BAND)]);
  });

  test('a fired FOK trigger that cannot fill completely is cancelled FOK_UNFILLED; one that can, fills', () => {
    const m = new TestMarket(create);
    const bob = m.mustPlace(sell(BOB, 2, t(101)));
    const big = m.mustPlace(stop(ALICE, BUY, 3, t(100.5), { tif: TimeInForce.FOK }));
    const small = m.mustPlace(stop(CAROL, BUY, 2, t(100.6), { tif: TimeInForce.FOK }));
    const r = m.setMark(t(100.6));
    assert.deepEqual(r.events, [
      ev.mark(t(100.6)),
      ev.trigger(big, ALICE, t(100.6)),
      ev.cancel(big, ALICE, BUY, 3, CancelReason.FOK_UNFILLED),
      ev.trigger(small, CAROL, t(100.6)),
      ev.fill(bob, BOB, small, CAROL, BUY, t(101), 2, 0, 0),
      ev.level(SELL, t(101), 0, 0),
    ]);
  });

  test('"mark ≥ trigger" kinds fire first, lowest trigger price first, ties by order id', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(stop(ALICE, BUY, 1, 10_100));
    const b = m.mustPlace(stop(BOB, BUY, 1, 10_050));
    const c = m.mustPlace(stop(CAROL, BUY, 1, 10_050));
    const d = m.mustPlace(takeProfit(DAVE, SELL, 1, 10_080));
    const r = m.setMark(10_200);
    assert.deepEqual(
      r.events.filter((e) => e.e === 'trigger').map((e) => (e as { orderId: number }).orderId),
      [b, c, d, a],
    );
    assert.equal(r.events.length, 1 + 4 * 2, 'mark, then trigger + MARKET_REMAINDER cancel for each');
  });

  test('"mark ≤ trigger" kinds fire highest trigger price first, ties by order id', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(stop(ALICE, SELL, 1, 9_900));
    const b = m.mustPlace(stop(BOB, SELL, 1, 9_950));
    const c = m.mustPlace(takeProfit(CAROL, BUY, 1, 9_950));
    const d = m.mustPlace(takeProfit(DAVE, BUY, 1, 9_800));
    const r = m.setMark(9_700);
    assert.deepEqual(r.events.filter((e) => e.e === 'trigger').map((e) => (e as { orderId: number }).orderId), [b, c, a, d]);
  });

  test('each firing sees the book left by the previous one (a fired stop-limit can be hit by the next trigger)', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(stop(ALICE, BUY, 2, 10_040, { ...LIMIT_GTC, price: 10_150 }));
    const b = m.mustPlace(takeProfit(BOB, SELL, 2, 10_050));
    const r = m.setMark(10_100);
    assert.deepEqual(r.events, [
      ev.mark(10_100),
      ev.trigger(a, ALICE, 10_100),
      ev.rest(a, ALICE, BUY, 10_150, 2),
      ev.level(BUY, 10_150, 2, 1),
      ev.trigger(b, BOB, 10_100),
      ev.fill(a, ALICE, b, BOB, SELL, 10_150, 2, 0, 0),
      ev.level(BUY, 10_150, 0, 0),
    ]);
    assertPositions(m.engine, { [ALICE]: 2, [BOB]: -2 });
  });

  test('a fired trigger runs the reduce-only sweep of the accounts it traded with', () => {
    const m = new TestMarket(create);
    m.givePosition(BOB, 4, DAVE);
    const bobPlain = m.mustPlace(sell(BOB, 3, t(101)));
    const bobRo = m.mustPlace(sell(BOB, 4, t(102), REDUCE_ONLY));
    const s = m.mustPlace(stop(ALICE, BUY, 3, t(100.5)));
    const r = m.setMark(t(100.5));
    assert.deepEqual(r.events, [
      ev.mark(t(100.5)),
      ev.trigger(s, ALICE, t(100.5)),
      ev.fill(bobPlain, BOB, s, ALICE, BUY, t(101), 3, 0, 0),
      ev.level(SELL, t(101), 0, 0),
      ev.reduce(bobRo, BOB, SELL, 4, 1, RO),
      ev.level(SELL, t(102), 1, 1),
    ]);
  });
});

forEachEngine('OCO', (create) => {
  test('when one order of an OCO pair fires, its partner is cancelled OCO right after onTrigger', () => {
    const m = new TestMarket(create);
    m.givePosition(ALICE, 5, BOB);
    const carol = m.mustPlace(buy(CAROL, 10, t(104)));
    const sl = m.mustPlace(stop(ALICE, SELL, 5, t(95), REDUCE_ONLY));
    const tpR = m.place(takeProfit(ALICE, SELL, 5, t(105), { ...REDUCE_ONLY, oco: sl }));
    assert.deepEqual(tpR.events, [ev.accept(tpR.orderId, ALICE, SELL, 0, 5, RO, true)]);
    assert.equal(m.engine.order(sl)?.ocoOrderId, tpR.orderId);
    assert.equal(m.engine.order(tpR.orderId)?.ocoOrderId, sl);
    const r = m.setMark(t(105));
    assert.deepEqual(r.events, [
      ev.mark(t(105)),
      ev.trigger(tpR.orderId, ALICE, t(105)),
      ev.cancel(sl, ALICE, SELL, 5, CancelReason.OCO, RO),
      ev.fill(carol, CAROL, tpR.orderId, ALICE, SELL, t(104), 5, 5, 0, 0, RO),
      ev.level(BUY, t(104), 5, 1),
    ]);
    assertPositions(m.engine, { [ALICE]: 0 });
  });

  test('cancelling one order of an OCO pair cancels the other with OCO', () => {
    const m = new TestMarket(create);
    const sl = m.mustPlace(stop(ALICE, SELL, 5, t(95)));
    const tp = m.mustPlace(takeProfit(ALICE, SELL, 5, t(105), { oco: sl }));
    assert.deepEqual(m.cancel(ALICE, sl).events, [ev.cancel(sl, ALICE, SELL, 5, CancelReason.USER), ev.cancel(tp, ALICE, SELL, 5, CancelReason.OCO)]);
    assert.equal(m.engine.liveOrderCount(), 0);
  });

  test('a trigger whose OCO partner is gone can be paired again', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(stop(ALICE, SELL, 1, t(95)));
    const b = m.mustPlace(takeProfit(ALICE, SELL, 1, t(105), { oco: a }));
    assertRejected(m.place(takeProfit(ALICE, SELL, 1, t(106), { oco: a })), Code.INVALID_OCO_PARTNER);
    m.cancel(ALICE, b); // cancels a too (OCO)
    const c = m.mustPlace(stop(ALICE, SELL, 1, t(94)));
    assertOk(m.place(takeProfit(ALICE, SELL, 1, t(106), { oco: c })));
  });
});

forEachEngine('halts and mark updates', (create) => {
  test('while halted the mark updates (onMark) but nothing fires; resuming fires nothing; the next mark update does', () => {
    const m = new TestMarket(create);
    const s = m.mustPlace(stop(ALICE, BUY, 1, t(101)));
    assert.deepEqual(m.halt().events, []);
    assert.equal(m.engine.status(), MarketStatus.HALTED);
    assert.deepEqual(m.setMark(t(102)).events, [ev.mark(t(102))]);
    assert.ok(m.engine.order(s));
    assert.deepEqual(m.resume().events, []);
    assert.ok(m.engine.order(s));
    const r = m.setMark(t(102));
    assert.deepEqual(r.events, [ev.mark(t(102)), ev.trigger(s, ALICE, t(102)), ev.cancel(s, ALICE, BUY, 1, CancelReason.MARKET_REMAINDER)]);
  });

  test('after a halt both kinds can qualify at one mark: "mark ≥ trigger" kinds fire before "mark ≤ trigger" kinds', () => {
    const m = new TestMarket(create);
    m.setMark(11_000);
    const sellStop = m.mustPlace(stop(ALICE, SELL, 1, 10_500));
    m.halt();
    m.setMark(9_000);
    m.resume();
    const buyStop = m.mustPlace(stop(BOB, BUY, 1, 9_500));
    const r = m.setMark(10_000);
    assert.deepEqual(r.events, [
      ev.mark(10_000),
      ev.trigger(buyStop, BOB, 10_000),
      ev.cancel(buyStop, BOB, BUY, 1, CancelReason.MARKET_REMAINDER),
      ev.trigger(sellStop, ALICE, 10_000),
      ev.cancel(sellStop, ALICE, SELL, 1, CancelReason.MARKET_REMAINDER),
    ]);
  });

  test('a halted market refuses PLACE and MODIFY with MARKET_HALTED and accepts them again after resuming', () => {
    const m = new TestMarket(create);
    const a = m.mustPlace(buy(ALICE, 1, t(99)));
    m.halt();
    assertRejected(m.place(buy(ALICE, 1, t(98))), Code.MARKET_HALTED);
    assertRejected(m.modify(ALICE, a, { price: t(98) }), Code.MARKET_HALTED);
    m.resume();
    assertOk(m.place(buy(ALICE, 1, t(98))));
    assertOk(m.modify(ALICE, a, { price: t(97) }));
  });
});
