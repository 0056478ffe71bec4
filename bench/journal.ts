/**
 * Journal benchmark: `node dist/bench/run.js journal [--quick] [--appends N] [--resting N]`.
 *
 *  1. appends    JournalWriter.appendCommand as fast as the writer takes them, in bursts
 *                of 500 per event-loop turn (a gateway's read batch), group commit
 *                1,000 records / end of turn; `sync` (ack after fsync) then `async`
 *                (ack at commit): appends/s, commits, records per commit. Then an
 *                OPEN-LOOP pass at a fixed rate (--rate, default 100,000/s: a burst of
 *                500 every 5 ms) for the ack latency of each burst (first append →
 *                onDurable), p50/p99/max: a closed loop would hide queueing.
 *  2. read       JournalReader.commands over the sync journal: verified records/s.
 *  3. replay     a seeded mixed workload (test/support/exchange-workload.ts) journaled
 *                through JournaledExchange, then recovered from genesis: commands/s.
 *  4. restart    N resting orders (default 1,000,000) placed through JournaledExchange,
 *                a snapshot (the synchronous cut is the matching pause), then a restart
 *                from that snapshot and one from genesis.
 *
 * The journal lives in the OS temp directory (on this machine the same disk as the
 * repository) and is deleted afterwards. Results: stderr table + bench/results/<stamp>/journal.json.
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command, Op } from '../engine/command.js';
import { makeMarketSpec, prdLeverageTiers } from '../engine/market-spec.js';
import { OrderType, Side, StpMode, TimeInForce } from '../engine/types.js';
import { JournaledExchange } from '../persistence/journaled-exchange.js';
import { JournalReader } from '../persistence/journal-reader.js';
import { JournalStore, type EngineConfig } from '../persistence/journal-store.js';
import { JournalWriter, type JournalMode } from '../persistence/journal-writer.js';
import { recover } from '../persistence/recovery.js';
import { PiscinaBuilder } from '../persistence/snapshot-builder.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { parseArgs, numberOption } from './lib/cli.js';
import { resultsDir, writeJson } from './lib/results.js';
import { human, summariseLatencies } from './lib/stats.js';
import { printMachine } from './machine.js';

const { options } = parseArgs(process.argv.slice(2));
const quick = options.has('quick');
const APPENDS = numberOption(options, 'appends', quick ? 200_000 : 1_000_000);
const WORKLOAD = numberOption(options, 'workload', quick ? 30_000 : 200_000);
const RESTING = numberOption(options, 'resting', quick ? 100_000 : 1_000_000);
const BURST = 500;
const RATE = numberOption(options, 'rate', 100_000);
const LATENCY_SECONDS = quick ? 1 : 3;

const machine = printMachine();
const temp: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'perpd-bench-journal-'));
  temp.push(d);
  return d;
};
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const dirBytes = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true }).reduce((n, e) => (e.isFile() ? n + statSync(join(e.parentPath, e.name)).size : n), 0);

function samplePlace(cmd: Command, seq: number): void {
  cmd.op = Op.PLACE;
  cmd.seq = seq;
  cmd.tsUs = 1_700_000_000_000_000 + seq;
  cmd.marketId = 1;
  cmd.accountId = seq % 1000;
  cmd.orderId = seq;
  cmd.side = seq & 1;
  cmd.priceTicks = 100_000 + (seq % 50);
  cmd.sizeLots = 1 + (seq % 9);
  cmd.preheldLots = cmd.sizeLots;
  cmd.stpMode = StpMode.EXPIRE_TAKER;
}

async function benchAppends(mode: JournalMode): Promise<Record<string, unknown>> {
  const dir = tempDir();
  const store = JournalStore.open(dir, { engine: { markets: workloadMarkets(), ledger: {} } });
  const burstStart = new Float64Array(Math.ceil(APPENDS / BURST));
  const latencies = new Float64Array(burstStart.length);
  let acked = 0;
  let bursts = 0;
  const w = new JournalWriter(store, {
    mode,
    groupCommitMaxRecords: 1_000,
    groupCommitMaxDelayMicros: 0,
    onDurable: (seq) => {
      const now = performance.now();
      const upTo = Math.floor(seq / BURST);
      for (; acked < upTo; acked++) latencies[acked] = (now - burstStart[acked]) * 1e6;
    },
  });
  const cmd = new Command();
  const t0 = performance.now();
  for (let seq = 1; seq <= APPENDS; seq++) {
    if ((seq - 1) % BURST === 0) burstStart[bursts++] = performance.now();
    samplePlace(cmd, seq);
    w.appendCommand(cmd);
    if (seq % BURST === 0) await nextTurn();
  }
  await w.flush();
  const seconds = (performance.now() - t0) / 1000;
  const lat = summariseLatencies(latencies.subarray(0, acked));
  const bytes = dirBytes(dir);
  await store.close();
  void lat; // closed-loop latencies only measure the queue the producer built
  const open = await openLoopLatency(mode);
  const row = {
    mode,
    appends: APPENDS,
    appendsPerSecond: Math.round(APPENDS / seconds),
    commits: w.stats.commits,
    recordsPerCommit: Math.round(w.stats.records / w.stats.commits),
    bytesOnDisk: bytes,
    openLoop: open,
  };
  log(
    `appends ${mode.padEnd(5)}: ${human(row.appendsPerSecond)}/s closed loop (${APPENDS} commands, 144 B each in blocks), ${row.commits} commits (${row.recordsPerCommit} records each); ` +
      `open loop at ${human(RATE)}/s: burst ack latency p50 ${open.ackLatencyP50Us} µs, p99 ${open.ackLatencyP99Us} µs, max ${open.ackLatencyMaxUs} µs, ${open.recordsPerCommit} records per commit`,
  );
  if (mode === 'sync') readBack.dir = dir;
  return row;
}

const readBack = { dir: '' };

/** Bursts of BURST appends at RATE per second, paced by the clock (not by the acks). */
async function openLoopLatency(mode: JournalMode): Promise<{ rate: number; ackLatencyP50Us: number; ackLatencyP99Us: number; ackLatencyMaxUs: number; recordsPerCommit: number }> {
  const dir = tempDir();
  const store = JournalStore.open(dir, { engine: { markets: workloadMarkets(), ledger: {} } });
  const bursts = Math.max(1, Math.floor((RATE * LATENCY_SECONDS) / BURST));
  const start = new Float64Array(bursts);
  const lat = new Float64Array(bursts);
  let acked = 0;
  const w = new JournalWriter(store, {
    mode,
    groupCommitMaxRecords: 1_000,
    groupCommitMaxDelayMicros: 0,
    onDurable: (seq) => {
      const now = performance.now();
      const upTo = Math.floor(seq / BURST);
      for (; acked < upTo; acked++) lat[acked] = (now - start[acked]) * 1e6;
    },
  });
  const cmd = new Command();
  const periodMs = (BURST / RATE) * 1000;
  const t0 = performance.now();
  let seq = 0;
  for (let b = 0; b < bursts; b++) {
    const due = t0 + b * periodMs;
    while (performance.now() < due) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now() - 0.2)));
    start[b] = performance.now();
    for (let k = 0; k < BURST; k++) {
      samplePlace(cmd, ++seq);
      w.appendCommand(cmd);
    }
  }
  await w.flush();
  await store.close();
  const s = summariseLatencies(lat.subarray(0, acked));
  return {
    rate: RATE,
    ackLatencyP50Us: Math.round(s.p50Ns / 1000),
    ackLatencyP99Us: Math.round(s.p99Ns / 1000),
    ackLatencyMaxUs: Math.round(s.maxNs / 1000),
    recordsPerCommit: Math.round(w.stats.records / w.stats.commits),
  };
}

async function benchRead(): Promise<Record<string, unknown>> {
  const store = JournalStore.open(readBack.dir, { readOnly: true });
  const reader = new JournalReader(store);
  const t0 = performance.now();
  let n = 0;
  let check = 0;
  for (const item of reader.commands(1)) {
    n++;
    check += item.cmd.sizeLots;
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  const row = { records: n, recordsPerSecond: Math.round(n / seconds), checksum: check };
  log(`read back: ${human(row.recordsPerSecond)} verified command records/s (${n} records, CRC + decode)`);
  return row;
}

async function benchReplay(): Promise<Record<string, unknown>> {
  const dir = tempDir();
  const engine: EngineConfig = { markets: workloadMarkets(), ledger: { defaultLeverage: 20 } };
  const jx = await JournaledExchange.open({ dataDir: dir, engine, journal: { mode: 'async', groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 0 } });
  const work = new ExchangeWorkload(42, workloadMarkets(), { initialAccounts: 50 });
  const cmd = new Command();
  const t0 = performance.now();
  for (let i = 0; i < WORKLOAD; i++) {
    work.next(cmd, jx.state.exchange);
    jx.submit(cmd, i);
    if (i % BURST === 0) await nextTurn();
  }
  await jx.flush();
  const liveSeconds = (performance.now() - t0) / 1000;
  const live = jx.state.hashes().exchange;
  const sequenced = jx.lastSeq;
  const events = jx.writer.lastEventCursor;
  await jx.close();
  const store = JournalStore.open(dir, { readOnly: true });
  const t1 = performance.now();
  const { replayer, report } = await recover(store, engine, { from: 'genesis' });
  const seconds = (performance.now() - t1) / 1000;
  await store.close();
  if (replayer.state.hashes().exchange !== live) throw new Error('replay hash differs from the live hash');
  const row = {
    generated: WORKLOAD,
    commands: sequenced,
    events,
    generateAndJournalSeconds: Math.round(liveSeconds * 100) / 100,
    replaySeconds: Math.round(seconds * 1000) / 1000,
    replayCommandsPerSecond: Math.round(report.replayed.commands / seconds),
    replayItemsPerSecond: Math.round((report.replayed.commands + report.replayed.events) / seconds),
  };
  log(
    `replay: ${human(row.replayCommandsPerSecond)} commands/s (${sequenced} commands + ${events} journaled events of a mixed 3-market workload, ` +
      `R1 + matching + R2 + event check, in ${row.replaySeconds} s; hash equal to live)`,
  );
  return row;
}

function restingSpec() {
  return makeMarketSpec({
    marketId: 1,
    symbol: 'REST-PERP',
    tickSize: '0.01',
    lotSize: '0.001',
    minOrderLots: 1,
    maxOrderLots: 1_000_000,
    maxPositionLots: 10_000_000,
    maxPriceTicks: 10_000_000,
    makerFeePpm: 0,
    takerFeePpm: 500,
    priceBandPpm: 500_000,
    maxOpenOrdersPerAccount: 5_000,
    tiers: prdLeverageTiers(),
    initialMarkPriceTicks: 1_000_000,
  });
}

async function benchRestart(): Promise<Record<string, unknown>> {
  const dir = tempDir();
  const engine: EngineConfig = { markets: [restingSpec()], ledger: { defaultLeverage: 20, maxAccounts: 10_000 } };
  const compressor = new PiscinaBuilder();
  const opts = { dataDir: dir, engine, compressor, journal: { mode: 'sync' as const, groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 0 } };
  const jx = await JournaledExchange.open(opts);
  const accounts = Math.max(1, Math.ceil(RESTING / 4_000));
  const cmd = new Command();
  for (let a = 0; a < accounts; a++) {
    cmd.reset();
    cmd.op = Op.CREATE_ACCOUNT;
    jx.submit(cmd, 1);
    cmd.reset();
    cmd.op = Op.DEPOSIT;
    cmd.accountId = a;
    cmd.amount = 1_000_000 * 1_000_000; // 1 M USDC each (the sum of deposits must stay a safe integer)
    jx.submit(cmd, 1);
  }
  const t0 = performance.now();
  for (let i = 0; i < RESTING; i++) {
    cmd.reset();
    cmd.op = Op.PLACE;
    cmd.marketId = 1;
    cmd.accountId = i % accounts;
    cmd.side = i & 1 ? Side.SELL : Side.BUY;
    cmd.orderType = OrderType.LIMIT;
    cmd.tif = TimeInForce.GTC;
    cmd.stpMode = StpMode.EXPIRE_TAKER;
    // bids 1..99,999 ticks under the mark, asks over it: nothing crosses, ~100k levels per side
    cmd.priceTicks = 1_000_000 + (cmd.side === Side.BUY ? -1 : 1) * (1 + ((i * 7919) % 99_999));
    cmd.sizeLots = 1 + (i % 5);
    const code = jx.submit(cmd, 2 + i);
    if (code !== 0) throw new Error(`resting order ${i} refused with ${code}`);
    if (i % 1_000 === 0) await nextTurn();
  }
  await jx.flush();
  const placeSeconds = (performance.now() - t0) / 1000;
  const live = jx.state.hashes().exchange;
  const market = jx.state.exchange.markets[0];
  if (market.liveOrderCount() !== RESTING) throw new Error(`only ${market.liveOrderCount()} resting`);
  // The cut: what a market worker pauses matching for (array copies; encoding,
  // hashing and compression happen in the background). For comparison: encoding in
  // place, and hashing the live state.
  jx.state.captureSnapshot(); // warm-up
  const c0 = performance.now();
  jx.state.captureSnapshot();
  const c1 = performance.now();
  const parts = jx.state.snapshot();
  const c1b = performance.now();
  jx.state.hashes(); // what publishing a state hash costs when computed on the live state
  const c2 = performance.now();
  const rawBytes = parts.markets.reduce((n, p) => n + p.bytes.length, parts.ledger.length);
  const s0 = performance.now();
  await jx.snapshotNow();
  await jx.flush();
  const snapshotTotal = performance.now() - s0;
  await jx.close();
  const journalBytes = dirBytes(dir);

  const r0 = performance.now();
  const again = await JournaledExchange.open(opts);
  const restartMs = performance.now() - r0;
  if (again.state.hashes().exchange !== live) throw new Error('restart from snapshot: hash differs');
  const rep = again.recovery;
  await again.close();

  const store = JournalStore.open(dir, { readOnly: true });
  const g0 = performance.now();
  const { replayer } = await recover(store, engine, { from: 'genesis', verifyHashes: false });
  const genesisMs = performance.now() - g0;
  await store.close();
  if (replayer.state.hashes().exchange !== live) throw new Error('restart from genesis: hash differs');
  await compressor.close();

  const row = {
    restingOrders: RESTING,
    journaledPlacesPerSecond: Math.round(RESTING / placeSeconds),
    snapshotPauseMs: Math.round((c1 - c0) * 10) / 10,
    snapshotEncodeInPlaceMs: Math.round((c1b - c1) * 10) / 10,
    stateHashMs: Math.round((c2 - c1b) * 10) / 10,
    snapshotRawBytes: rawBytes,
    snapshotTotalMs: Math.round(snapshotTotal),
    journalBytesOnDisk: journalBytes,
    restartFromSnapshotMs: Math.round(restartMs),
    restartSnapshotLoadMs: Math.round(rep.snapshotLoadMs),
    restartReplayMs: Math.round(rep.replayMs),
    restartFromGenesisMs: Math.round(genesisMs),
  };
  log(
    `restart with ${human(RESTING)} resting orders: from snapshot ${row.restartFromSnapshotMs} ms (load+decompress+restore+hash check ${row.restartSnapshotLoadMs} ms), ` +
      `from genesis ${row.restartFromGenesisMs} ms (${human(Math.round(((RESTING + 2 * accounts) / genesisMs) * 1000))} commands/s)`,
  );
  log(
    `  placing them through the journaled pipeline (sync): ${human(row.journaledPlacesPerSecond)}/s; snapshot cut (the pause: array copies) ${row.snapshotPauseMs} ms ` +
      `(encoding in place would take ${row.snapshotEncodeInPlaceMs} ms, hashing the live state ${row.stateHashMs} ms); ` +
      `(${(rawBytes / 2 ** 20).toFixed(1)} MiB raw), hash + compress + write ${row.snapshotTotalMs} ms in the background; journal on disk ${(journalBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  return row;
}

try {
  const result = {
    machine,
    quick,
    appends: [await benchAppends('sync'), await benchAppends('async')],
    read: await benchRead(),
    replay: await benchReplay(),
    restart: await benchRestart(),
  };
  const dir = resultsDir();
  log(`results: ${writeJson(dir, 'journal.json', result)}`);
} finally {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
}
