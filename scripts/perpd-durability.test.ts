import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JournaledExchange } from '../persistence/journaled-exchange.js';
import { JournalStore } from '../persistence/journal-store.js';
import { InlineBuilder } from '../persistence/snapshot-builder.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { drive, journaledOptions, TempDirs, workloadEngine } from '../test/support/journal-fixtures.js';

// The durability subcommands of the compiled CLI (dist/scripts/perpd.js).
const PERPD = fileURLToPath(new URL('./perpd.js', import.meta.url));
const dirs = new TempDirs();
after(() => dirs.removeAll());

function perpd(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PERPD_')));
  const r = spawnSync(process.execPath, [PERPD, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function journal(): Promise<{ dir: string; hash: string }> {
  const dir = dirs.make();
  const jx = await JournaledExchange.open(journaledOptions(dir, { compressor: new InlineBuilder(), hashEveryCommands: 250 }));
  const work = new ExchangeWorkload(9, workloadMarkets());
  drive(jx, work, 800);
  await jx.snapshotNow();
  drive(jx, work, 400);
  const hash = jx.state.hashes().exchange;
  await jx.close();
  return { dir, hash };
}

test('perpd replay --verify replays from genesis, checks every hash and snapshot, prints the final hash', async () => {
  const { dir, hash } = await journal();
  const r = perpd(['replay', '--verify', '--data-dir', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /replayed from genesis: \d+ commands/);
  assert.ok(r.stdout.includes(`state hash ${hash}`), r.stdout);
  assert.match(r.stdout, /snapshot records checked: 1/);
  assert.match(r.stdout, /^OK$/m);
  const json = perpd(['replay', '--data-dir', dir, '--json']);
  assert.equal(JSON.parse(json.stdout).finalHash, hash);
});

test('perpd replay exits 1 and names the last good seq when a block is damaged', async () => {
  const { dir } = await journal();
  const s = JournalStore.open(dir, { engine: workloadEngine() });
  const key = [...s.commands.getKeys({ start: 300, reverse: true, limit: 1 })][0];
  const v = Buffer.from(s.commands.getBinary(key)!);
  v[30] ^= 1;
  s.commands.putSync(key, v);
  await s.close();
  const r = perpd(['replay', '--data-dir', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`FAILED:[\\s\\S]*Last good seq: ${key - 1}`));
});

test('perpd journal inspect prints the header and the entries in human form', async () => {
  const { dir } = await journal();
  const r = perpd(['journal', 'inspect', '--data-dir', dir, '--from', '20', '--limit', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /format v1, 3 markets/);
  assert.match(r.stdout, /^seq +20 /m);
  assert.match(r.stdout, /--limit 5 reached/);
  assert.equal(perpd(['journal', 'inspect', '--data-dir', dirs.make()]).code, 1, 'no journal there');
  assert.equal(perpd(['journal', 'inspect', '--limit', 'x']).code, 2, 'usage error');
});
