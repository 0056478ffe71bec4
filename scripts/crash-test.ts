#!/usr/bin/env node
/**
 * The kill -9 crash test (docs/durability.md, "Proof"):
 *
 *   node dist/scripts/crash-test.js [--kills N] [--seed S] [--clients C] [--mode sync|async] [--keep]
 *   npm run test:crash                      (20 kills; a bounded run of 3 is part of `npm test`)
 *
 * Each round: replay the journal with the `perpd replay` machinery (what a restart
 * must recover to), start the real daemon (`perpd start`, a child process) on that data
 * directory, check that the state it recovered hashes to exactly that, drive a mixed
 * load through the binary gateway with several demo clients (limit orders near the
 * mark, crossing IOC orders that fill, cancels of their own live orders), and send
 * SIGKILL at a random moment while the load runs. Everything a client was told
 * (accepted / rejected-after-sequencing / cancelled / filled) is remembered.
 *
 * At the end the daemon is stopped cleanly and the journal is checked: every
 * acknowledged command is in it with the fields the client sent, every cancel and
 * every fill a client was told about is in it, and `perpd replay --verify` passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Op } from '../engine/command.js';
import { demoMarkets } from '../engine/market-spec.js';
import { EventType } from '../engine/ring/event-codec.js';
import { Prng } from '../engine/util/prng.js';
import { generateEd25519KeyPair } from '../gateway/binary/auth.js';
import { BinaryClient } from '../gateway/client/binary-client.js';
import { cloidHexFromWords } from '../gateway/binary/cloid.js';
import { JournalReader } from '../persistence/journal-reader.js';
import { JournalStore } from '../persistence/journal-store.js';
import { verifyJournal } from '../persistence/verify.js';

export interface CrashTestOptions {
  kills: number;
  seed: number;
  clients?: number;
  mode?: 'sync' | 'async';
  /** Load time before the kill, drawn uniformly in [min, max] ms. */
  minRunMs?: number;
  maxRunMs?: number;
  keepDir?: boolean;
  log?: (line: string) => void;
}

export interface CrashTestReport {
  ok: boolean;
  dataDir: string;
  kills: number;
  /** Acknowledged commands checked against the journal (sequenced places and rejects). */
  commandsChecked: number;
  cancelsChecked: number;
  fillsChecked: number;
  /** Rounds where the daemon's recovered state hash equalled the replay from genesis. */
  hashChecks: number;
  /** Restarts that started from a runtime snapshot (the others replayed from genesis). */
  restartsFromSnapshot: number;
  /** Published state hashes and snapshot hashes the final replay checked. */
  publishedHashesChecked: number;
  lastSeq: number;
  problems: string[];
}

const PERPD = fileURLToPath(new URL('./perpd.js', import.meta.url));

interface Daemon {
  proc: ChildProcess;
  port: number;
  recoveredHash: string;
  /** Seq of the snapshot it recovered from (0 = genesis). */
  fromSnapshot: number;
  exited: Promise<number | null>;
}

/** Starts `perpd start` and resolves once it listens (with the hash it recovered to). */
function startDaemon(dataDir: string, mode: 'sync' | 'async'): Promise<Daemon> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PERPD_')));
  const proc = spawn(process.execPath, [PERPD, 'start', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info'], {
    // Frequent cuts, so restarts go through runtime snapshots + tails, checked against replay from genesis.
    env: { ...env, PERPD_JOURNAL_MODE: mode, PERPD_JOURNAL_SNAPSHOT_EVERY_COMMANDS: '4000', PERPD_JOURNAL_HASH_EVERY_COMMANDS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let recoveredHash = '';
    let fromSnapshot = 0;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`daemon did not start within 60 s: ${stderr}`));
    }, 60_000);
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      let o: { msg?: string; stateHash?: string; port?: number };
      try {
        o = JSON.parse(line);
      } catch {
        return;
      }
      if (o.msg === 'state recovered from the journal') {
        recoveredHash = o.stateHash ?? '';
        fromSnapshot = (o as { snapshotSeq?: number }).snapshotSeq ?? 0;
      }
      if (o.msg === 'perpd listening' && typeof o.port === 'number') {
        clearTimeout(timer);
        resolve({ proc, port: o.port, recoveredHash, fromSnapshot, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before listening: ${stderr}`));
    });
  });
}

interface Acked {
  places: { seq: number; accountId: number; marketId: number; cloid: string }[];
  sequencedRejects: { seq: number; accountId: number }[];
  cancels: { orderId: number; accountId: number }[];
  fills: { orderId: number; priceTicks: number; sizeLots: number }[];
}

/** One demo client placing and cancelling until `stop` resolves or its connection dies. */
async function runClient(url: string, rng: Prng, acked: Acked, stop: Promise<void>): Promise<void> {
  const { privateKey } = generateEd25519KeyPair();
  const client = new BinaryClient({ url, accountId: 0, privateKey, requestTimeoutMs: 3_000 });
  let stopped = false;
  void stop.then(() => (stopped = true));
  client.on('close', () => (stopped = true));
  client.on('clientError', () => {});
  try {
    await client.open();
    const { accountId } = await client.login();
    client.on('fill', (f) => acked.fills.push({ orderId: f.orderId, priceTicks: f.priceTicks, sizeLots: f.sizeLots }));
    const live: { orderId: number; marketId: number }[] = [];
    const markets = demoMarkets();
    const lane = async (): Promise<void> => {
      while (!stopped) {
        const spec = rng.pick(markets);
        const mark = spec.initialMarkPriceTicks;
        if (live.length > 0 && rng.chance(0.35)) {
          const o = live.splice(rng.int(0, live.length - 1), 1)[0];
          const r = await client.cancel({ marketId: o.marketId, orderId: o.orderId });
          if (r.kind === 'cancelled') acked.cancels.push({ orderId: o.orderId, accountId });
          continue;
        }
        const side = rng.int(0, 1);
        const crossing = rng.chance(0.25);
        const off = rng.int(1, 40);
        const priceTicks = crossing ? (side === 0 ? mark + 200 : mark - 200) : side === 0 ? mark - off : mark + off;
        const cloid = rng.nextU32().toString(16).padStart(8, '0').repeat(4);
        const r = await client.placeOrder({ marketId: spec.marketId, side, orderType: 0, tif: crossing ? 1 : 0, priceTicks, sizeLots: rng.int(1, 20), cloid });
        if (r.kind === 'accepted') {
          acked.places.push({ seq: r.seq, accountId, marketId: spec.marketId, cloid });
          if (!crossing) live.push({ orderId: r.orderId, marketId: spec.marketId });
        } else if (r.seq > 0) {
          acked.sequencedRejects.push({ seq: r.seq, accountId });
        }
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  } catch {
    // the daemon was killed under us: what was acknowledged before is recorded
  } finally {
    client.terminate();
  }
}


/** Checks everything the clients were told against the journal. */
function checkJournal(dataDir: string, acked: Acked, report: CrashTestReport): void {
  const store = JournalStore.open(dataDir, { readOnly: true });
  try {
    const reader = new JournalReader(store);
    const commands = new Map<number, { op: number; accountId: number; orderId: number; cloid: number[] }>();
    const cancelsOf = new Set<string>();
    for (const { seq, cmd } of reader.commands(1)) {
      commands.set(seq, { op: cmd.op, accountId: cmd.accountId, orderId: cmd.orderId, cloid: [cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3] });
      if (cmd.op === Op.CANCEL) cancelsOf.add(`${cmd.accountId}:${cmd.orderId}`);
    }
    const fills = new Map<string, number>();
    for (const e of reader.events(1)) {
      if (e.kind !== 'event' || e.record[0] !== EventType.FILL) continue;
      const r = e.record;
      for (const orderId of [r[3], r[5]]) {
        const k = `${orderId}:${r[8]}:${r[9]}`;
        fills.set(k, (fills.get(k) ?? 0) + 1);
      }
    }
    report.lastSeq = reader.lastSeq();
    for (const p of acked.places) {
      const c = commands.get(p.seq);
      if (!c || c.op !== Op.PLACE || c.accountId !== p.accountId || cloidHexFromWords(c.cloid[0], c.cloid[1], c.cloid[2], c.cloid[3]) !== p.cloid) {
        report.problems.push(`acknowledged PLACE seq ${p.seq} (account ${p.accountId}) is ${c ? `journaled as op ${c.op} account ${c.accountId}` : 'missing from the journal'}`);
      }
      report.commandsChecked++;
    }
    for (const r of acked.sequencedRejects) {
      const c = commands.get(r.seq);
      if (!c || c.accountId !== r.accountId) report.problems.push(`sequenced command ${r.seq} (rejected by its market, account ${r.accountId}) is missing from the journal`);
      report.commandsChecked++;
    }
    for (const c of acked.cancels) {
      if (!cancelsOf.has(`${c.accountId}:${c.orderId}`)) report.problems.push(`acknowledged cancel of order ${c.orderId} (account ${c.accountId}) is missing from the journal`);
      report.cancelsChecked++;
    }
    for (const f of acked.fills) {
      const k = `${f.orderId}:${f.priceTicks}:${f.sizeLots}`;
      const n = fills.get(k) ?? 0;
      if (n === 0) report.problems.push(`reported fill of order ${f.orderId} (${f.sizeLots} @ ${f.priceTicks}) is missing from the journal`);
      else fills.set(k, n - 1);
      report.fillsChecked++;
    }
  } finally {
    void store.close();
  }
}

export async function runCrashTest(o: CrashTestOptions): Promise<CrashTestReport> {
  const log = o.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const rng = new Prng(o.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'perpd-crash-'));
  const mode = o.mode ?? 'sync';
  const report: CrashTestReport = { ok: false, dataDir, kills: 0, commandsChecked: 0, cancelsChecked: 0, fillsChecked: 0, hashChecks: 0, restartsFromSnapshot: 0, publishedHashesChecked: 0, lastSeq: 0, problems: [] };
  const acked: Acked = { places: [], sequencedRejects: [], cancels: [], fills: [] };
  try {
    for (let round = 0; round <= o.kills; round++) {
      // What a restart must recover to, computed by the replay tool from genesis.
      let expected = '';
      if (round > 0) {
        const v = await verifyJournal(dataDir, { checkSnapshots: false });
        if (!v.ok) report.problems.push(`round ${round}: replay of the journal failed: ${v.problems.join('; ')}`);
        expected = v.recoveredHash;
      }
      const d = await startDaemon(dataDir, mode);
      if (round > 0) {
        if (d.recoveredHash !== expected) report.problems.push(`round ${round}: the daemon recovered to ${d.recoveredHash}, replay from genesis gives ${expected}`);
        else report.hashChecks++;
        if (d.fromSnapshot > 0) report.restartsFromSnapshot++;
      }
      const url = `ws://127.0.0.1:${d.port}/binary`;
      let stopLoad!: () => void;
      const stop = new Promise<void>((r) => (stopLoad = r));
      const clients = Array.from({ length: o.clients ?? 3 }, () => runClient(url, new Prng(rng.nextU32()), acked, stop));
      const runMs = rng.int(o.minRunMs ?? 300, o.maxRunMs ?? 1_500);
      await new Promise((r) => setTimeout(r, runMs));
      if (round < o.kills) {
        d.proc.kill('SIGKILL'); // at a random moment of the load, acks in flight
        await d.exited;
        report.kills++;
        stopLoad();
        await Promise.all(clients);
        log(`kill ${report.kills}/${o.kills} after ${runMs} ms: ${acked.places.length} places, ${acked.cancels.length} cancels, ${acked.fills.length} fills acknowledged so far`);
      } else {
        stopLoad();
        await Promise.all(clients);
        d.proc.kill('SIGTERM');
        await d.exited;
      }
    }
    checkJournal(dataDir, acked, report);
    const v = await verifyJournal(dataDir);
    if (!v.ok) report.problems.push(`final perpd replay --verify: ${v.problems.join('; ')}`);
    report.publishedHashesChecked = v.hashesVerified;
    report.ok = report.problems.length === 0;
    return report;
  } finally {
    if (!o.keepDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const report = await runCrashTest({
    kills: Number(opt('kills', '20')),
    seed: Number(opt('seed', String(Date.now() % 1_000_000))),
    clients: Number(opt('clients', '3')),
    mode: opt('mode', 'sync') === 'async' ? 'async' : 'sync',
    keepDir: args.includes('--keep'),
  });
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(
    report.ok
      ? `OK: ${report.kills} kills survived, ${report.commandsChecked} acknowledged commands + ${report.cancelsChecked} cancels + ${report.fillsChecked} fills checked, ` +
          `${report.hashChecks} recovered hashes equal to replay from genesis (${report.restartsFromSnapshot} restarts from a runtime snapshot), ${report.publishedHashesChecked} published hashes checked\n`
      : `FAILED:\n  - ${report.problems.slice(0, 20).join('\n  - ')}\n`,
  );
  process.exitCode = report.ok ? 0 : 1;
}
