import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { createFastMarket } from './book/fast-market.js';
import { Command, Op } from './command.js';
import { RecordingSink } from './events.js';
import { Exchange } from './exchange.js';
import { restoreExchange, snapshotExchange } from './exchange-snapshot.js';
import { Ledger } from './ledger/ledger.js';
import { SnapshotFormatError } from './util/bytes.js';
import { Prng } from './util/prng.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';

interface Running {
  ex: Exchange;
  sink: RecordingSink;
  takenAt: number;
}

function newExchange(sink: RecordingSink): Exchange {
  return new Exchange({ markets: workloadMarkets(), createMarket: createFastMarket, sink });
}

describe('exchange (ledger + markets) snapshot and restore', () => {
  for (const seed of [1, 7, 42]) {
    it(`an exchange restored at 6 random points matches the original command by command for the rest of 3,000 (seed ${seed})`, () => {
      const sink = new RecordingSink();
      const original = newExchange(sink);
      const work = new ExchangeWorkload(seed, workloadMarkets());
      const rng = new Prng(seed + 99);
      const points = new Set<number>();
      while (points.size < 6) points.add(rng.int(20, 2_999));
      const copies: Running[] = [];
      const cmd = new Command();
      const c2 = new Command();
      let seq = 0;
      let fills = 0;
      for (let i = 0; i < 3_000; i++) {
        if (points.has(i)) {
          const parts = snapshotExchange(original);
          const csink = new RecordingSink();
          const copy = newExchange(csink);
          restoreExchange(copy, parts);
          copy.mustValidate();
          assert.equal(copy.stateHash(), original.stateHash(), `hash right after restore at ${i}`);
          assert.deepEqual(copy.ledger.snapshot(), original.ledger.snapshot(), 're-snapshot of the ledger differs');
          copies.push({ ex: copy, sink: csink, takenAt: i });
        }
        work.next(cmd, original);
        cmd.seq = ++seq;
        cmd.tsUs = seq * 1_000;
        if (cmd.op === Op.PLACE) cmd.orderId = seq;
        c2.copyFrom(cmd);
        const code = original.process(c2);
        const events = sink.take();
        fills += events.filter((e) => e.e === 'fill').length;
        for (const c of copies) {
          c2.copyFrom(cmd);
          const got = c.ex.process(c2);
          const ev = c.sink.take();
          if (got !== code || !isDeepStrictEqual(ev, events)) assert.fail(`copy restored at ${c.takenAt} diverges at command ${i}: code ${got} vs ${code}`);
        }
        if (i % 50 === 0) for (const c of copies) assert.equal(c.ex.ledger.stateHash(), original.ledger.stateHash(), `ledger hash at ${i}`);
      }
      for (const c of copies) {
        c.ex.mustValidate();
        assert.equal(c.ex.stateHash(), original.stateHash());
      }
      assert.ok(fills > 100, `only ${fills} fills`);
      assert.ok(original.ledger.accountCount > 8);
    });
  }

  it('a truncated, foreign or corrupt ledger snapshot is refused', () => {
    const ex = newExchange(new RecordingSink());
    const work = new ExchangeWorkload(3, workloadMarkets());
    const cmd = new Command();
    for (let i = 0; i < 300; i++) {
      work.next(cmd, ex);
      cmd.seq = i + 1;
      if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
      ex.process(cmd);
    }
    const bytes = ex.ledger.snapshot();
    const fresh = (): Ledger => new Ledger(workloadMarkets());
    assert.throws(() => fresh().restoreSnapshot(bytes.subarray(0, bytes.length - 1)), SnapshotFormatError);
    const newer = bytes.slice();
    newer[4] = 7;
    assert.throws(() => fresh().restoreSnapshot(newer), /format version 7 is not supported/);
    assert.throws(() => new Ledger(workloadMarkets().slice(0, 2)).restoreSnapshot(bytes), /markets/);
    const l = fresh();
    l.restoreSnapshot(bytes);
    assert.equal(l.stateHash(), ex.ledger.stateHash());
    assert.throws(() => l.restoreSnapshot(bytes), /must be fresh/);
  });
});
