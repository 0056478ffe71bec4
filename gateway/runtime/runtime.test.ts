/**
 * The threaded pipeline (gateway-thread ledger + market worker threads over SAB
 * rings) with the real Ledger and the real fast book:
 *  - money is conserved after every step of a long seeded random run;
 *  - with one command in flight at a time, the threaded run ends in exactly the
 *    state a single-threaded Exchange reaches on the same sequenced commands;
 *  - markets on different workers progress independently;
 *  - a full ring answers OVERLOADED and loses nothing it accepted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFastMarket } from '../../engine/book/fast-market.js';
import { Code } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { RecordingSink } from '../../engine/events.js';
import { Exchange } from '../../engine/exchange.js';
import { Ledger } from '../../engine/ledger/ledger.js';
import { demoMarkets } from '../../engine/market-spec.js';
import type { EventStreamHandler } from '../../engine/ring/event-codec.js';
import { OrderFlag, OrderType, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import { Prng } from '../../engine/util/prng.js';
import { EngineRuntime } from './engine-runtime.js';
import { LedgerStage } from './ledger-stage.js';
import { Sequencer } from './sequencer.js';
import { WorkerPool } from './worker-pool.js';

const USD = 1_000_000;

/** Publication side for tests: remembers which commands are complete. */
class DoneTracker extends RecordingSink implements EventStreamHandler {
  readonly done = new Map<number, number>();
  fills = 0;
  #cause = 0;
  constructor() {
    super();
    this.recordLevels = false;
  }
  setContext(_marketId: number, causeSeq: number): void {
    this.#cause = causeSeq;
  }
  onDone(code: number): void {
    this.done.set(this.#cause, code);
  }
  override onFill(...args: Parameters<RecordingSink['onFill']>): void {
    this.fills++;
    super.onFill(...args);
  }
}

interface Rig {
  pool: WorkerPool;
  runtime: EngineRuntime;
  ledger: Ledger;
  tracker: DoneTracker;
  sequenced: Command[];
  close(): Promise<void>;
}

async function startRig(opts: { workers: number; commandRingRecords?: number }): Promise<Rig> {
  const markets = demoMarkets();
  const ledger = new Ledger(markets, {});
  const tracker = new DoneTracker();
  const fatal: Error[] = [];
  const pool = await WorkerPool.start({
    markets,
    workers: opts.workers,
    commandRingRecords: opts.commandRingRecords ?? 4096,
    eventRingRecords: 16384,
    spinIterations: 200,
    parkTimeoutMs: 20,
    batchSize: 64,
    pinCpus: [],
    onFatal: (e) => fatal.push(e),
  });
  const sequenced: Command[] = [];
  const runtime = new EngineRuntime({
    pool,
    sequencer: new Sequencer(),
    risk: new LedgerStage(ledger),
    publish: tracker,
    onSequenced: (cmd) => sequenced.push(new Command().copyFrom(cmd)),
    parkTimeoutMs: 20,
  });
  return {
    pool,
    runtime,
    ledger,
    tracker,
    sequenced,
    async close() {
      await pool.close();
      assert.deepEqual(fatal, []);
    },
  };
}

/** Waits until the command with `seq` has produced its DONE (events settled). */
async function settle(rig: Rig, seq: number): Promise<number> {
  for (let i = 0; i < 10_000; i++) {
    rig.runtime.drainNow();
    const code = rig.tracker.done.get(seq);
    if (code !== undefined) return code;
    await rig.pool.waitForEvents(5);
  }
  throw new Error(`no DONE for seq ${seq}`);
}

function randomCommand(rng: Prng, cmd: Command, accounts: number[], marks: number[]): void {
  const markets = demoMarkets();
  cmd.reset();
  const m = rng.int(0, markets.length - 1);
  const spec = markets[m];
  cmd.marketId = spec.marketId;
  cmd.accountId = rng.pick(accounts);
  const band = Math.floor((marks[m] * spec.priceBandPpm) / 1_000_000);
  const price = (): number => marks[m] + rng.int(-Math.floor(band / 6), Math.floor(band / 6));
  const r = rng.next();
  if (r < 0.55) {
    cmd.op = Op.PLACE;
    cmd.side = rng.int(0, 1);
    const isMarket = rng.chance(0.15);
    cmd.orderType = isMarket ? OrderType.MARKET : OrderType.LIMIT;
    cmd.tif = isMarket ? TimeInForce.IOC : rng.pick([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]);
    cmd.priceTicks = isMarket ? 0 : price();
    cmd.sizeLots = rng.int(1, 200_000);
    cmd.stpMode = rng.pick([StpMode.DEFAULT, StpMode.EXPIRE_TAKER, StpMode.EXPIRE_MAKER]);
    if (rng.chance(0.1)) cmd.flags |= OrderFlag.REDUCE_ONLY;
    if (rng.chance(0.05) && !isMarket) {
      cmd.triggerKind = rng.pick([TriggerKind.STOP, TriggerKind.TAKE_PROFIT]);
      cmd.triggerPriceTicks = price();
    }
  } else if (r < 0.7) {
    cmd.op = Op.CANCEL;
    cmd.orderId = rng.int(1, 5_000);
  } else if (r < 0.8) {
    cmd.op = Op.MODIFY;
    cmd.orderId = rng.int(1, 5_000);
    cmd.side = rng.int(0, 1);
    cmd.priceTicks = price();
    cmd.sizeLots = rng.chance(0.5) ? 0 : rng.int(1, 200_000);
  } else if (r < 0.9) {
    cmd.op = Op.SET_MARK_PRICE;
    marks[m] = Math.max(1, marks[m] + Math.trunc((marks[m] * rng.int(-20_000, 20_000)) / 1_000_000));
    cmd.value = marks[m];
  } else if (r < 0.95) {
    cmd.op = Op.DEPOSIT;
    cmd.amount = rng.int(1, 10_000) * USD;
  } else if (r < 0.98) {
    cmd.op = Op.WITHDRAW;
    cmd.amount = rng.int(1, 20_000) * USD;
  } else {
    cmd.op = Op.CANCEL_ALL;
    cmd.value = rng.chance(0.5) ? 1 : 0;
  }
}

function mustConserve(ledger: Ledger, where: string): void {
  assert.equal(ledger.conservationResidualMicros(), 0n, `conservation broken ${where}`);
}

describe('threaded runtime with the real ledger and market workers', () => {
  it('conserves money after every step of a seeded run and ends in the single-threaded Exchange state', async () => {
    const rig = await startRig({ workers: 2 });
    const rng = new Prng(2026);
    const cmd = new Command();
    const accounts: number[] = [];
    for (let i = 0; i < 8; i++) {
      cmd.reset();
      cmd.op = Op.CREATE_ACCOUNT;
      assert.equal(rig.runtime.submit(cmd), Code.OK);
      accounts.push(cmd.accountId);
      cmd.reset();
      cmd.op = Op.DEPOSIT;
      cmd.accountId = accounts[i];
      cmd.amount = rng.int(5_000, 200_000) * USD;
      assert.equal(rig.runtime.submit(cmd), Code.OK);
    }
    const marks = demoMarkets().map((m) => m.initialMarkPriceTicks);
    const steps = Number(process.env.PERPD_RUNTIME_STEPS ?? 6_000);
    for (let step = 0; step < steps; step++) {
      randomCommand(rng, cmd, accounts, marks);
      const allMarkets = cmd.op === Op.CANCEL_ALL && cmd.value === 1;
      const code = rig.runtime.submit(cmd);
      if (code === Code.OK && cmd.op >= Op.PLACE) {
        const last = allMarkets ? cmd.seq + demoMarkets().length - 1 : cmd.seq;
        await settle(rig, last);
      }
      mustConserve(rig.ledger, `after step ${step} (op ${cmd.op})`);
    }
    assert.ok(rig.tracker.fills > 300, `only ${rig.tracker.fills} fills: the run must trade`);

    // Replay the sequenced commands through the single-threaded Exchange.
    const ex = new Exchange({ markets: demoMarkets(), createMarket: createFastMarket });
    const replay = new Command();
    for (const c of rig.sequenced) {
      replay.copyFrom(c);
      const code = ex.process(replay);
      assert.equal(code === Code.OK || c.op >= Op.PLACE, true, `ledger op seq ${c.seq} refused on replay (${code})`);
    }
    assert.equal(ex.ledger.stateHash(), rig.ledger.stateHash(), 'threaded ledger differs from the single-threaded replay');
    await rig.close();
  });

  it('stays conserved when commands are pipelined without waiting', async () => {
    const rig = await startRig({ workers: 2 });
    const rng = new Prng(99);
    const cmd = new Command();
    const accounts: number[] = [];
    for (let i = 0; i < 6; i++) {
      cmd.reset();
      cmd.op = Op.CREATE_ACCOUNT;
      rig.runtime.submit(cmd);
      accounts.push(cmd.accountId);
      cmd.reset();
      cmd.op = Op.DEPOSIT;
      cmd.accountId = accounts[i];
      cmd.amount = 100_000 * USD;
      rig.runtime.submit(cmd);
    }
    const marks = demoMarkets().map((m) => m.initialMarkPriceTicks);
    let lastSeq = 0;
    for (let burst = 0; burst < 40; burst++) {
      for (let i = 0; i < 200; i++) {
        randomCommand(rng, cmd, accounts, marks);
        if (rig.runtime.submit(cmd) === Code.OK) lastSeq = Math.max(lastSeq, cmd.seq + (cmd.op === Op.CANCEL_ALL ? 2 : 0));
      }
      await new Promise((r) => setImmediate(r));
      rig.runtime.drainNow();
      mustConserve(rig.ledger, `after burst ${burst}`);
    }
    await settle(rig, lastSeq);
    mustConserve(rig.ledger, 'at the end');
    await rig.close();
  });

  it('markets on different workers progress independently and a full ring answers OVERLOADED without losing accepted commands', async () => {
    const rig = await startRig({ workers: 3, commandRingRecords: 64 });
    assert.deepEqual(rig.pool.assignment(), [['BTC-PERP'], ['ETH-PERP'], ['SOL-PERP']]);
    const cmd = new Command();
    cmd.op = Op.CREATE_ACCOUNT;
    rig.runtime.submit(cmd);
    const acct = cmd.accountId;
    cmd.reset();
    cmd.op = Op.DEPOSIT;
    cmd.accountId = acct;
    cmd.amount = 10_000_000 * USD;
    rig.runtime.submit(cmd);

    // Fill BTC's ring synchronously (no await: the worker may be parked) until it refuses.
    const accepted: number[] = [];
    let overloaded = 0;
    for (let i = 0; i < 1_000 && overloaded === 0; i++) {
      cmd.reset();
      Object.assign(cmd, { op: Op.PLACE, marketId: 0, accountId: acct, side: i % 2, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, stpMode: StpMode.EXPIRE_MAKER });
      cmd.priceTicks = 1_000_000 + (i % 2 === 0 ? -1 - (i % 100) : 1 + (i % 100));
      cmd.sizeLots = 10;
      const code = rig.runtime.submit(cmd);
      if (code === Code.OK) accepted.push(cmd.seq);
      else if (code === Code.OVERLOADED) overloaded++;
      else assert.fail(`unexpected code ${code}`);
    }
    assert.equal(overloaded, 1, 'the 64-record ring must fill up within 1,000 synchronous submissions');
    // ETH is on another worker: its ring still has room and it completes on its own.
    cmd.reset();
    Object.assign(cmd, { op: Op.PLACE, marketId: 1, accountId: acct, side: 0, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, stpMode: 1, priceTicks: 349_000, sizeLots: 5 });
    assert.equal(rig.runtime.submit(cmd), Code.OK);
    assert.equal(await settle(rig, cmd.seq), Code.OK);
    // Every accepted BTC command completes: nothing accepted was lost.
    for (const seq of accepted) assert.equal(await settle(rig, seq), Code.OK);
    mustConserve(rig.ledger, 'after the overload run');
    await rig.close();
  });
});
