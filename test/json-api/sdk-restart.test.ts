/**
 * Addresses and agents survive a restart (addresses.json in the data directory):
 * the same address maps to the same account, an approved agent still signs for it,
 * and a request signed before the restart cannot be replayed after it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExchangeClient } from '@nktkas/hyperliquid';
import { ApiRequestError } from '@nktkas/hyperliquid/api/exchange';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startJsonTestDaemon } from './support.js';

test('addresses and agents persist across a restart; pre-restart nonces do not replay', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'perpd-json-restart-'));
  try {
    const userKey = generatePrivateKey();
    const agentKey = generatePrivateKey();
    const user = privateKeyToAccount(userKey);
    const agent = privateKeyToAccount(agentKey);
    const address = user.address.toLowerCase();
    const oldNonce = Date.now() - 1_000;

    const d1 = await startJsonTestDaemon({}, {}, dataDir);
    await d1.info.clearinghouseState({ user: address as `0x${string}` });
    await new ExchangeClient({ transport: d1.http, wallet: user }).approveAgent({ agentAddress: agent.address, agentName: 'bot' });
    await d1.close();

    const stored = JSON.parse(readFileSync(join(dataDir, 'addresses.json'), 'utf8')) as { addresses: { address: string; accountId: number }[]; agents: { agentAddress: string; name: string }[] };
    assert.equal(stored.addresses[0].address, address);
    assert.deepEqual(stored.agents.map((a) => [a.agentAddress, a.name]), [[agent.address.toLowerCase(), 'bot']]);

    const d2 = await startJsonTestDaemon({}, {}, dataDir);
    try {
      const viaAgent = new ExchangeClient({ transport: d2.http, wallet: agent });
      const r = await viaAgent.order({ orders: [{ a: 0, b: true, p: '99000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
      const oid = (r.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
      const open = await d2.info.openOrders({ user: address as `0x${string}` });
      assert.deepEqual(open.map((o) => o.oid), [oid]);
      assert.equal((await d2.info.clearinghouseState({ user: address as `0x${string}` })).withdrawable.startsWith('99'), true);
      // a nonce from before the start (what a captured pre-restart request carries) is refused
      const replay = new ExchangeClient({ transport: d2.http, wallet: user, nonceManager: () => oldNonce });
      await assert.rejects(replay.cancel({ cancels: [{ a: 0, o: oid }] }), (e: unknown) => e instanceof ApiRequestError && /is not after/.test(e.message));
      assert.equal((await d2.info.openOrders({ user: address as `0x${string}` })).length, 1);
    } finally {
      await d2.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
