import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createL1ActionHash, signL1Action, signUserSignedAction } from '@nktkas/hyperliquid/signing';
import { ApproveAgentTypes } from '@nktkas/hyperliquid/api/exchange';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { loadAddressStore, saveAddressStore, tryNormalizeAddress } from '../accounts/address-store.js';
import { NonceWindow, NONCE_SET_SIZE } from './nonce-window.js';
import { actionWeight, infoWeight, RateLimiter } from './rate-limiter.js';
import { bytesToHex } from 'viem';
import { Prng } from '../../engine/util/prng.js';
import { APPROVE_AGENT_TYPES, l1AgentDigest, l1AgentDigestViaViem, tryRecoverApproveAgentSigner, tryRecoverL1Signer } from './signing.js';

const T0 = 1_800_000_000_000;

describe('nonces (Hyperliquid rule, per signer)', () => {
  it('accepts fresh nonces, refuses duplicates, the window and the start-time floor', () => {
    const w = new NonceWindow({ floorMs: T0 - 10_000 });
    assert.equal(w.check('a', T0, T0), undefined);
    w.use('a', T0);
    assert.match(w.check('a', T0, T0)!, /duplicate nonce/);
    assert.equal(w.check('b', T0, T0), undefined, 'signers are independent');
    assert.match(w.check('a', T0 - 20_000, T0)!, /is not after/);
    assert.match(w.check('a', T0 + 2 * 24 * 3600 * 1000, T0)!, /outside the allowed window/);
    assert.match(w.check('a', 0, T0)!, /positive integer/);
    assert.equal(w.check('a', T0 - 5, T0), undefined, 'below the highest but not a duplicate: allowed while fewer than 100 are stored');
  });
  it('once 100 are stored, a nonce must be above the smallest of them', () => {
    const w = new NonceWindow({ floorMs: 0 });
    for (let i = 1; i <= NONCE_SET_SIZE; i++) w.use('a', T0 + i * 10);
    assert.match(w.check('a', T0 + 5, T0)!, /below .*the smallest of the last 100/);
    assert.equal(w.check('a', T0 + 15, T0), undefined);
    w.use('a', T0 + 15); // drops T0 + 10
    assert.match(w.check('a', T0 + 12, T0)!, /below/);
  });
  it('evicts the least recently used signer, keeping its last nonce as a floor', () => {
    const w = new NonceWindow({ floorMs: 0, maxSigners: 2 });
    w.use('a', T0 + 100);
    w.use('b', T0);
    w.use('c', T0);
    assert.equal(w.signerCount, 2);
    assert.match(w.check('a', T0 + 50, T0)!, /is not after/);
    assert.equal(w.check('a', T0 + 101, T0), undefined);
  });
});

describe('rate limits (token bucket per key, Hyperliquid weights)', () => {
  it('weighs info and actions as Hyperliquid does', () => {
    assert.deepEqual([infoWeight('l2Book'), infoWeight('allMids'), infoWeight('clearinghouseState'), infoWeight('orderStatus'), infoWeight('meta'), infoWeight('userFills')], [2, 2, 2, 2, 20, 20]);
    assert.deepEqual([actionWeight(1), actionWeight(39), actionWeight(40), actionWeight(100)], [1, 1, 2, 3]);
  });
  it('admits up to capacity, refills over time and says how long to wait', () => {
    const r = new RateLimiter({ capacity: 10, refillPerMinute: 60, maxKeys: 10 });
    assert.equal(r.tryTake('k', 8, T0), 0);
    assert.equal(r.tryTake('k', 4, T0), 2_000, 'needs 2 more tokens: 2 s at 1/s');
    assert.equal(r.tryTake('k', 2, T0), 0, 'a refused request took nothing');
    assert.equal(r.tryTake('k', 1, T0), 1_000);
    assert.equal(r.tryTake('k', 1, T0 + 1_000), 0);
    assert.equal(r.tryTake('other', 10, T0), 0);
  });
  it('stays within maxKeys, dropping refilled buckets first', () => {
    const r = new RateLimiter({ capacity: 10, refillPerMinute: 60, maxKeys: 3 });
    r.tryTake('busy', 10, T0);
    for (let i = 0; i < 20; i++) r.tryTake(`k${i}`, 1, T0 + 60_000 * i);
    assert.ok(r.size <= 3);
  });
});

describe('signatures: recovery matches the SDK byte for byte', () => {
  const wallet = privateKeyToAccount(generatePrivateKey());
  const address = wallet.address.toLowerCase();
  const action = { type: 'order', orders: [{ a: 0, b: true, p: '100000', s: '0.001', r: false, t: { limit: { tif: 'Gtc' } }, c: '0x' + 'ab'.repeat(16) }], grouping: 'na' };

  it('an L1 action signed by the SDK recovers its signer (also after a JSON round trip and with expiresAfter)', async () => {
    const sig = await signL1Action({ wallet, action, nonce: T0 });
    assert.equal(tryRecoverL1Signer(JSON.parse(JSON.stringify(action)) as Record<string, unknown>, T0, sig), address);
    const sig2 = await signL1Action({ wallet, action, nonce: T0, expiresAfter: T0 + 5_000 });
    assert.equal(tryRecoverL1Signer(action, T0, sig2, T0 + 5_000), address);
    assert.notEqual(tryRecoverL1Signer(action, T0, sig2), address, 'expiresAfter is part of the hash');
  });
  it('any change of action, nonce or signature recovers another address (or none)', async () => {
    const sig = await signL1Action({ wallet, action, nonce: T0 });
    assert.notEqual(tryRecoverL1Signer({ ...action, grouping: 'normalTpsl' }, T0, sig), address);
    assert.notEqual(tryRecoverL1Signer(action, T0 + 1, sig), address);
    assert.notEqual(tryRecoverL1Signer(action, T0, { ...sig, v: sig.v === 27 ? 28 : 27 }), address);
    // testnet signatures (source "b") are not mainnet ones
    assert.notEqual(tryRecoverL1Signer(action, T0, await signL1Action({ wallet, action, nonce: T0, isTestnet: true })), address);
  });
  it('refuses the high-s twin of a valid signature', async () => {
    const sig = await signL1Action({ wallet, action, nonce: T0 });
    const n = secp256k1.Point.CURVE().n;
    const highS = `0x${(n - BigInt(sig.s)).toString(16).padStart(64, '0')}`;
    assert.equal(tryRecoverL1Signer(action, T0, { r: sig.r, s: highS, v: sig.v === 27 ? 28 : 27 }), undefined);
  });
  it('uses the SDK action hash', () => {
    assert.match(createL1ActionHash({ action, nonce: T0 }), /^0x[0-9a-f]{64}$/);
  });
  it('approveAgent (user-signed EIP-712) recovers its signer, unnamed agents sign as ""', async () => {
    assert.deepEqual(APPROVE_AGENT_TYPES, ApproveAgentTypes);
    const a = { type: 'approveAgent', signatureChainId: '0x1' as const, hyperliquidChain: 'Mainnet', agentAddress: '0x' + '11'.repeat(20), agentName: 'bot', nonce: T0 };
    const sig = await signUserSignedAction({ wallet, action: a, types: ApproveAgentTypes });
    assert.equal(tryRecoverApproveAgentSigner(a, sig), address);
    assert.notEqual(tryRecoverApproveAgentSigner({ ...a, agentName: 'other' }, sig), address);
    const unnamed = { ...a, agentName: null };
    const sig2 = await signUserSignedAction({ wallet, action: unnamed, types: ApproveAgentTypes });
    assert.equal(tryRecoverApproveAgentSigner({ ...a, agentName: '' }, sig2), address);
  });
});

describe('address store (addresses.json)', () => {
  it('round-trips and refuses damaged files naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perpd-addr-'));
    try {
      const path = join(dir, 'addresses.json');
      assert.deepEqual(loadAddressStore(path), { version: 1, addresses: [], agents: [] });
      const data = {
        version: 1 as const,
        addresses: [{ address: '0x' + 'aa'.repeat(20), accountId: 3, addedAtMs: T0 }],
        agents: [{ agentAddress: '0x' + 'bb'.repeat(20), masterAddress: '0x' + 'aa'.repeat(20), accountId: 3, name: '', validUntilMs: null, addedAtMs: T0 }],
      };
      saveAddressStore(path, data);
      assert.deepEqual(loadAddressStore(path), data);
      writeFileSync(path, JSON.stringify({ ...data, agents: [{ ...data.agents[0], agentAddress: data.addresses[0].address }] }));
      assert.throws(() => loadAddressStore(path), /damaged .*already a user or another agent/);
      writeFileSync(path, '{');
      assert.throws(() => loadAddressStore(path), new RegExp(`address store ${path} is damaged`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('normalizes addresses to lower case', () => {
    assert.equal(tryNormalizeAddress('0x' + 'AB'.repeat(20)), '0x' + 'ab'.repeat(20));
    assert.equal(tryNormalizeAddress('0x123'), undefined);
    assert.equal(tryNormalizeAddress(42), undefined);
  });
});

describe('L1 action digest', () => {
  it('the precomputed EIP-712 digest equals viem hashTypedData for 500 seeded connectionIds', () => {
    const rng = new Prng(712);
    for (let i = 0; i < 500; i++) {
      const id = new Uint8Array(32);
      for (let k = 0; k < 32; k++) id[k] = rng.int(0, 255);
      if (i === 0) id.fill(0);
      if (i === 1) id.fill(0xff);
      const connectionId = bytesToHex(id);
      assert.equal(bytesToHex(l1AgentDigest(connectionId)), l1AgentDigestViaViem(connectionId), `connectionId ${connectionId}`);
    }
  });
});
