import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { Command } from '../command.js';
import { RecordingSink } from '../events.js';
import { Prng } from '../util/prng.js';
import { SnapshotFormatError } from '../util/bytes.js';
import { CommandGenerator } from '../../test/support/command-generator.js';
import { differentialSpec } from '../../test/support/differential.js';
import { FastMarket } from './fast-market.js';
import { encodeFastMarketSnapshot, restoreFastMarketSnapshot } from './fast-market-snapshot.js';

interface Copy {
  market: FastMarket;
  sink: RecordingSink;
  takenAt: number;
}

function restoreCopy(original: FastMarket, takenAt: number): Copy {
  const sink = new RecordingSink();
  const market = new FastMarket(original.spec, sink);
  restoreFastMarketSnapshot(market, encodeFastMarketSnapshot(original));
  return { market, sink, takenAt };
}

/**
 * Runs a seeded differential stream through one market; at `snapshots` random points
 * restores a copy from a snapshot, then feeds every later command to the original and
 * to every copy, requiring identical return codes and events after each command.
 */
interface RunStats {
  copies: number;
  compared: number;
  maxLive: number;
  /** Snapshots taken while triggers were parked / an OCO pair existed / orders carried cloids. */
  withTriggers: number;
  withOco: number;
  withCloids: number;
}

function runWithSnapshots(seed: number, commands: number, snapshots: number): RunStats {
  const spec = differentialSpec(seed);
  const sink = new RecordingSink();
  const original = new FastMarket(spec, sink);
  const gen = new CommandGenerator(seed, spec, { isLive: (id) => original.order(id) !== undefined });
  const rng = new Prng(seed * 7919 + 1);
  const points = new Set<number>();
  while (points.size < snapshots) points.add(rng.int(1, commands - 1));
  const copies: Copy[] = [];
  const cmd = new Command();
  const copy = new Command();
  let compared = 0;
  let maxLive = 0;
  let withTriggers = 0;
  let withOco = 0;
  let withCloids = 0;
  for (let i = 0; i < commands; i++) {
    if (points.has(i)) {
      const c = restoreCopy(original, i);
      c.market.validateInternalState();
      assert.equal(c.market.stateHash(), original.stateHash(), `seed ${seed}: hash right after restore at command ${i}`);
      assert.deepEqual(encodeFastMarketSnapshot(c.market), encodeFastMarketSnapshot(original), `seed ${seed}: re-snapshot of the copy differs at ${i}`);
      copies.push(c);
      if (original.above.size + original.below.size > 0) withTriggers++;
      if (hasOcoPair(original)) withOco++;
      if (original.cloids.size > 0) withCloids++;
    }
    gen.next(cmd);
    copy.copyFrom(cmd);
    const code = original.process(copy);
    const expected = sink.take();
    for (const c of copies) {
      copy.copyFrom(cmd);
      const got = c.market.process(copy);
      const events = c.sink.take();
      if (got !== code || !isDeepStrictEqual(events, expected)) {
        assert.fail(
          `seed ${seed}: copy restored at command ${c.takenAt} diverges at command ${i} (seq ${cmd.seq}): code ${got} vs ${code}\n` +
            `copy:     ${JSON.stringify(events)}\noriginal: ${JSON.stringify(expected)}`,
        );
      }
      compared++;
    }
    maxLive = Math.max(maxLive, original.liveOrderCount());
  }
  for (const c of copies) {
    c.market.validateInternalState();
    assert.equal(c.market.stateHash(), original.stateHash());
  }
  return { copies: copies.length, compared, maxLive, withTriggers, withOco, withCloids };
}

const pad8 = (n: number): number => (n + 7) & ~7;

function hasOcoPair(m: FastMarket): boolean {
  for (const set of [m.above, m.below]) for (let i = 0; i < set.size; i++) if (m.trig.oco[m.store.level[set.slots[i]]] >= 0) return true;
  return false;
}

describe('fast market snapshot and restore', () => {
  const totals = { withTriggers: 0, withOco: 0, withCloids: 0 };
  for (const seed of [1, 2, 3, 11, 12, 13]) {
    it(`a copy restored at 8 random points behaves exactly like the original for the rest of 4,000 commands (seed ${seed})`, () => {
      const r = runWithSnapshots(seed, 4_000, 8);
      assert.equal(r.copies, 8);
      assert.ok(r.compared > 8_000, `only ${r.compared} command comparisons`);
      assert.ok(r.maxLive > 20, `the book should be non-trivial (max ${r.maxLive} live orders)`);
      totals.withTriggers += r.withTriggers;
      totals.withOco += r.withOco;
      totals.withCloids += r.withCloids;
    });
  }

  it('the snapshots above covered parked triggers, OCO pairs and cloids', () => {
    assert.ok(totals.withTriggers >= 10, `triggers parked at only ${totals.withTriggers} of 48 snapshots`);
    assert.ok(totals.withOco >= 3, `an OCO pair existed at only ${totals.withOco} of 48 snapshots`);
    assert.ok(totals.withCloids >= 10, `cloids present at only ${totals.withCloids} of 48 snapshots`);
  });

  it('an empty market round-trips', () => {
    const m = new FastMarket(differentialSpec(1), new RecordingSink());
    const c = restoreCopy(m, 0);
    assert.equal(c.market.stateHash(), m.stateHash());
    assert.equal(c.market.liveOrderCount(), 0);
  });

  it('a truncated, foreign or corrupt snapshot is refused with a SnapshotFormatError', () => {
    const spec = differentialSpec(1);
    const m = new FastMarket(spec, new RecordingSink());
    const gen = new CommandGenerator(5, spec, { isLive: (id) => m.order(id) !== undefined });
    const cmd = new Command();
    for (let i = 0; i < 500; i++) {
      gen.next(cmd);
      m.process(cmd);
    }
    assert.ok(m.liveOrderCount() > 0);
    const bytes = encodeFastMarketSnapshot(m);
    const fresh = (): FastMarket => new FastMarket(spec, new RecordingSink());
    assert.throws(() => restoreFastMarketSnapshot(fresh(), bytes.subarray(0, bytes.length - 3)), SnapshotFormatError);
    assert.throws(() => restoreFastMarketSnapshot(fresh(), bytes.subarray(0, 40)), SnapshotFormatError);
    const extra = new Uint8Array(bytes.length + 8);
    extra.set(bytes);
    assert.throws(() => restoreFastMarketSnapshot(fresh(), extra), /trailing bytes/);
    const unaligned = new Uint8Array(bytes.length + 3).subarray(3);
    unaligned.set(bytes);
    const ok = fresh();
    restoreFastMarketSnapshot(ok, unaligned);
    assert.equal(ok.stateHash(), m.stateHash(), 'bytes at an unaligned offset restore too');
    const badId = bytes.slice();
    const view = new DataView(badId.buffer);
    const firstIdAt = 64 + pad8(4 * view.getUint32(32, true)) + pad8(8 * view.getUint32(32, true)) + pad8(8 * (view.getUint32(36, true) + view.getUint32(40, true))) + pad8(4 * (view.getUint32(36, true) + view.getUint32(40, true)));
    view.setFloat64(firstIdAt + 8, view.getFloat64(firstIdAt, true), true); // second order repeats the first id
    assert.throws(() => restoreFastMarketSnapshot(fresh(), badId), /appears twice/);
    const badMagic = bytes.slice();
    badMagic[0] ^= 0xff;
    assert.throws(() => restoreFastMarketSnapshot(fresh(), badMagic), /bad magic/);
    const newer = bytes.slice();
    newer[4] = 99;
    assert.throws(() => restoreFastMarketSnapshot(fresh(), newer), /format version 99 is not supported/);
    assert.throws(() => restoreFastMarketSnapshot(new FastMarket(differentialSpec(2), new RecordingSink()), bytes), /snapshot is of market/);
    const used = fresh();
    restoreFastMarketSnapshot(used, bytes);
    assert.throws(() => restoreFastMarketSnapshot(used, bytes), /must be fresh/);
  });
});
