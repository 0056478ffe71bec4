/**
 * A demo identity whose CREATE_ACCOUNT never reached the journal (a crash between
 * writing keys.json and the journal commit) must not survive the restart: the id
 * would be handed to the next new account.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { addKey, keyStorePath, listKeys } from '../../gateway/auth/key-store.js';
import { loadConfig } from '../../gateway/config.js';
import { startDaemon } from '../../gateway/daemon.js';
import { createSilentLogger } from '../../gateway/logger.js';

const KEY_A = 'aa'.repeat(32);
const KEY_B = 'bb'.repeat(32);

async function startOn(dataDir: string, demo: boolean): Promise<{ close(): Promise<void>; accounts: number }> {
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', dataDir, demo, logLevel: 'silent' } });
  const h = await startDaemon(config, createSilentLogger(), { onFatal: (e) => assert.fail(e) });
  return { close: () => h.close(), accounts: h.ledger.accountCount };
}

it('demo mode forgets keys bound to accounts the journal never created; outside demo an operator key is kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perpd-lost-'));
  try {
    // First start: genesis creates the platform account only.
    const first = await startOn(dir, true);
    assert.equal(first.accounts, 1);
    await first.close();
    // As if a demo login wrote its key and then the process died before the journal commit.
    addKey(keyStorePath(dir), 7, KEY_A);
    addKey(keyStorePath(dir), 0, KEY_B);
    const second = await startOn(dir, true);
    await second.close();
    assert.deepEqual(listKeys(keyStorePath(dir)).map((k) => [k.pubkeyHex, k.accountId]), [[KEY_B, 0]], 'the key of never-created account 7 is gone');
    // Outside demo mode a key registered ahead of its account's first login stays.
    addKey(keyStorePath(dir), 9, KEY_A);
    const third = await startOn(dir, false);
    await third.close();
    assert.ok(listKeys(keyStorePath(dir)).some((k) => k.pubkeyHex === KEY_A && k.accountId === 9));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
