import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { drive, journaledOptions, TempDirs, workloadEngine } from '../test/support/journal-fixtures.js';
import { inspectJournal } from './inspect.js';
import { JournaledExchange } from './journaled-exchange.js';
import { JournalReader } from './journal-reader.js';
import { JournalStore } from './journal-store.js';
import { NoUsableStartError, recover } from './recovery.js';
import { applyRetention } from './retention.js';
import { InlineBuilder } from './snapshot-builder.js';
import { listSnapshotSeqs } from './snapshots.js';
import { verifyJournal } from './verify.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

/** A journal with `snapshots` snapshots spread over the run; returns the live hash. */
async function buildJournal(dir: string, snapshots: number, seed = 3): Promise<string> {
  const jx = await JournaledExchange.open(journaledOptions(dir, { compressor: new InlineBuilder(false), hashEveryCommands: 200 }));
  const work = new ExchangeWorkload(seed, workloadMarkets());
  for (let k = 0; k < snapshots; k++) {
    drive(jx, work, 300);
    await jx.snapshotNow();
  }
  drive(jx, work, 150);
  const hash = jx.state.hashes().exchange;
  await jx.close();
  return hash;
}

describe('perpd replay --verify (verifyJournal)', () => {
  it('a healthy journal verifies: every published hash and snapshot point matches', async () => {
    const dir = dirs.make();
    const live = await buildJournal(dir, 3);
    const r = await verifyJournal(dir);
    assert.deepEqual(r.problems, []);
    assert.ok(r.ok);
    assert.equal(r.finalHash, live);
    assert.equal(r.snapshotsChecked, 3);
    assert.ok(r.hashesVerified >= 3 + 4, `${r.hashesVerified} hashes checked`);
    assert.equal(r.unsettledEvents, 0);
    const ro = JournalStore.open(dir, { readOnly: true });
    const oldest = listSnapshotSeqs(ro).pop();
    await ro.close();
    const fromSnap = await verifyJournal(dir, { from: oldest });
    assert.ok(fromSnap.ok, fromSnap.problems.join('; '));
    assert.equal(fromSnap.finalHash, live);
  });

  it('a damaged command is reported with the last good seq', async () => {
    const dir = dirs.make();
    await buildJournal(dir, 1);
    const s = JournalStore.open(dir, { engine: workloadEngine() });
    const block = [...s.commands.getKeys({ start: 100, reverse: true, limit: 1 })][0];
    const v = Buffer.from(s.commands.getBinary(block)!);
    v[60] ^= 4;
    s.commands.putSync(block, v);
    await s.close();
    const r = await verifyJournal(dir);
    assert.equal(r.ok, false);
    assert.match(r.problems[0], new RegExp(`commands block ${block} is unusable: checksum mismatch\\. Last good seq: ${block - 1}`));
  });
});

describe('perpd journal inspect', () => {
  it('lists commands and their settled events in order, from a given seq, up to a limit', async () => {
    const dir = dirs.make();
    await buildJournal(dir, 1);
    const store = JournalStore.open(dir, { readOnly: true });
    const lines: string[] = [];
    assert.ok(inspectJournal(store, { fromSeq: 40, limit: 30 }, (l) => lines.push(l)));
    await store.close();
    assert.match(lines[0], /format v1, 3 markets \(TEST-PERP, MID-PERP, FINE-PERP\)/);
    const body = lines.filter((l) => /^seq|^ {4}event/.test(l));
    assert.equal(body.length, 30);
    assert.match(body[0], /^seq +40 /);
    assert.ok(body.some((l) => /event .*(FILL|CANCEL|REJECT)/.test(l)), body.join('\n'));
    assert.match(lines[lines.length - 1], /--limit 30 reached/);
  });
});

describe('retention', () => {
  it('prune: keeps the newest snapshots, deletes everything before the oldest kept cut; recovery still works', async () => {
    const dir = dirs.make();
    const live = await buildJournal(dir, 4);
    const store = JournalStore.open(dir, { engine: workloadEngine() });
    const [, second] = listSnapshotSeqs(store);
    const rep = await applyRetention(store, { mode: 'prune', keepSnapshots: 2 });
    assert.equal(rep.horizonSeq, second);
    assert.equal(rep.snapshots, 2);
    const reader = new JournalReader(store);
    // whole blocks only: the block holding the horizon stays
    assert.ok(reader.firstSeq() <= second + 1 && reader.firstSeq() > second - 13, `first seq ${reader.firstSeq()}, horizon ${second}`);
    assert.equal(rep.commands, reader.firstSeq() - 1);
    const { replayer } = await recover(store, workloadEngine());
    assert.equal(replayer.state.hashes().exchange, live);
    await assert.rejects(recover(store, workloadEngine(), { from: 'genesis' }), NoUsableStartError);
    await store.close();
  });

  it('archive: the pruned prefix goes to a second journal that replays to the horizon', async () => {
    const dir = dirs.make();
    const archiveDir = dirs.make();
    await buildJournal(dir, 3);
    const store = JournalStore.open(dir, { engine: workloadEngine() });
    const rep = await applyRetention(store, { mode: 'archive', keepSnapshots: 1, archiveDir });
    await store.close();
    assert.ok(rep.commands > 0 && rep.events > 0);
    const archive = JournalStore.open(archiveDir, { readOnly: true });
    assert.ok(new JournalReader(archive).lastSeq() >= rep.horizonSeq);
    const horizon = { seq: rep.horizonSeq, eventCursor: rep.horizonEventCursor };
    const { replayer } = await recover(archive, archive.info.engine, { from: 'genesis', stopAt: horizon });
    await archive.close();
    assert.equal(replayer.seq, rep.horizonSeq);
    assert.equal(replayer.eventCursor, rep.horizonEventCursor);
    // the archive's state at the horizon is the kept snapshot's state
    const main = JournalStore.open(dir, { readOnly: true });
    const { report } = await recover(main, workloadEngine());
    await main.close();
    assert.equal(report.snapshot?.seq, rep.horizonSeq);
    assert.equal(replayer.state.hashes().exchange, report.snapshot?.hashes.exchange);
  });

  it('keep (the default) changes nothing', async () => {
    const dir = dirs.make();
    await buildJournal(dir, 3);
    const store = JournalStore.open(dir, { engine: workloadEngine() });
    const rep = await applyRetention(store, { mode: 'keep', keepSnapshots: 1 });
    assert.equal(rep.commands + rep.events + rep.snapshots, 0);
    assert.equal(new JournalReader(store).firstSeq(), 1);
    await store.close();
  });
});
