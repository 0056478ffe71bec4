import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code } from '../engine/codes.js';
import { Command, Op } from '../engine/command.js';
import { COMMAND_RECORD_LENGTH, encodeCommand } from '../engine/ring/command-codec.js';
import { EventType } from '../engine/ring/event-codec.js';
import { workloadMarkets } from '../test/support/exchange-workload.js';
import { JournalReader, type JournalItem } from './journal-reader.js';
import { JournalConfigMismatchError, JournalStore, type EngineConfig } from './journal-store.js';
import { JournalWriteError, JournalWriter, type JournalWriterOptions } from './journal-writer.js';
import { blockCrc, JournalCorruptError, JournalVersionError } from './records.js';

const engine = (): EngineConfig => ({ markets: workloadMarkets(), ledger: { defaultLeverage: 20 } });
const dirs: string[] = [];
const stores: JournalStore[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'perpd-journal-'));
  dirs.push(d);
  return d;
}

function openStore(dir: string, e: EngineConfig = engine()): JournalStore {
  const s = JournalStore.open(dir, { engine: e });
  stores.push(s);
  return s;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** LMDB's id of the last committed write transaction. */
function lastTxnId(store: JournalStore): number {
  return (store.root.getStats() as { lastTxnId: number }).lastTxnId;
}

function writerOn(store: JournalStore, extra: Partial<JournalWriterOptions> = {}): JournalWriter {
  return new JournalWriter(store, { mode: 'sync', groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 0, ...extra });
}

/** A command with every field set to something distinctive. */
function sampleCommand(seq: number): Command {
  const c = new Command();
  c.op = [Op.PLACE, Op.CANCEL, Op.MODIFY, Op.DEPOSIT, Op.SET_MARK_PRICE][seq % 5];
  c.seq = seq;
  c.tsUs = 1_700_000_000_000_000 + seq * 37;
  c.marketId = 1 + (seq % 3);
  c.accountId = seq % 11;
  c.orderId = seq * 3;
  c.cloid0 = seq | 0;
  c.cloid1 = -seq | 0;
  c.cloid2 = 0x7fffffff;
  c.cloid3 = -0x80000000;
  c.side = seq & 1;
  c.orderType = 1;
  c.tif = 2;
  c.flags = 3;
  c.stpMode = 3;
  c.priceTicks = 2 ** 40 + seq;
  c.sizeLots = 2 ** 31 - 1;
  c.triggerKind = 2;
  c.triggerPriceTicks = seq * 5;
  c.ocoOrderId = seq - 1;
  c.preheldLots = seq % 7;
  c.amount = Number.MAX_SAFE_INTEGER - seq;
  c.value = seq % 2;
  return c;
}

function encoded(c: Command): number[] {
  const f = new Float64Array(COMMAND_RECORD_LENGTH);
  encodeCommand(c, f, 0);
  return Array.from(f);
}

async function writeSampleJournal(dir: string, commands: number): Promise<void> {
  const store = openStore(dir);
  const w = writerOn(store);
  // one group commit per 10 commands: command blocks at seq 1, 11, 21, …; event blocks of one record each
  for (let s = 1; s <= commands; s++) {
    w.appendCommand(sampleCommand(s));
    if (s % 10 === 0) {
      w.appendMarketEvent(EventType.FILL, 1, s, s, 2, s + 1, 3, 0, 100, 5, 0, 1, 0, 2);
      await w.flush();
    }
  }
  await w.flush();
  await store.close();
  stores.splice(stores.indexOf(store), 1);
}

function collect(reader: JournalReader): string[] {
  const out: string[] = [];
  for (const item of reader.totalOrder(0, 0)) out.push(item.kind === 'command' ? `c${item.seq}` : `e${item.cursor}@${item.afterSeq}`);
  return out;
}

describe('journal: append and read back', () => {
  it('commands, market events and R1 effects round-trip exactly, in the total order', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const w = writerOn(store);
    const sent: Command[] = [];
    for (let s = 1; s <= 300; s++) {
      const c = sampleCommand(s);
      sent.push(c);
      w.appendCommand(c);
      if (s % 7 === 0) w.appendMarketEvent(EventType.CANCEL, 2, s, s, 4, 1, 9, 3, 0, 0, 0, 0, 0, 0);
      if (s % 50 === 0) w.appendR1Effect(Code.UNKNOWN_ACCOUNT, sampleCommand(0));
    }
    await w.flush();
    assert.equal(w.ackedSeq, 300);
    await store.close();
    stores.length = 0;

    const again = openStore(dir);
    const r = new JournalReader(again);
    assert.equal(r.lastSeq(), 300);
    assert.equal(r.lastEventCursor(), 42 + 6);
    let i = 0;
    for (const item of r.commands(1)) assert.deepEqual(encoded(item.cmd), encoded(sent[i++]));
    assert.equal(i, 300);
    const order = collect(r);
    // event 1 is the cancel after seq 7: it comes right after command 7
    assert.deepEqual(order.slice(6, 9), ['c7', 'e1@7', 'c8']);
    const items: JournalItem[] = [];
    for (const it of r.events(1)) items.push(it.kind === 'event' ? { ...it, record: it.record.slice() } : { ...it, cmd: new Command().copyFrom(it.cmd) });
    const first = items[0];
    assert.equal(first.kind, 'event');
    if (first.kind === 'event') assert.deepEqual(Array.from(first.record), [EventType.CANCEL, 2, 7, 7, 4, 1, 9, 3, 0, 0, 0, 0, 0, 0]);
    const r1 = items.find((x) => x.kind === 'r1-effect');
    assert.ok(r1 && r1.kind === 'r1-effect');
    if (r1 && r1.kind === 'r1-effect') {
      assert.equal(r1.code, Code.UNKNOWN_ACCOUNT);
      assert.equal(r1.afterSeq, 50);
      assert.deepEqual(encoded(r1.cmd), encoded(sampleCommand(0)));
    }
  });

  it('a reopened writer continues after the last seq and refuses a gap', async () => {
    const dir = tempDir();
    await writeSampleJournal(dir, 20);
    const store = openStore(dir);
    const w = writerOn(store);
    assert.equal(w.lastSeq, 20);
    assert.equal(w.lastEventCursor, 2);
    assert.throws(() => w.appendCommand(sampleCommand(22)), /seq 22 appended after 20/);
    w.appendCommand(sampleCommand(21));
    await w.flush();
    assert.equal(new JournalReader(store).lastSeq(), 21);
  });
});

describe('journal: group commit', () => {
  it('500 appends in one event-loop turn share exactly one LMDB commit', async () => {
    const store = openStore(tempDir());
    const w = writerOn(store, { groupCommitMaxRecords: 1_000 });
    const txnBefore = lastTxnId(store);
    for (let s = 1; s <= 500; s++) w.appendCommand(sampleCommand(s));
    assert.equal(w.stats.commits, 0, 'nothing commits inside the turn');
    await w.flush();
    assert.equal(w.stats.commits, 1);
    assert.equal(w.stats.records, 500);
    assert.equal(lastTxnId(store) - txnBefore, 1, 'one write transaction');
  });

  it('reaching groupCommitMaxRecords starts a commit at once; what arrives meanwhile forms the next group', async () => {
    const store = openStore(tempDir());
    const w = writerOn(store, { groupCommitMaxRecords: 100 });
    const txnBefore = lastTxnId(store);
    for (let s = 1; s <= 1_000; s++) w.appendCommand(sampleCommand(s));
    await w.flush();
    // the first group closes at 100 records; the other 900 queue behind it (one commit in flight)
    assert.equal(w.stats.commits, 2);
    assert.equal(w.stats.largestGroup, 900);
    assert.equal(lastTxnId(store) - txnBefore, 2);
  });

  it('appends spread over many turns commit in few groups, never one per record', async () => {
    const store = openStore(tempDir());
    const w = writerOn(store, { groupCommitMaxRecords: 10_000 });
    let seq = 0;
    for (let turn = 0; turn < 50; turn++) {
      for (let k = 0; k < 40; k++) w.appendCommand(sampleCommand(++seq));
      await new Promise((r) => setImmediate(r));
    }
    await w.flush();
    assert.equal(w.stats.records, 2_000);
    assert.ok(w.stats.commits <= 51, `${w.stats.commits} commits for 2,000 records over 50 turns`);
    assert.equal(w.ackedSeq, 2_000);
  });
});

/** Replaces the store's batch() so a test controls when each group's fsync "completes". */
function holdFlushes(store: JournalStore): { release(): void; held: number } {
  const original = store.root.batch.bind(store.root);
  const gates: (() => void)[] = [];
  const ctl = {
    held: 0,
    release(): void {
      for (const open of gates.splice(0)) open();
    },
  };
  (store.root as unknown as { batch: typeof original }).batch = (fn) => {
    const p = original(fn) as Promise<boolean> & { flushed?: Promise<void> };
    const realFlushed = p.flushed ?? p;
    ctl.held++;
    const gated = new Promise<void>((resolve) => gates.push(() => void realFlushed.then(() => resolve())));
    return Object.assign(p, { flushed: gated });
  };
  return ctl;
}

describe('journal: sync and async acknowledgement', () => {
  it('sync: nothing is acknowledged until the group commit is flushed to disk', async () => {
    const store = openStore(tempDir());
    const acks: number[] = [];
    const w = writerOn(store, { mode: 'sync', onDurable: (seq) => acks.push(seq) });
    const gate = holdFlushes(store);
    for (let s = 1; s <= 10; s++) w.appendCommand(sampleCommand(s));
    const flushed = w.flush();
    await store.root.committed;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(gate.held, 1);
    assert.deepEqual(acks, [], 'committed but not flushed: no acknowledgement');
    assert.equal(w.ackedSeq, 0);
    gate.release();
    await flushed;
    assert.deepEqual(acks, [10]);
    assert.equal(w.ackedSeq, 10);
  });

  it('async: a group is acknowledged at commit, before its flush', async () => {
    const store = openStore(tempDir());
    const acks: number[] = [];
    const w = writerOn(store, { mode: 'async', onDurable: (seq) => acks.push(seq) });
    const gate = holdFlushes(store);
    for (let s = 1; s <= 10; s++) w.appendCommand(sampleCommand(s));
    await w.flush();
    assert.deepEqual(acks, [10], 'acknowledged while the flush is still held');
    gate.release();
  });
});

describe('journal: damaged records are detected and reported with the last good seq', () => {
  async function damaged(mutate: (store: JournalStore) => void): Promise<JournalCorruptError | JournalVersionError> {
    const dir = tempDir();
    await writeSampleJournal(dir, 100);
    const store = openStore(dir);
    mutate(store);
    try {
      collect(new JournalReader(store));
    } catch (err) {
      assert.ok(err instanceof JournalCorruptError || err instanceof JournalVersionError, String(err));
      return err;
    }
    return assert.fail('the damage went unnoticed');
  }

  it('a flipped byte: checksum mismatch in the block of seqs 51..60, last good 50', async () => {
    const err = await damaged((s) => {
      const v = Buffer.from(s.commands.getBinary(51)!);
      v[400] ^= 0x10;
      s.commands.putSync(51, v);
    });
    assert.ok(err instanceof JournalCorruptError);
    assert.equal(err.key, 51);
    assert.equal(err.lastGoodKey, 50);
    assert.match(err.message, /checksum mismatch.*Last good seq: 50/);
  });

  it('a truncated block (torn write) is refused', async () => {
    const err = await damaged((s) => s.commands.putSync(71, s.commands.getBinary(71)!.subarray(0, 100)));
    assert.ok(err instanceof JournalCorruptError);
    assert.equal(err.lastGoodKey, 70);
    assert.match(err.message, /truncated: 100 bytes of 1456/);
  });

  it('a truncated tail block is refused too (the last seqs)', async () => {
    const err = await damaged((s) => s.commands.putSync(91, s.commands.getBinary(91)!.subarray(0, 4)));
    assert.ok(err instanceof JournalCorruptError);
    assert.equal(err.key, 91);
    assert.equal(err.lastGoodKey, 90);
  });

  it('a missing block (gap) is refused', async () => {
    const err = await damaged((s) => s.commands.removeSync(31));
    assert.ok(err instanceof JournalCorruptError);
    assert.equal(err.lastGoodKey, 30);
    assert.match(err.message, /seq 31 is missing/);
  });

  it('a damaged event block names the event cursor', async () => {
    const err = await damaged((s) => {
      const v = Buffer.from(s.events.getBinary(4)!);
      v[40] ^= 1;
      s.events.putSync(4, v);
    });
    assert.ok(err instanceof JournalCorruptError);
    assert.equal(err.log, 'events');
    assert.equal(err.lastGoodKey, 3);
  });

  it('a block of a newer format version is refused with a clear error', async () => {
    const err = await damaged((s) => {
      const v = Buffer.from(s.commands.getBinary(11)!);
      v[0] = 2;
      v.writeUInt32LE(blockCrc(v, 8, v.length), 4);
      s.commands.putSync(11, v);
    });
    assert.ok(err instanceof JournalVersionError);
    assert.match(err.message, /format version 2; this perpd reads versions 1\.\.1/);
  });

  it('a block whose records do not carry its seqs is refused', async () => {
    const err = await damaged((s) => {
      const v = Buffer.from(s.commands.getBinary(21)!);
      v.writeDoubleLE(999, 16 + 144 * 3 + 8); // seq slot of the 4th record
      v.writeUInt32LE(blockCrc(v, 8, v.length), 4);
      s.commands.putSync(21, v);
    });
    assert.ok(err instanceof JournalCorruptError);
    assert.match(err.message, /record 3 holds seq 999, not 24/);
  });
});

describe('journal: meta record', () => {
  it('a journal of a newer format is refused at open', async () => {
    const dir = tempDir();
    const s = openStore(dir);
    s.meta.putSync('format', { ...s.info, formatVersion: 9 });
    await s.close();
    stores.length = 0;
    assert.throws(() => openStore(dir), JournalVersionError);
  });

  it('a journal written with other market specs is refused at open', async () => {
    const dir = tempDir();
    await (await openStore(dir)).close();
    stores.length = 0;
    const other = engine();
    other.markets[0] = { ...other.markets[0], takerFeePpm: 999 };
    assert.throws(() => openStore(dir, other), JournalConfigMismatchError);
    assert.throws(() => openStore(dir, { ...engine(), ledger: { defaultLeverage: 10 } }), /ledger options/);
  });

  it('read-only tools need no configuration and cannot create a journal', async () => {
    const dir = tempDir();
    assert.throws(() => JournalStore.open(dir, { readOnly: true }), /no journal|ENOENT|No such file/);
  });
});

describe('journal: a failed commit is surfaced and poisons the writer', () => {
  it('a failing batch rejects flush(), calls onFailure once and refuses every later append', async () => {
    const store = openStore(tempDir());
    const failures: JournalWriteError[] = [];
    const w = writerOn(store, { onFailure: (e) => failures.push(e) });
    for (let s = 1; s <= 5; s++) w.appendCommand(sampleCommand(s));
    await w.flush();
    (store.root as unknown as { batch: () => Promise<boolean> }).batch = () => {
      const err = Object.assign(new Error('Commit failed (see commitError for details)'), { commitError: Promise.reject(new Error('MDB_MAP_FULL: Environment mapsize limit reached')) });
      err.commitError.catch(() => {});
      return Promise.reject(err);
    };
    w.appendCommand(sampleCommand(6));
    await assert.rejects(w.flush(), (e: Error) => e instanceof JournalWriteError && /Cause: MDB_MAP_FULL/.test(e.message));
    assert.equal(failures.length, 1);
    assert.equal(failures[0].lastDurableSeq, 5);
    assert.equal(w.ackedSeq, 5, 'the failed group is never acknowledged');
    assert.throws(() => w.appendCommand(sampleCommand(7)), JournalWriteError);
  });
});
