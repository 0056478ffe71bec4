import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CancelReason, Code } from './codes.js';
import { Op } from './command.js';
import { NullSink, RecordingSink } from './events.js';
import { Side } from './types.js';
import { availableMarketFactories, Driver, testSpec, USD } from './ledger/test-fixtures.js';

const factories = await availableMarketFactories();
const twoMarkets = () => [testSpec({ marketId: 2, symbol: 'TWO-PERP' }), testSpec()];

for (const f of factories) {
  describe(`Exchange composition (${f.name} market)`, () => {
    it('markets are kept in ascending marketId order', () => {
      const d = new Driver({ markets: twoMarkets(), create: f.create });
      assert.deepEqual(d.ex.markets.map((m) => m.spec.marketId), [1, 2]);
      assert.equal(d.ex.market(2)?.spec.symbol, 'TWO-PERP');
    });

    it('CANCEL_ALL with value 1 cancels in every market, in marketId order', () => {
      const rec = new RecordingSink();
      rec.recordLevels = false;
      const d = new Driver({ markets: twoMarkets(), create: f.create, sink: rec });
      const a = d.fundedAccount(10_000 * USD);
      const inTwo = d.buy(a, 1, 100, { market: 2 }).orderId;
      const inOne = d.buy(a, 1, 100, { market: 1 }).orderId;
      rec.take();
      const code = d.run({ op: Op.CANCEL_ALL, accountId: a, marketId: 2, value: 1 });
      assert.equal(code, Code.OK);
      assert.equal(d.cmd.marketId, 2, 'the command keeps its marketId');
      const cancels = rec.take().filter((e) => e.e === 'cancel');
      assert.deepEqual(cancels.map((e) => (e.e === 'cancel' ? [e.orderId, e.reason] : [])), [
        [inOne, CancelReason.MASS_CANCEL],
        [inTwo, CancelReason.MASS_CANCEL],
      ]);
      assert.equal(d.free(a), 10_000 * USD);
      d.ex.mustValidate();
    });

    it('CANCEL_ALL without the flag stays in its market', () => {
      const d = new Driver({ markets: twoMarkets(), create: f.create });
      const a = d.fundedAccount(10_000 * USD);
      d.buy(a, 1, 100, { market: 2 });
      d.buy(a, 1, 100, { market: 1 });
      assert.equal(d.run({ op: Op.CANCEL_ALL, accountId: a, marketId: 1 }), Code.OK);
      assert.equal(d.ex.market(1)?.liveOrderCount(), 0);
      assert.equal(d.ex.market(2)?.liveOrderCount(), 1);
      d.ex.mustValidate();
    });

    it('SET_MARK_PRICE moves both the ledger reference and the market mark; a bad price moves neither', () => {
      const d = new Driver({ markets: twoMarkets(), create: f.create });
      assert.equal(d.setMark(105, 2), Code.OK);
      assert.equal(d.ex.ledger.refPriceTicks(2), 105);
      assert.equal(d.ex.market(2)?.markPriceTicks(), 105);
      assert.equal(d.ex.ledger.refPriceTicks(1), 100);
      assert.equal(d.setMark(0, 2), Code.INVALID_PRICE);
      assert.equal(d.setMark(100_001, 2), Code.INVALID_PRICE);
      assert.equal(d.ex.ledger.refPriceTicks(2), 105);
      assert.equal(d.ex.market(2)?.markPriceTicks(), 105);
    });

    it('the output sink sees each event after the ledger has settled it', () => {
      const seen: number[] = [];
      let d: Driver | undefined;
      const sink = new (class extends NullSink {
        override onFill(_makerOrderId?: number, makerAccountId = -1): void {
          seen.push(d!.ex.ledger.positionLots(makerAccountId, 1));
        }
      })();
      d = new Driver({ markets: [testSpec()], create: f.create, sink });
      const a = d.fundedAccount(1_000 * USD);
      const b = d.fundedAccount(1_000 * USD);
      d.buy(a, 3, 100);
      d.sell(b, 3, 100);
      assert.deepEqual(seen, [3]);
    });

    it('a command refused by R1 never reaches a market and emits nothing', () => {
      const rec = new RecordingSink();
      const d = new Driver({ markets: [testSpec()], create: f.create, sink: rec });
      const a = d.fundedAccount(1 * USD);
      assert.equal(d.buy(a, 10, 100).code, Code.INSUFFICIENT_MARGIN);
      assert.equal(rec.events.length, 0);
    });

    it('ledger ops never reach a market', () => {
      const rec = new RecordingSink();
      const d = new Driver({ markets: [testSpec()], create: f.create, sink: rec });
      const a = d.fundedAccount(1_000 * USD);
      d.withdraw(a, 1 * USD);
      d.setLeverage(a, 5);
      d.run({ op: Op.SET_STP_DEFAULT, accountId: a, stpMode: 2 });
      assert.equal(rec.events.length, 0);
    });

    it('the state hash is a function of the commands: equal runs agree, any change differs', () => {
      const script = (d: Driver) => {
        const a = d.fundedAccount(1_000 * USD);
        const b = d.fundedAccount(1_000 * USD);
        d.buy(a, 5, 99);
        d.place({ account: b, side: Side.SELL, size: 2, price: 99 });
        return a;
      };
      const d1 = new Driver({ markets: twoMarkets(), create: f.create });
      const d2 = new Driver({ markets: twoMarkets(), create: f.create });
      const a = script(d1);
      script(d2);
      assert.equal(d1.ex.stateHash(), d2.ex.stateHash());
      d2.deposit(a, 1);
      assert.notEqual(d1.ex.stateHash(), d2.ex.stateHash());
      d1.deposit(a, 1);
      assert.equal(d1.ex.stateHash(), d2.ex.stateHash());
      d1.setLeverage(a, 7);
      assert.notEqual(d1.ex.stateHash(), d2.ex.stateHash());
    });
  });
}

describe('Exchange across engines', () => {
  it('the ledger hash is the same whichever engine runs the markets', { skip: factories.length < 2 }, () => {
    const hashes = factories.map((f) => {
      const d = new Driver({ markets: twoMarkets(), create: f.create });
      const a = d.fundedAccount(5_000 * USD);
      const b = d.fundedAccount(5_000 * USD);
      d.buy(a, 5, 99);
      d.buy(a, 5, 98, { market: 2 });
      d.sell(b, 7, 98);
      d.sell(b, 2, 95, { market: 2 });
      d.setMark(97);
      return { ledger: d.ex.ledger.stateHash(), exchange: d.ex.stateHash() };
    });
    for (const h of hashes.slice(1)) assert.deepEqual(h, hashes[0]);
  });
});
