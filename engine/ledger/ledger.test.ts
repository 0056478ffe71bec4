import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../codes.js';
import { Op } from '../command.js';
import { OrderFlag, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../types.js';
import { availableMarketFactories, CENT, Driver, testSpec, USD, type NamedFactory } from './test-fixtures.js';

const factories = await availableMarketFactories();

describe('market engines for the ledger tests', () => {
  it('at least one market engine is available', () => {
    assert.ok(factories.length > 0, 'neither engine/reference/reference-market.js nor engine/book/fast-market.js is built');
  });
});

/** Exchange with TEST-PERP; every helper call below is checked against the invariants. */
function newDriver(f: NamedFactory, specOverrides = {}): Driver {
  return new Driver({ markets: [testSpec(specOverrides)], create: f.create });
}

function ok(code: number, what = 'command'): void {
  assert.equal(code, Code.OK, `${what}: expected OK, got ${code}`);
}

/**
 * Alice_Long10_At100: Alice bid 10 @ 100 (maker), Bob sold 10 @ 100 (taker).
 * Alice: long 10, cost $1,000, margin $50 (5% at the default 20x), free $950.20 (rebate $0.20).
 * Bob: short 10, cost −$1,000, margin $50, free $949 (taker fee $1).
 */
function aliceLong10At100(d: Driver): { alice: number; bob: number } {
  const alice = d.fundedAccount(1_000 * USD);
  const bob = d.fundedAccount(1_000 * USD);
  ok(d.buy(alice, 10, 100).code, 'alice bid');
  ok(d.sell(bob, 10, 100).code, 'bob sell');
  return { alice, bob };
}

for (const f of factories) {
  describe(`ledger R1/R2 scenarios (${f.name} market)`, () => {
    it('margin is held on placement: IM at the band top plus a taker-fee bound', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      ok(d.buy(alice, 10, 100).code);
      // 10 lots at the band top 110 = $1,100; 5% = $55; fee bound 0.1% = $1.10
      assert.deepEqual(d.position(alice), { lots: 0, costMicros: 0, marginMicros: 0, orderMarginMicros: 5_610 * CENT, pendingBuyLots: 10, pendingSellLots: 0 });
      assert.equal(d.free(alice), 94_390 * CENT);
      d.ex.mustValidate();
    });

    it('the hold is released on cancel', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const { orderId } = d.buy(alice, 10, 100);
      ok(d.cancel(alice, orderId));
      assert.equal(d.free(alice), 1_000 * USD);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      assert.equal(d.position(alice).pendingBuyLots, 0);
      d.ex.mustValidate();
    });

    it('the hold moves to position margin on a fill, with the taker fee and maker rebate', () => {
      const d = newDriver(f);
      const { alice, bob } = aliceLong10At100(d);
      assert.deepEqual(d.position(alice), { lots: 10, costMicros: 1_000 * USD, marginMicros: 50 * USD, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      assert.deepEqual(d.position(bob), { lots: -10, costMicros: -1_000 * USD, marginMicros: 50 * USD, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      assert.equal(d.free(alice), 95_020 * CENT); // 1,000 − 50 + 0.20 rebate
      assert.equal(d.free(bob), 949 * USD); // 1,000 − 50 − 1.00 fee
      assert.equal(d.ex.ledger.totals().feesCollectedMicros, 80 * CENT); // 1.00 − 0.20
      d.ex.mustValidate();
    });

    it('a reduction realizes PnL and releases margin pro rata', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      const carol = d.fundedAccount(10_000 * USD);
      ok(d.buy(carol, 5, 110).code, 'carol bid');
      ok(d.sell(alice, 5, 110).code, 'alice sells 5 @ 110');
      // closes 5 of 10: cost removed $500, margin released $25, realized 550 − 500 = $50; taker fee $0.55
      assert.deepEqual(d.position(alice), { lots: 5, costMicros: 500 * USD, marginMicros: 25 * USD, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      assert.equal(d.free(alice), 95_020 * CENT + 75 * USD - 55 * CENT);
      d.ex.mustValidate();
    });

    it('a flip closes the whole position and opens the rest on the other side', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      const carol = d.fundedAccount(10_000 * USD);
      ok(d.buy(carol, 15, 105).code, 'carol bid');
      ok(d.sell(alice, 15, 105).code, 'alice sells 15 @ 105');
      // close 10: realized 1,050 − 1,000 = $50, margin $50 released; open short 5: cost −$525,
      // IM 5% = $26.25; taker fee on $1,575 = $1.575
      assert.deepEqual(d.position(alice), { lots: -5, costMicros: -525 * USD, marginMicros: 2_625 * CENT, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      assert.equal(d.free(alice), 95_020 * CENT + 100 * USD - 1_575_000 - 2_625 * CENT);
      d.ex.mustValidate();
    });

    it('insufficient margin is rejected and nothing changes', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(50 * USD);
      const before = d.ex.stateHash();
      assert.equal(d.buy(alice, 10, 100).code, Code.INSUFFICIENT_MARGIN); // needs $56.10
      assert.equal(d.ex.stateHash(), before);
      assert.equal(d.free(alice), 50 * USD);
      assert.equal(d.ex.market(1)?.liveOrderCount(), 0);
      d.ex.mustValidate();
    });

    it('withdrawals are limited to free collateral and blocked during liquidation', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      ok(d.buy(alice, 10, 100).code);
      assert.equal(d.withdraw(alice, 1_000 * USD), Code.INSUFFICIENT_COLLATERAL);
      assert.equal(d.ex.ledger.accountView(alice)?.withdrawableMicros, 94_390 * CENT);
      d.ex.ledger.setInLiquidation(alice, true);
      assert.equal(d.withdraw(alice, 1 * USD), Code.ACCOUNT_IN_LIQUIDATION);
      d.ex.ledger.setInLiquidation(alice, false);
      ok(d.withdraw(alice, 94_390 * CENT));
      assert.equal(d.free(alice), 0);
      assert.equal(d.withdraw(alice, 1), Code.INSUFFICIENT_COLLATERAL);
      assert.equal(d.ex.ledger.totals().withdrawalsMicros, 94_390 * CENT);
      d.ex.mustValidate();
    });

    it('a reduce-only order needs no margin, even with no free collateral', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      ok(d.withdraw(alice, d.free(alice)));
      const { code, orderId } = d.sell(alice, 10, 105, { flags: OrderFlag.REDUCE_ONLY });
      ok(code, 'reduce-only sell');
      assert.equal(d.ex.market(1)?.order(orderId)?.remainingLots, 10);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      assert.equal(d.position(alice).pendingSellLots, 0);
      const carol = d.fundedAccount(10_000 * USD);
      ok(d.buy(carol, 10, 105).code, 'carol lifts it');
      // closed at 105: margin $50 + realized $50 back to free, plus the maker rebate $0.21
      assert.equal(d.position(alice).lots, 0);
      assert.equal(d.free(alice), 100 * USD + 21 * CENT);
      d.ex.mustValidate();
    });

    it('a leverage change re-holds order margin, and an unaffordable one changes nothing', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      ok(d.buy(alice, 10, 100).code);
      ok(d.setLeverage(alice, 10)); // 10% of $1,100 + $1.10
      assert.equal(d.position(alice).orderMarginMicros, 11_110 * CENT);
      assert.equal(d.setLeverage(alice, 101), Code.INVALID_LEVERAGE); // first tier allows 100x
      assert.equal(d.setLeverage(alice, 0), Code.INVALID_LEVERAGE);
      assert.equal(d.run({ op: Op.SET_LEVERAGE, marketId: 1, accountId: alice, amount: 2.5 }), Code.INVALID_LEVERAGE);
      ok(d.withdraw(alice, d.free(alice) - 10 * USD));
      const before = d.ex.stateHash();
      assert.equal(d.setLeverage(alice, 2), Code.INSUFFICIENT_MARGIN); // 50%: $551.10 > $111.10 + $10
      assert.equal(d.ex.stateHash(), before);
      ok(d.setLeverage(alice, 100)); // 1% (the tier rate): $11 + $1.10
      assert.equal(d.position(alice).orderMarginMicros, 1_210 * CENT);
      assert.equal(d.free(alice), 10 * USD + 11_110 * CENT - 1_210 * CENT);
      d.ex.mustValidate();
    });

    it('the position limit counts every pending order in the worst case', () => {
      const d = newDriver(f, { maxPositionLots: 100, maxOrderLots: 100 });
      const alice = d.fundedAccount(100_000 * USD);
      ok(d.buy(alice, 60, 100).code);
      ok(d.buy(alice, 40, 99).code);
      assert.equal(d.buy(alice, 1, 98).code, Code.POSITION_LIMIT_EXCEEDED);
      ok(d.sell(alice, 100, 105).code);
      assert.equal(d.sell(alice, 1, 106).code, Code.POSITION_LIMIT_EXCEEDED);
      assert.equal(d.position(alice).pendingBuyLots, 100);
      assert.equal(d.position(alice).pendingSellLots, 100);
      d.ex.mustValidate();
    });

    it('a loss beyond the position margin is bad debt for the insurance fund, never from free collateral', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      ok(d.withdraw(alice, 45_020 * CENT)); // keep $500 free: isolation must protect it
      ok(d.setMark(90));
      const carol = d.fundedAccount(10_000 * USD);
      ok(d.buy(carol, 10, 88).code, 'carol bid');
      ok(d.sell(alice, 10, 88, { flags: OrderFlag.REDUCE_ONLY }).code, 'alice closes at 88');
      // loss 1,000 − 880 = $120 against $50 margin: $70 of bad debt; the $0.88 taker fee is
      // paid from free collateral (the loss is not)
      assert.equal(d.position(alice).lots, 0);
      assert.equal(d.free(alice), 500 * USD - 88 * CENT);
      const t = d.ex.ledger.totals();
      assert.equal(t.insuranceFundMicros, -70 * USD);
      assert.equal(t.badDebtMicros, 70 * USD);
      d.ex.mustValidate();
    });

    it('a fee the account cannot pay is waived, not taken below zero', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      ok(d.withdraw(alice, d.free(alice)));
      ok(d.setMark(90));
      const carol = d.fundedAccount(10_000 * USD);
      ok(d.buy(carol, 10, 88).code);
      ok(d.sell(alice, 10, 88, { flags: OrderFlag.REDUCE_ONLY }).code);
      assert.equal(d.free(alice), 0);
      assert.equal(d.ex.ledger.totals().feesWaivedMicros, 88 * CENT);
      d.ex.mustValidate();
    });

    it('a modify that increases the size holds margin for the new size', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const { orderId } = d.buy(alice, 10, 100);
      ok(d.modify(alice, orderId, Side.BUY, 100, 20));
      assert.equal(d.position(alice).pendingBuyLots, 20);
      assert.equal(d.position(alice).orderMarginMicros, 11_220 * CENT); // $2,200 × 5% + $2.20
      assert.equal(d.free(alice), 1_000 * USD - 11_220 * CENT);
      d.ex.mustValidate();
    });

    it('a modify increase free collateral cannot cover is refused by the market and changes nothing', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(100 * USD);
      const { orderId } = d.buy(alice, 10, 100);
      const before = d.ex.stateHash();
      assert.equal(d.modify(alice, orderId, Side.BUY, 100, 20), Code.INSUFFICIENT_MARGIN);
      assert.equal(d.ex.stateHash(), before);
      assert.equal(d.position(alice).pendingBuyLots, 10);
      d.ex.mustValidate();
    });

    it('a modify that shrinks the size or only moves the price releases margin', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const { orderId } = d.buy(alice, 10, 100);
      ok(d.modify(alice, orderId, Side.BUY, 99, 0)); // price only
      assert.equal(d.position(alice).orderMarginMicros, 5_610 * CENT);
      ok(d.modify(alice, orderId, Side.BUY, 99, 4));
      assert.equal(d.position(alice).pendingBuyLots, 4);
      assert.equal(d.position(alice).orderMarginMicros, 2_244 * CENT); // $440 × 5% + $0.44
      d.ex.mustValidate();
    });

    it('a modify with the wrong side is refused and releases what R1 held', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const { orderId } = d.buy(alice, 10, 100);
      const before = d.ex.stateHash();
      assert.equal(d.modify(alice, orderId, Side.SELL, 100, 20), Code.MODIFY_SIDE_MISMATCH);
      assert.equal(d.ex.stateHash(), before);
      d.ex.mustValidate();
    });

    it('a market reject releases exactly what R1 held', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const bob = d.fundedAccount(1_000 * USD);
      ok(d.buy(alice, 10, 100).code);
      assert.equal(d.sell(bob, 5, 100, { flags: OrderFlag.POST_ONLY }).code, Code.POST_ONLY_WOULD_CROSS);
      assert.equal(d.sell(bob, 5, 200).code, Code.PRICE_OUT_OF_BAND);
      assert.equal(d.sell(bob, 0, 100).code, Code.INVALID_SIZE);
      assert.equal(d.free(bob), 1_000 * USD);
      assert.deepEqual(d.position(bob), { lots: 0, costMicros: 0, marginMicros: 0, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      d.ex.mustValidate();
    });

    it('the unfilled rest of IOC and market orders is released', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const bob = d.fundedAccount(1_000 * USD);
      ok(d.sell(bob, 3, 101).code);
      ok(d.buy(alice, 10, 101, { tif: TimeInForce.IOC }).code);
      assert.equal(d.position(alice).lots, 3);
      assert.equal(d.position(alice).pendingBuyLots, 0);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      ok(d.sell(alice, 10, 0, { type: OrderType.MARKET, tif: TimeInForce.IOC }).code);
      assert.equal(d.position(alice).pendingSellLots, 0);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      d.ex.mustValidate();
    });

    it('the account default STP mode is filled in for DEFAULT orders', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      ok(d.run({ op: Op.SET_STP_DEFAULT, accountId: alice, stpMode: StpMode.EXPIRE_MAKER }));
      const { orderId } = d.buy(alice, 1, 100);
      assert.equal(d.ex.market(1)?.order(orderId)?.stpMode, StpMode.EXPIRE_MAKER);
      const second = d.buy(alice, 1, 100, { stp: StpMode.EXPIRE_BOTH });
      assert.equal(d.ex.market(1)?.order(second.orderId)?.stpMode, StpMode.EXPIRE_BOTH);
      assert.equal(d.run({ op: Op.SET_STP_DEFAULT, accountId: alice, stpMode: StpMode.DEFAULT }), Code.INVALID_ORDER_FLAGS);
      assert.equal(d.run({ op: Op.SET_STP_DEFAULT, accountId: alice, stpMode: 9 }), Code.INVALID_ORDER_FLAGS);
    });

    it('the account view values the position at the mark', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      const p = d.ex.ledger.accountView(alice)?.positions[0];
      assert.ok(p);
      assert.equal(p.entryPriceTicks, 100);
      assert.equal(p.unrealizedPnlMicros, 0);
      // equity $50 − $1 closing fee = $49 against MM 0.6% × $1,000 = $6
      assert.equal(p.marginRatioPpm, 8_166_666);
      // root 950 / (10 × 0.993) = 95.67: liquidatable at 95, safe at 96
      assert.equal(p.liquidationPriceTicks, 95);
      ok(d.setMark(96));
      assert.equal(d.ex.ledger.accountView(alice)?.positions[0].unrealizedPnlMicros, -40 * USD);
    });

    it('partial closes remove cost truncated toward zero and release margin rounded down', () => {
      // k = 1 micro per tick-lot, so every division rounds
      const d = newDriver(f, { lotSize: '0.000001' });
      const alice = d.fundedAccount(1 * USD);
      const bob = d.fundedAccount(1 * USD);
      const carol = d.fundedAccount(1 * USD);
      ok(d.sell(bob, 1, 100).code);
      ok(d.sell(bob, 2, 101).code);
      ok(d.buy(alice, 3, 101).code); // fills 1 @ 100 and 2 @ 101: K = 302
      // IM after each opening fill: ceil(100 × 5%) = 5, then ceil(302 × 5%) = 16
      assert.deepEqual(d.position(alice), { lots: 3, costMicros: 302, marginMicros: 16, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      assert.deepEqual(d.position(bob), { lots: -3, costMicros: -302, marginMicros: 16, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      ok(d.buy(carol, 1, 100).code);
      ok(d.sell(alice, 1, 100).code); // kr = trunc(302 / 3) = 100, mr = floor(16 / 3) = 5
      assert.deepEqual(d.position(alice), { lots: 2, costMicros: 202, marginMicros: 11, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      ok(d.sell(carol, 1, 101).code);
      ok(d.buy(bob, 1, 101).code); // kr = trunc(−302 / 3) = −100 (toward zero), realized −101 + 100 = −1
      assert.deepEqual(d.position(bob), { lots: -2, costMicros: -202, marginMicros: 11, orderMarginMicros: 0, pendingBuyLots: 0, pendingSellLots: 0 });
      d.ex.mustValidate();
    });

    it('modifying a reduce-only order releases what R1 held for it', () => {
      const d = newDriver(f);
      const { alice } = aliceLong10At100(d);
      const { orderId } = d.sell(alice, 5, 105, { flags: OrderFlag.REDUCE_ONLY });
      const free = d.free(alice);
      ok(d.modify(alice, orderId, Side.SELL, 105, 8));
      assert.equal(d.ex.market(1)?.order(orderId)?.remainingLots, 8);
      assert.equal(d.position(alice).pendingSellLots, 0);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      assert.equal(d.free(alice), free);
      d.ex.mustValidate();
    });

    it('a trigger order holds margin while parked and settles when it fires', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const bob = d.fundedAccount(1_000 * USD);
      ok(d.sell(bob, 5, 105).code);
      const stop = d.place({ account: alice, side: Side.BUY, size: 5, type: OrderType.MARKET, tif: TimeInForce.IOC, triggerKind: TriggerKind.STOP, triggerPrice: 104 });
      ok(stop.code, 'stop buy');
      assert.equal(d.position(alice).pendingBuyLots, 5);
      assert.equal(d.position(alice).orderMarginMicros, 2_805 * CENT); // $550 × 5% + $0.55
      ok(d.setMark(104));
      assert.equal(d.position(alice).lots, 5);
      assert.equal(d.position(alice).pendingBuyLots, 0);
      assert.equal(d.position(alice).orderMarginMicros, 0);
      assert.equal(d.position(alice).marginMicros, 2_625 * CENT); // 5% of $525
      d.ex.mustValidate();
    });

    it('orders on both sides hold the larger scenario, and a fill reconciles the rest', () => {
      const d = newDriver(f);
      const alice = d.fundedAccount(1_000 * USD);
      const bob = d.fundedAccount(1_000 * USD);
      ok(d.buy(alice, 10, 95).code);
      ok(d.sell(alice, 4, 105).code);
      assert.equal(d.position(alice).orderMarginMicros, 5_610 * CENT); // buy scenario dominates
      ok(d.sell(bob, 10, 95).code);
      // now long 10; the pending sell of 4 only reduces: fee bound $0.44
      assert.equal(d.position(alice).orderMarginMicros, 44 * CENT);
      assert.equal(d.position(alice).marginMicros, 4_750 * CENT); // 5% of $950
      d.ex.mustValidate();
    });
  });
}

describe('ledger accounts and amounts', () => {
  const f = factories[0];
  it('accounts get dense ids in creation order', () => {
    const d = newDriver(f);
    assert.deepEqual([d.createAccount(), d.createAccount(), d.createAccount()], [0, 1, 2]);
    assert.equal(d.ex.ledger.nextAccountId(), 3);
  });

  it('an unknown account is refused everywhere without demo mode', () => {
    const d = newDriver(f);
    d.createAccount();
    assert.equal(d.deposit(5, 1 * USD), Code.UNKNOWN_ACCOUNT);
    assert.equal(d.buy(5, 1, 100).code, Code.UNKNOWN_ACCOUNT);
    assert.equal(d.cancel(5, 1), Code.UNKNOWN_ACCOUNT);
    assert.equal(d.deposit(-1, 1 * USD), Code.UNKNOWN_ACCOUNT);
    assert.equal(d.ex.ledger.accountCount, 1);
  });

  it('an unknown market is refused before it reaches any engine', () => {
    const d = newDriver(f);
    const a = d.fundedAccount(1_000 * USD);
    assert.equal(d.buy(a, 1, 100, { market: 77 }).code, Code.UNKNOWN_MARKET);
    assert.equal(d.setMark(100, 77), Code.UNKNOWN_MARKET);
    assert.equal(d.setLeverage(a, 5, 77), Code.UNKNOWN_MARKET);
  });

  it('demo mode creates and credits accounts on first contact, densely', () => {
    const d = new Driver({ markets: [testSpec()], create: f.create, ledgerOptions: { demo: true, demoCreditMicros: 500 * USD } });
    ok(d.buy(3, 1, 100).code);
    assert.equal(d.ex.ledger.accountCount, 4);
    assert.equal(d.free(0), 500 * USD);
    assert.equal(d.ex.ledger.totals().depositsMicros, 2_000 * USD);
    d.ex.mustValidate();
  });

  it('account creation stops at maxAccounts', () => {
    const d = new Driver({ markets: [testSpec()], create: f.create, ledgerOptions: { maxAccounts: 2 } });
    d.createAccount();
    d.createAccount();
    assert.equal(d.run({ op: Op.CREATE_ACCOUNT }), Code.TOO_MANY_ACCOUNTS);
  });

  const amounts: Array<{ name: string; amount: number; code: number }> = [
    { name: 'a zero deposit is an invalid amount', amount: 0, code: Code.INVALID_AMOUNT },
    { name: 'a negative deposit is an invalid amount', amount: -5, code: Code.INVALID_AMOUNT },
    { name: 'a fractional deposit is an invalid amount', amount: 1.5, code: Code.INVALID_AMOUNT },
    { name: 'a NaN deposit is an invalid amount', amount: Number.NaN, code: Code.INVALID_AMOUNT },
    { name: 'an unsafe deposit is an invalid amount', amount: 2 ** 53, code: Code.INVALID_AMOUNT },
    { name: 'a deposit past the balance cap overflows', amount: 2 ** 52 + 1, code: Code.AMOUNT_OVERFLOW },
    { name: 'a positive safe integer deposit is accepted', amount: 12_345, code: Code.OK },
  ];
  for (const c of amounts) {
    it(c.name, () => {
      const d = newDriver(f);
      const a = d.createAccount();
      const before = d.ex.stateHash();
      assert.equal(d.deposit(a, c.amount), c.code);
      if (c.code !== Code.OK) assert.equal(d.ex.stateHash(), before);
      else assert.equal(d.free(a), c.amount);
    });
  }

  it('withdrawal amounts are validated like deposits', () => {
    const d = newDriver(f);
    const a = d.fundedAccount(10 * USD);
    assert.equal(d.withdraw(a, 0), Code.INVALID_AMOUNT);
    assert.equal(d.withdraw(a, -1), Code.INVALID_AMOUNT);
    assert.equal(d.withdraw(a, 0.5), Code.INVALID_AMOUNT);
  });

  it('seeding the insurance fund counts as a deposit, so money is still conserved', () => {
    const d = newDriver(f);
    d.ex.ledger.seedInsuranceFund(1_000 * USD);
    assert.equal(d.ex.ledger.totals().insuranceFundMicros, 1_000 * USD);
    assert.equal(d.ex.ledger.conservationResidualMicros(), 0n);
    assert.throws(() => d.ex.ledger.seedInsuranceFund(0), RangeError);
  });

  it('an unknown op is refused by R1', () => {
    const d = newDriver(f);
    assert.equal(d.run({ op: 99 }), Code.UNKNOWN_OP);
  });
});
