/**
 * Every reject the market engine produces, in a table: the code, exactly one
 * `onReject` echoing the command, and an unchanged state hash (TestMarket.run checks
 * the hash on every reject). Rows named "… before …" pin the validation order of
 * docs/matching.md: the command breaks two rules and the earlier one must win.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, codeName } from '../../engine/codes.js';
import { Op } from '../../engine/command.js';
import { OrderType, Side, StpMode, TimeInForce } from '../../engine/types.js';
import {
  ALICE,
  assertOk,
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
  POST_ONLY,
  REDUCE_ONLY,
  sell,
  stop,
  t,
  takeProfit,
  TestMarket,
  testSpec,
  type PlaceArgs,
  type Result,
} from '../support/dsl.js';

const { BUY, SELL } = Side;
const MAX_PRICE = testSpec().maxPriceTicks;

interface Ctx {
  aliceBid: number; // Alice buys 1 @98, cloid 42
  aliceStop: number; // Alice stop buy 2 @ trigger 105, cloid 43
  bobAsk: number; // Bob sells 5 @101
  carolBid: number; // Carol buys 5 @99
  daveStop: number; // Dave (long 2) stop sell 1 @ trigger 95
}

/** A market with a little of everything, so "state unchanged" means something. */
function busyMarket(m: TestMarket): Ctx {
  const lots = (n: number): number => Math.max(n, m.spec.minOrderLots);
  m.givePosition(DAVE, lots(2), CAROL);
  return {
    aliceBid: m.mustPlace(buy(ALICE, lots(1), t(98), { cloid: 42 })),
    aliceStop: m.mustPlace(stop(ALICE, BUY, lots(2), t(105), { cloid: 43 })),
    bobAsk: m.mustPlace(sell(BOB, lots(5), t(101))),
    carolBid: m.mustPlace(buy(CAROL, lots(5), t(99))),
    daveStop: m.mustPlace(stop(DAVE, SELL, lots(1), t(95))),
  };
}

/** Fills Alice up to the open-order limit (5) with resting bids. */
function aliceAtTheLimit(m: TestMarket, c: Ctx): Ctx {
  for (const p of [t(97), t(96), t(95)]) m.mustPlace(buy(ALICE, 1, p));
  return c;
}

interface Row {
  name: string;
  code: number;
  act: (m: TestMarket, c: Ctx) => Result;
  setup?: (m: TestMarket, c: Ctx) => void;
  spec?: Parameters<typeof testSpec>[0];
  /** Market inputs reject as `(seq, 0, 0, code, 0, 0)`; everything else echoes the command. */
  marketInput?: boolean;
}

const place = (a: PlaceArgs) => (m: TestMarket) => m.place(a);
const bid = (opts: Partial<PlaceArgs> = {}): PlaceArgs => buy(ALICE, 1, t(99.5), opts);

const placeRows: Row[] = [
  // 1. halted
  { name: 'a PLACE while halted', code: Code.MARKET_HALTED, setup: (m) => void m.halt(), act: place(bid()) },
  { name: 'the halt is checked before anything else (also a bad side)', code: Code.MARKET_HALTED, setup: (m) => void m.halt(), act: place(bid({ side: 9 } as Partial<PlaceArgs>)) },
  // 2. enums
  { name: 'side 2', code: Code.INVALID_ORDER_FLAGS, act: place({ ...bid(), side: 2 }) },
  { name: 'side -1', code: Code.INVALID_ORDER_FLAGS, act: place({ ...bid(), side: -1 }) },
  { name: 'order type 2', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ type: 2 })) },
  { name: 'time in force 3', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ tif: 3 })) },
  { name: 'STP mode DEFAULT (0)', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ stp: StpMode.DEFAULT })) },
  { name: 'STP mode 4', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ stp: 4 })) },
  { name: 'trigger kind 3', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ trigger: { kind: 3, price: t(105) } })) },
  { name: 'flags with an unknown bit (4)', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ flags: 4 })) },
  { name: 'flags -1', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ flags: -1 })) },
  // 3. combinations
  { name: 'post-only with IOC', code: Code.INVALID_ORDER_FLAGS, act: place(bid({ ...POST_ONLY, ...IOC })) },
  { name: 'a market order with GTC', code: Code.INVALID_ORDER_FLAGS, act: place(marketBuy(ALICE, 1, { tif: TimeInForce.GTC })) },
  { name: 'an OCO partner on a non-trigger order', code: Code.INVALID_ORDER_FLAGS, act: (m, c) => m.place(bid({ oco: c.aliceStop })) },
  { name: 'flags are checked before the size (side 2, size 0)', code: Code.INVALID_ORDER_FLAGS, act: place({ ...bid(), side: 2, size: 0 }) },
  // 4. size
  { name: 'size 0', code: Code.INVALID_SIZE, act: place({ ...bid(), size: 0 }) },
  { name: 'size -3', code: Code.INVALID_SIZE, act: place({ ...bid(), size: -3 }) },
  { name: 'size 1.5', code: Code.INVALID_SIZE, act: place({ ...bid(), size: 1.5 }) },
  { name: 'size NaN', code: Code.INVALID_SIZE, act: place({ ...bid(), size: NaN }) },
  { name: 'size 2^53 (not a safe integer)', code: Code.INVALID_SIZE, act: place({ ...bid(), size: 2 ** 53 }) },
  { name: 'size below the minimum', code: Code.SIZE_BELOW_MIN, spec: { minOrderLots: 3 }, act: place({ ...bid(), size: 2 }) },
  { name: 'size above the maximum', code: Code.SIZE_ABOVE_MAX, act: place({ ...bid(), size: 1_001 }) },
  { name: 'the size is checked before the price (size 0, price 0)', code: Code.INVALID_SIZE, act: place({ ...bid(), size: 0, price: 0 }) },
  // 5. price
  { name: 'limit price 0', code: Code.INVALID_PRICE, act: place(bid({ price: 0 })) },
  { name: 'limit price -1', code: Code.INVALID_PRICE, act: place(bid({ price: -1 })) },
  { name: 'limit price 9950.5', code: Code.INVALID_PRICE, act: place(bid({ price: 9950.5 })) },
  { name: 'limit price above maxPriceTicks', code: Code.INVALID_PRICE, act: place(bid({ price: MAX_PRICE + 1 })) },
  { name: 'the price is checked before the trigger price', code: Code.INVALID_PRICE, act: place(stop(ALICE, BUY, 1, 0, { type: OrderType.LIMIT, tif: TimeInForce.GTC, price: 0 })) },
  // 6. trigger price, band
  { name: 'trigger price 0', code: Code.INVALID_TRIGGER_PRICE, act: place(stop(ALICE, BUY, 1, 0)) },
  { name: 'trigger price above maxPriceTicks', code: Code.INVALID_TRIGGER_PRICE, act: place(stop(ALICE, BUY, 1, MAX_PRICE + 1)) },
  { name: 'a trigger already crossed at the mark', code: Code.TRIGGER_ALREADY_CROSSED, act: place(takeProfit(ALICE, SELL, 1, t(99))) },
  { name: 'a limit price outside the band', code: Code.PRICE_OUT_OF_BAND, act: place(bid({ price: t(89.99) })) },
  { name: 'the band is checked before the cloid', code: Code.PRICE_OUT_OF_BAND, act: place(bid({ price: t(110.01), cloid: 42 })) },
  // 7. cloid
  { name: 'a cloid of a live resting order of the account', code: Code.DUPLICATE_CLOID, act: place(bid({ cloid: 42 })) },
  { name: 'a cloid of a parked trigger of the account', code: Code.DUPLICATE_CLOID, act: place(marketBuy(ALICE, 1, { cloid: 43 })) },
  { name: 'the cloid is checked before the order id', code: Code.DUPLICATE_CLOID, act: (m, c) => m.place(bid({ cloid: 42, orderId: c.bobAsk })) },
  // 8. order id
  { name: 'an order id that is live (sequencer bug guard)', code: Code.DUPLICATE_ORDER_ID, act: (m, c) => m.place(bid({ orderId: c.bobAsk })) },
  { name: 'the order id is checked before the open-order limit', code: Code.DUPLICATE_ORDER_ID, setup: (m, c) => void aliceAtTheLimit(m, c), act: (m, c) => m.place(bid({ orderId: c.carolBid })) },
  // 9. open orders
  { name: 'a GTC limit beyond the open-order limit (parked triggers count)', code: Code.TOO_MANY_OPEN_ORDERS, setup: (m, c) => void aliceAtTheLimit(m, c), act: place(bid()) },
  { name: 'a trigger beyond the open-order limit', code: Code.TOO_MANY_OPEN_ORDERS, setup: (m, c) => void aliceAtTheLimit(m, c), act: place(stop(ALICE, SELL, 1, t(90))) },
  { name: 'the open-order limit is checked before the OCO partner', code: Code.TOO_MANY_OPEN_ORDERS, setup: (m, c) => void aliceAtTheLimit(m, c), act: place(stop(ALICE, SELL, 1, t(90), { oco: 999 })) },
  // 10. OCO
  { name: 'an OCO partner that does not exist', code: Code.INVALID_OCO_PARTNER, act: place(stop(ALICE, BUY, 1, t(106), { oco: 999 })) },
  { name: 'an OCO partner that is a resting order', code: Code.INVALID_OCO_PARTNER, act: (m, c) => m.place(stop(ALICE, BUY, 1, t(106), { oco: c.aliceBid })) },
  { name: 'an OCO partner of another account', code: Code.INVALID_OCO_PARTNER, act: (m, c) => m.place(stop(ALICE, SELL, 1, t(96), { oco: c.daveStop })) },
  { name: 'an OCO partner on the other side', code: Code.INVALID_OCO_PARTNER, act: (m, c) => m.place(stop(ALICE, SELL, 1, t(96), { oco: c.aliceStop })) },
  {
    name: 'an OCO partner that is already paired',
    code: Code.INVALID_OCO_PARTNER,
    setup: (m, c) => void m.mustPlace(takeProfit(ALICE, BUY, 1, t(95), { oco: c.aliceStop })),
    act: (m, c) => m.place(stop(ALICE, BUY, 1, t(106), { oco: c.aliceStop })),
  },
  // 11. reduce-only
  { name: 'a reduce-only order that would increase the position', code: Code.REDUCE_ONLY_WOULD_INCREASE, act: place(bid(REDUCE_ONLY)) },
  { name: 'reduce-only is checked before post-only', code: Code.REDUCE_ONLY_WOULD_INCREASE, act: place(buy(ALICE, 1, t(101), { flags: 3 })) },
  // 12. post-only
  { name: 'a post-only order that would cross', code: Code.POST_ONLY_WOULD_CROSS, act: place(buy(ALICE, 1, t(101), POST_ONLY)) },
  // 13. FOK
  { name: 'a FOK that cannot fill', code: Code.FOK_CANNOT_FILL, act: place(buy(ALICE, 6, t(101), FOK)) },
];

const cancelRows: Row[] = [
  { name: 'CANCEL of an unknown order', code: Code.UNKNOWN_ORDER, act: (m) => m.cancel(ALICE, 31337) },
  { name: 'CANCEL of another account\'s order', code: Code.NOT_OWNER, act: (m, c) => m.cancel(ALICE, c.bobAsk) },
  { name: 'CANCEL_BY_CLOID of a cloid the account does not have live', code: Code.UNKNOWN_ORDER, act: (m) => m.cancelByCloid(BOB, 42) },
  { name: 'CANCEL_BY_CLOID with an all-zero cloid', code: Code.UNKNOWN_ORDER, act: (m) => m.cancelByCloid(BOB, 0) },
];

const modifyRows: Row[] = [
  { name: 'MODIFY of an unknown order', code: Code.UNKNOWN_ORDER, act: (m) => m.modify(ALICE, 31337, { price: t(99), side: BUY }) },
  { name: 'MODIFY of another account\'s order', code: Code.NOT_OWNER, act: (m, c) => m.modify(ALICE, c.bobAsk, { price: t(102) }) },
  { name: 'MODIFY: an unknown order is reported before the halt', code: Code.UNKNOWN_ORDER, setup: (m) => void m.halt(), act: (m) => m.modify(ALICE, 31337, { price: t(99), side: BUY }) },
  { name: 'MODIFY: ownership is checked before the halt', code: Code.NOT_OWNER, setup: (m) => void m.halt(), act: (m, c) => m.modify(ALICE, c.bobAsk, { price: t(102) }) },
  { name: 'MODIFY while halted', code: Code.MARKET_HALTED, setup: (m) => void m.halt(), act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(97) }) },
  { name: 'MODIFY carrying the other side', code: Code.MODIFY_SIDE_MISMATCH, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(97), side: SELL }) },
  { name: 'MODIFY: the side is checked before modifiability', code: Code.MODIFY_SIDE_MISMATCH, act: (m, c) => m.modify(ALICE, c.aliceStop, { price: t(97), side: SELL }) },
  { name: 'MODIFY of a trigger order', code: Code.ORDER_NOT_MODIFIABLE, act: (m, c) => m.modify(ALICE, c.aliceStop, { price: t(97) }) },
  { name: 'MODIFY to price 0', code: Code.INVALID_PRICE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: 0 }) },
  { name: 'MODIFY to price 9700.5', code: Code.INVALID_PRICE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: 9700.5 }) },
  { name: 'MODIFY to a price above maxPriceTicks', code: Code.INVALID_PRICE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: MAX_PRICE + 1 }) },
  { name: 'MODIFY: the price is checked before the size', code: Code.INVALID_PRICE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: 0, size: -1 }) },
  { name: 'MODIFY to a price outside the band', code: Code.PRICE_OUT_OF_BAND, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(89.99) }) },
  { name: 'MODIFY: the band is checked before the size', code: Code.PRICE_OUT_OF_BAND, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(89.99), size: -1 }) },
  { name: 'MODIFY to size -1', code: Code.INVALID_SIZE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(98), size: -1 }) },
  { name: 'MODIFY to size 2.5', code: Code.INVALID_SIZE, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(98), size: 2.5 }) },
  { name: 'MODIFY below the minimum size', code: Code.SIZE_BELOW_MIN, spec: { minOrderLots: 3 }, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(98), size: 2 }) },
  { name: 'MODIFY above the maximum size', code: Code.SIZE_ABOVE_MAX, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(98), size: 1_001 }) },
  { name: 'MODIFY increasing the size beyond preheldLots', code: Code.INSUFFICIENT_MARGIN, act: (m, c) => m.modify(ALICE, c.aliceBid, { price: t(98), size: 3, preheld: 1 }) },
  {
    name: 'MODIFY: the margin check comes before post-only',
    code: Code.INSUFFICIENT_MARGIN,
    setup: (m) => void m.mustPlace(buy(CAROL, 2, t(100), POST_ONLY)),
    act: (m) => m.modify(CAROL, m.engine.openOrders(CAROL).at(-1)!.orderId, { price: t(101), size: 3, preheld: 0 }),
  },
  {
    name: 'MODIFY of a post-only order to a crossing price',
    code: Code.POST_ONLY_WOULD_CROSS,
    setup: (m) => void m.mustPlace(buy(CAROL, 2, t(100), POST_ONLY)),
    act: (m) => m.modify(CAROL, m.engine.openOrders(CAROL).at(-1)!.orderId, { price: t(101) }),
  },
];

const setMark = (value: number) => (m: TestMarket) =>
  m.run((c) => {
    c.op = Op.SET_MARK_PRICE;
    c.value = value;
    c.accountId = ALICE; // not echoed
    c.orderId = 5;
    c.side = SELL;
    c.preheldLots = 3;
  });
const setStatus = (value: number) => (m: TestMarket) =>
  m.run((c) => {
    c.op = Op.SET_MARKET_STATUS;
    c.value = value;
    c.accountId = ALICE;
  });
const unknownOp = (op: number) => (m: TestMarket) =>
  m.run((c) => {
    c.op = op;
    c.accountId = BOB;
    c.orderId = 1234;
    c.side = SELL;
    c.preheldLots = 7;
  });

const otherRows: Row[] = [
  { name: 'SET_MARK_PRICE to 0', code: Code.INVALID_PRICE, marketInput: true, act: setMark(0) },
  { name: 'SET_MARK_PRICE to -5', code: Code.INVALID_PRICE, marketInput: true, act: setMark(-5) },
  { name: 'SET_MARK_PRICE to 10000.5', code: Code.INVALID_PRICE, marketInput: true, act: setMark(10_000.5) },
  { name: 'SET_MARK_PRICE above maxPriceTicks', code: Code.INVALID_PRICE, marketInput: true, act: setMark(MAX_PRICE + 1) },
  { name: 'SET_MARKET_STATUS to 2', code: Code.INVALID_ORDER_FLAGS, marketInput: true, act: setStatus(2) },
  { name: 'SET_MARKET_STATUS to -1', code: Code.INVALID_ORDER_FLAGS, marketInput: true, act: setStatus(-1) },
  { name: 'a ledger op (DEPOSIT) sent to a market', code: Code.UNKNOWN_OP, act: unknownOp(Op.DEPOSIT) },
  { name: 'op 0', code: Code.UNKNOWN_OP, act: unknownOp(0) },
  { name: 'op 99', code: Code.UNKNOWN_OP, act: unknownOp(99) },
];

const allRows = [...placeRows, ...cancelRows, ...modifyRows, ...otherRows];

forEachEngine('rejects', (create) => {
  for (const row of allRows) {
    test(`${row.name} is rejected ${codeName(row.code)} and changes nothing`, () => {
      const m = new TestMarket(create, testSpec(row.spec ?? {}));
      const c = busyMarket(m);
      row.setup?.(m, c);
      const hash = m.engine.stateHash();
      const live = m.engine.liveOrderCount();
      const r = row.act(m, c);
      if (row.marketInput) {
        assert.equal(codeName(r.code), codeName(row.code));
        assert.deepEqual(r.events, [ev.reject(r.cmd.seq, 0, 0, row.code, 0, 0)]);
      } else {
        assertRejected(r, row.code);
      }
      assert.equal(m.engine.stateHash(), hash);
      assert.equal(m.engine.liveOrderCount(), live);
    });
  }

  test('orders that cannot rest (IOC, market) are not limited by the open-order count', () => {
    const m = new TestMarket(create);
    const c = aliceAtTheLimit(m, busyMarket(m));
    assertOk(m.place(buy(ALICE, 1, t(101), IOC)));
    assertOk(m.place(marketBuy(ALICE, 1)));
    m.cancel(ALICE, c.aliceBid);
    assertOk(m.place(bid()));
  });

  test('the same cloid is fine for another account, or when any word differs', () => {
    const m = new TestMarket(create);
    busyMarket(m);
    assertOk(m.place(buy(BOB, 1, t(98), { cloid: 42 })));
    assertOk(m.place(buy(ALICE, 1, t(97), { cloid: [42, 0, 0, 1] })));
  });

  test('the FOK check uses the size after reduce-only shrinking', () => {
    const m = new TestMarket(create);
    busyMarket(m); // Dave is long 2, Carol bids 5 @99
    const r = m.place(sell(DAVE, 5, t(99), { ...FOK, ...REDUCE_ONLY }));
    assert.deepEqual(r.events[0], ev.accept(r.orderId, DAVE, SELL, t(99), 2, REDUCE_ONLY.flags, false));
  });
});

test('the reject table covers every -3xxx code the market engine produces', () => {
  const notProducedByAMarket: number[] = [Code.UNKNOWN_MARKET, Code.MARKET_CLOSED];
  const matching = Object.values(Code).filter((c) => c <= -3000 && c > -4000 && !notProducedByAMarket.includes(c));
  const covered = new Set(allRows.map((r) => r.code));
  assert.deepEqual(matching.filter((c) => !covered.has(c)).map(codeName), []);
});
