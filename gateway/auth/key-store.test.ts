import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activeKeyIndex,
  addKey,
  KeyStoreError,
  keyStorePath,
  listKeys,
  loadKeyStore,
  revokeKey,
} from './key-store.js';

const KEY_ALICE = 'a1'.repeat(32);
const KEY_BOB = 'b0'.repeat(32);
const KEY_ALICE_SECOND = 'a2'.repeat(32);

/** A fresh, not yet created data directory and its keys.json path. */
function freshStore(): { dataDir: string; path: string } {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'perpd-keys-test-')), 'data');
  return { dataDir, path: keyStorePath(dataDir) };
}

function assertKeyStoreError(fn: () => unknown, code: KeyStoreError['code'], fragment: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KeyStoreError, `expected KeyStoreError, got ${err}`);
    assert.equal(err.code, code);
    assert.ok(err.message.includes(fragment), `message lacks ${JSON.stringify(fragment)}: ${err.message}`);
    return true;
  });
}

test('a missing keys.json is an empty store', () => {
  const { path } = freshStore();
  assert.deepEqual(loadKeyStore(path), { version: 1, keys: [] });
  assert.deepEqual(listKeys(path), []);
});

test('keys are added per account, listed in order, and survive a reload', () => {
  const { dataDir, path } = freshStore();
  assert.equal(path, join(dataDir, 'keys.json'));
  addKey(path, 1, KEY_ALICE, 1_000);
  addKey(path, 2, KEY_BOB.toUpperCase(), 2_000); // stored lower-case
  addKey(path, 1, KEY_ALICE_SECOND, 3_000);
  assert.deepEqual(listKeys(path), [
    { accountId: 1, pubkeyHex: KEY_ALICE, addedAtMs: 1_000, revokedAtMs: null },
    { accountId: 2, pubkeyHex: KEY_BOB, addedAtMs: 2_000, revokedAtMs: null },
    { accountId: 1, pubkeyHex: KEY_ALICE_SECOND, addedAtMs: 3_000, revokedAtMs: null },
  ]);
  assert.deepEqual(
    listKeys(path, { accountId: 1 }).map((k) => k.pubkeyHex),
    [KEY_ALICE, KEY_ALICE_SECOND],
  );
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).version, 1);
});

test('revoked keys leave the active list and the auth index but stay on file', () => {
  const { path } = freshStore();
  addKey(path, 1, KEY_ALICE, 1_000);
  addKey(path, 2, KEY_BOB, 2_000);
  const revoked = revokeKey(path, KEY_ALICE.toUpperCase(), 5_000);
  assert.deepEqual(revoked, { accountId: 1, pubkeyHex: KEY_ALICE, addedAtMs: 1_000, revokedAtMs: 5_000 });
  assert.deepEqual(
    listKeys(path).map((k) => k.pubkeyHex),
    [KEY_BOB],
  );
  assert.equal(listKeys(path, { includeRevoked: true }).length, 2);
  assert.deepEqual([...activeKeyIndex(loadKeyStore(path))], [[KEY_BOB, 2]]);
});

const badKeys: Array<[name: string, key: string]> = [
  ['63 hex characters', 'a'.repeat(63)],
  ['65 hex characters', 'a'.repeat(65)],
  ['a non-hex character', 'g' + 'a'.repeat(63)],
  ['a 0x prefix', '0x' + 'a'.repeat(62)],
  ['the empty string', ''],
];
for (const [name, key] of badKeys) {
  test(`a public key with ${name} is refused`, () => {
    const { path } = freshStore();
    assertKeyStoreError(() => addKey(path, 1, key), 'INVALID_PUBKEY', 'must be 64 hex characters (a 32-byte Ed25519 public key)');
    assertKeyStoreError(() => revokeKey(path, key), 'INVALID_PUBKEY', 'must be 64 hex characters');
    assert.equal(existsSync(path), false, 'nothing written');
  });
}

test('account ids must be non-negative safe integers', () => {
  const { path } = freshStore();
  for (const id of [-1, 1.5, Number.NaN, 2 ** 32]) {
    assertKeyStoreError(() => addKey(path, id, KEY_ALICE), 'INVALID_ACCOUNT', 'account id must be an integer');
  }
});

test('a key registered once cannot be registered again, to the same or another account', () => {
  const { path } = freshStore();
  addKey(path, 1, KEY_ALICE);
  assertKeyStoreError(() => addKey(path, 1, KEY_ALICE), 'KEY_EXISTS', 'already registered to this account');
  assertKeyStoreError(() => addKey(path, 2, KEY_ALICE.toUpperCase()), 'KEY_EXISTS', 'already registered to account 1');
});

test('a revoked key cannot come back, and cannot be revoked twice', () => {
  const { path } = freshStore();
  addKey(path, 1, KEY_ALICE);
  revokeKey(path, KEY_ALICE);
  assertKeyStoreError(() => addKey(path, 1, KEY_ALICE), 'KEY_REVOKED', 'cannot be registered again: generate a new key pair');
  assertKeyStoreError(() => revokeKey(path, KEY_ALICE), 'KEY_REVOKED', 'already revoked');
});

test('revoking an unknown key says so', () => {
  const { path } = freshStore();
  assertKeyStoreError(() => revokeKey(path, KEY_BOB), 'UNKNOWN_KEY', 'is not registered');
});

test('writes are atomic: only keys.json remains, with no temporary files', () => {
  const { path } = freshStore();
  for (let i = 0; i < 5; i++) addKey(path, i, String(i).repeat(64));
  revokeKey(path, '0'.repeat(64));
  assert.deepEqual(readdirSync(join(path, '..')), ['keys.json']);
  assert.equal(loadKeyStore(path).keys.length, 5);
});

test('a damaged keys.json is reported with its path, never overwritten', () => {
  const cases: Array<[name: string, content: string, fragment: string]> = [
    ['not JSON', '{', 'not JSON'],
    ['wrong shape', '{"keys": {}}', 'expected {"version": 1, "keys": [...]}'],
    ['a bad record', '{"version": 1, "keys": [{"accountId": 1, "pubkeyHex": "xyz", "addedAtMs": 0, "revokedAtMs": null}]}', 'keys[0] is not a valid key record'],
    [
      'a duplicate key',
      JSON.stringify({ version: 1, keys: [1, 2].map((accountId) => ({ accountId, pubkeyHex: KEY_ALICE, addedAtMs: 0, revokedAtMs: null })) }),
      'appears twice',
    ],
  ];
  for (const [name, content, fragment] of cases) {
    const { path } = freshStore();
    addKey(path, 9, KEY_BOB); // creates the directory
    writeFileSync(path, content);
    assertKeyStoreError(() => loadKeyStore(path), 'CORRUPT_FILE', fragment);
    assertKeyStoreError(() => addKey(path, 1, KEY_ALICE), 'CORRUPT_FILE', path);
    assert.equal(readFileSync(path, 'utf8'), content, `${name}: file untouched`);
  }
});
