import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Code } from '../engine/codes.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { drive, journaledOptions, TempDirs } from '../test/support/journal-fixtures.js';
import { JournaledExchange } from './journaled-exchange.js';
import { JournalStore } from './journal-store.js';
import { recover } from './recovery.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());
const child = fileURLToPath(new URL('../test/support/disk-full-child.js', import.meta.url));

describe('disk full while writing the journal', () => {
  it('the commit error is surfaced, nothing unpersisted is acknowledged, submit refuses, and the journal recovers', { skip: process.platform !== 'linux' }, async () => {
    const dir = dirs.make();
    // A 4 MiB file-size limit (ulimit -f counts 1 KiB blocks): the journal's data file hits it after ~20k commands.
    const res = spawnSync('bash', ['-c', `ulimit -f 4096 && exec "${process.execPath}" "${child}" "${dir}"`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(res.status, 0, `child failed: ${res.stderr}`);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { acked: number; lastSeq: number; failure: string | null; codeAfter: number };
    assert.ok(out.failure, 'the journal must report the failed commit');
    assert.match(out.failure, /journal commit of \d+ records .* failed/);
    assert.match(out.failure, /stops accepting/);
    assert.equal(out.codeAfter, Code.JOURNAL_UNAVAILABLE);
    assert.ok(out.acked > 1_000, `acked ${out.acked}`);
    assert.ok(out.lastSeq > out.acked, 'the failed group held sequenced commands that were never acknowledged');

    // Without the limit: every acknowledged command is there, the journal is consistent.
    const store = JournalStore.open(dir, { readOnly: true });
    const { report } = await recover(store, store.info.engine, { from: 'genesis' });
    await store.close();
    assert.ok(report.lastSeq >= out.acked, `journal ends at ${report.lastSeq}, ${out.acked} were acknowledged`);
    assert.ok(report.lastSeq < out.lastSeq);
    // and the daemon-equivalent starts again and accepts commands
    const jx = await JournaledExchange.open(journaledOptions(dir));
    assert.equal(jx.lastSeq, report.lastSeq);
    drive(jx, new ExchangeWorkload(78, workloadMarkets()), 100);
    await jx.close();
  });
});
