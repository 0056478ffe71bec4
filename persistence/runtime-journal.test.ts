/**
 * The journal under the real threaded pipeline (market workers over SAB rings,
 * ledger on this thread), wired the way the daemon will wire it: onSequenced appends
 * the command, the publication handler is wrapped so settled events are journaled in
 * the order the ledger applied them and output is held until the journal
 * acknowledged it. Commands are submitted in bursts, so settlement interleaves with
 * the sequencing of later commands, as in production.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../engine/codes.js';
import { Command, Op } from '../engine/command.js';
import { RecordingSink } from '../engine/events.js';
import type { EventStreamHandler } from '../engine/ring/event-codec.js';
import { OrderType, StpMode, TimeInForce } from '../engine/types.js';
import { Prng } from '../engine/util/prng.js';
import { EngineRuntime } from '../gateway/runtime/engine-runtime.js';
import { LedgerStage } from '../gateway/runtime/ledger-stage.js';
import { Sequencer } from '../gateway/runtime/sequencer.js';
import { WorkerPool } from '../gateway/runtime/worker-pool.js';
import { workloadMarkets } from '../test/support/exchange-workload.js';
import { TempDirs, workloadEngine } from '../test/support/journal-fixtures.js';
import { JournalReader } from './journal-reader.js';
import { JournalStore } from './journal-store.js';
import { recover } from './recovery.js';
import { RuntimeJournal } from './runtime-journal.js';
import { listSnapshotSeqs } from './snapshots.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

/** Publication side: records DONEs and checks each arrives only once the journal covers its command. */
class AckChecker extends RecordingSink implements EventStreamHandler {
  readonly done = new Map<number, number>();
  violations = 0;
  #cause = 0;
  constructor(private readonly ackedSeq: () => number) {
    super();
    this.recordLevels = false;
  }
  setContext(_m: number, causeSeq: number): void {
    this.#cause = causeSeq;
    if (causeSeq > this.ackedSeq()) this.violations++;
  }
  onDone(code: number): void {
    this.done.set(this.#cause, code);
  }
}

function nextCommand(rng: Prng, cmd: Command, accounts: number, placed: number[]): void {
  const markets = workloadMarkets();
  cmd.reset();
  const m = rng.int(0, markets.length - 1);
  const spec = markets[m];
  cmd.marketId = spec.marketId;
  cmd.accountId = rng.int(0, accounts - 1);
  const mark = spec.initialMarkPriceTicks;
  const band = Math.floor((mark * spec.priceBandPpm) / 1_000_000);
  const r = rng.next();
  if (r < 0.6) {
    cmd.op = Op.PLACE;
    cmd.side = rng.int(0, 1);
    cmd.orderType = rng.chance(0.1) ? OrderType.MARKET : OrderType.LIMIT;
    cmd.tif = cmd.orderType === OrderType.MARKET ? TimeInForce.IOC : rng.pick([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC]);
    cmd.stpMode = StpMode.DEFAULT;
    cmd.priceTicks = mark + rng.int(-Math.floor(band / 8), Math.floor(band / 8));
    cmd.sizeLots = rng.int(1, spec.marketId === 1 ? 30 : 3_000);
  } else if (r < 0.85) {
    cmd.op = Op.CANCEL;
    cmd.orderId = placed.length > 0 ? rng.pick(placed) : 1;
  } else if (r < 0.93) {
    cmd.op = Op.SET_MARK_PRICE;
    cmd.accountId = 0;
    cmd.value = mark + rng.int(-Math.floor(band / 4), Math.floor(band / 4));
  } else {
    cmd.op = Op.DEPOSIT;
    cmd.amount = rng.int(1, 500) * 1_000_000;
  }
}

interface SessionResult {
  ledgerHash: string;
  lastSeq: number;
  events: number;
  cuts: number;
  violations: number;
  recoveredFromSnapshot: number;
}

/** One daemon-like life on `dir`: recover, start workers with the recovered books, run bursts of load, stop cleanly. */
async function runSession(dir: string, seed: number, bursts: number, cuts: { snapshotEveryCommands?: number; hashEveryCommands?: number } = {}): Promise<SessionResult> {
  const engine = workloadEngine();
  const cutErrors: Error[] = [];
  const journal = await RuntimeJournal.open({
    dataDir: dir,
    engine,
    journal: { mode: 'sync', groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 0 },
    onCutError: (e) => cutErrors.push(e),
    ...cuts,
  });
  const fatal: Error[] = [];
  const recoveredFromSnapshot = journal.recovery.snapshot?.seq ?? 0;
  const pool = await WorkerPool.start({
    markets: engine.markets,
    workers: 2,
    commandRingRecords: 4096,
    eventRingRecords: 16384,
    spinIterations: 100,
    parkTimeoutMs: 10,
    batchSize: 64,
    pinCpus: [],
    onFatal: (e) => fatal.push(e),
    initialMarkets: journal.takeMarketParts(),
    onSnapshotImages: (_w, cutSeq, images) => journal.onSnapshotImages(cutSeq, images),
  });
  const checker = new AckChecker(() => journal.writer.ackedSeq);
  const sequencer = new Sequencer();
  sequencer.resumeAfter(journal.resume.lastSeq, journal.resume.lastTsUs);
  const runtime = new EngineRuntime({
    pool,
    sequencer,
    risk: new LedgerStage(journal.ledger),
    publish: journal.publisher(checker),
    onSequenced: (cmd) => journal.appendCommand(cmd),
    parkTimeoutMs: 10,
  });
  runtime.start();
  const cmd = new Command();
  const accounts = 12;
  if (journal.ledger.accountCount === 0) {
    for (let a = 0; a < accounts; a++) {
      cmd.reset();
      cmd.op = Op.CREATE_ACCOUNT;
      assert.equal(runtime.submit(cmd), Code.OK);
      cmd.reset();
      cmd.op = Op.DEPOSIT;
      cmd.accountId = a;
      cmd.amount = 2_000 * 1_000_000;
      assert.equal(runtime.submit(cmd), Code.OK);
    }
  }
  const rng = new Prng(seed);
  const placed: number[] = [];
  let lastMarketSeq = 0;
  for (let burst = 0; burst < bursts; burst++) {
    // Every fifth burst is long enough for the runtime to drain from inside submit (it does
    // every 256 submits of one turn), so settlement also interleaves mid-burst.
    const burstSize = burst % 5 === 4 ? 1_000 : 100;
    for (let k = 0; k < burstSize; k++) {
      nextCommand(rng, cmd, accounts, placed);
      const code = runtime.submit(cmd);
      if (code === Code.OK && cmd.op !== Op.DEPOSIT) lastMarketSeq = cmd.seq;
      if (code === Code.OK && cmd.op === Op.PLACE) placed.push(cmd.seq);
    }
    journal.maybeSnapshot(pool);
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 0; i < 5_000 && !checker.done.has(lastMarketSeq); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(checker.done.has(lastMarketSeq), 'every command completed');
  for (let i = 0; i < 500 && journal.cuts === 0 && (cuts.snapshotEveryCommands || cuts.hashEveryCommands); i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50)); // a cut still in flight finishes
  await runtime.stop();
  await journal.writer.flush();
  await pool.close();
  assert.deepEqual(fatal, []);
  assert.deepEqual(cutErrors, []);
  assert.ok(bursts < 5 || runtime.helpDrains > 0, 'the long bursts drained from inside submit');
  const result = { ledgerHash: journal.ledger.stateHash(), lastSeq: journal.writer.lastSeq, events: journal.writer.lastEventCursor, cuts: journal.cuts, violations: checker.violations, recoveredFromSnapshot };
  await journal.close();
  return result;
}

describe('RuntimeJournal under the threaded runtime', () => {
  it('journals commands and settled events; output waits for the journal; recovery rebuilds the same ledger and verifies every market event', async () => {
    const dir = dirs.make();
    const r = await runSession(dir, 2026, 40);
    assert.equal(r.violations, 0, 'an event was published before the journal acknowledged its command');
    assert.ok(r.events > 300, `only ${r.events} journaled events`);
    const store = JournalStore.open(dir, { readOnly: true });
    let late = 0;
    for (const e of new JournalReader(store).events(1)) if (e.kind === 'event' && e.afterSeq > e.record[2]) late++;
    assert.ok(late > 100, `only ${late} events were settled after a later command was sequenced`);
    const { replayer, report } = await recover(store, workloadEngine(), { from: 'genesis' });
    await store.close();
    assert.equal(report.lastSeq, r.lastSeq);
    assert.equal(report.unsettledEvents, 0);
    assert.equal(report.replayed.eventsVerified, r.events, 'every journaled event equals the one the replayed market produced');
    assert.equal(replayer.state.ledger.stateHash(), r.ledgerHash, 'the ledger replays exactly in the journaled interleaving');
    replayer.state.exchange.mustValidate();
  });

  it('periodic cuts while running: snapshots and state hashes at runtime cuts; restarts load them into the workers and continue exactly', async () => {
    const dir = dirs.make();
    const first = await runSession(dir, 7, 30, { snapshotEveryCommands: 700, hashEveryCommands: 300 });
    assert.ok(first.cuts >= 3, `${first.cuts} cuts`);
    // the second life starts from the newest runtime snapshot (workers load the recovered books)
    const second = await runSession(dir, 8, 20, { snapshotEveryCommands: 700, hashEveryCommands: 300 });
    assert.ok(second.recoveredFromSnapshot > 0, 'recovered from a runtime snapshot');
    assert.equal(second.violations, 0);
    const store = JournalStore.open(dir, { readOnly: true });
    const genesis = await recover(store, workloadEngine(), { from: 'genesis' });
    const latest = await recover(store, workloadEngine());
    const snapshots = listSnapshotSeqs(store).length;
    await store.close();
    assert.ok(snapshots >= 4, `${snapshots} snapshots`);
    assert.ok(genesis.report.hashesVerified >= 6, `only ${genesis.report.hashesVerified} published hashes and snapshot hashes checked`);
    assert.equal(genesis.replayer.state.ledger.stateHash(), second.ledgerHash);
    assert.equal(latest.replayer.state.hashes().exchange, genesis.replayer.state.hashes().exchange);
    assert.ok(latest.report.snapshot !== undefined);
  });
});
