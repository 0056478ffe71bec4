import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../engine/codes.js';
import {
  buildLoginMessage,
  exportEd25519PublicKeyRaw,
  generateEd25519KeyPair,
  importEd25519PublicKey,
  LOGIN_MESSAGE_BYTES,
  newNonce,
  signLogin,
  tryVerifyLogin,
  verifyLogin,
} from './auth.js';
import { encodeLogin } from './client-encode.js';
import { tryDecodeRequest } from './decode.js';
import { RequestFrame } from './request-frame.js';

const alice = generateEd25519KeyPair();
const mallory = generateEd25519KeyPair();
const ALICE_ACCOUNT = 7;

test('the login message is "perpd-login-v1" || nonce || accountId u64 LE || publicKey (86 bytes)', () => {
  const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
  const pub = new Uint8Array(32).fill(0xab);
  const msg = buildLoginMessage(nonce, 0x0102, pub);
  assert.equal(msg.length, LOGIN_MESSAGE_BYTES);
  assert.equal(LOGIN_MESSAGE_BYTES, 86);
  assert.equal(Buffer.from(msg.subarray(0, 14)).toString('ascii'), 'perpd-login-v1');
  assert.deepEqual(msg.subarray(14, 46), nonce);
  assert.deepEqual([...msg.subarray(46, 54)], [2, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(msg.subarray(54), pub);
});

test('a raw public key exported and imported again verifies the same signatures', () => {
  const raw = exportEd25519PublicKeyRaw(alice.privateKey);
  assert.deepEqual(raw, alice.publicKeyRaw);
  assert.equal(raw.length, 32);
  const nonce = newNonce();
  const sig = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, raw);
  assert.equal(sig.length, 64);
  assert.equal(verifyLogin(importEd25519PublicKey(raw), nonce, ALICE_ACCOUNT, raw, sig), true);
});

test('the login signature verifies with the right key, nonce and account', () => {
  const nonce = newNonce();
  const sig = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  assert.equal(verifyLogin(alice.publicKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw, sig), true);
});

test('the login signature fails with a wrong key', () => {
  const nonce = newNonce();
  const sig = signLogin(mallory.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  assert.equal(verifyLogin(alice.publicKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw, sig), false);
});

test('the login signature fails with a wrong nonce (a replayed signature)', () => {
  const sig = signLogin(alice.privateKey, newNonce(), ALICE_ACCOUNT, alice.publicKeyRaw);
  assert.equal(verifyLogin(alice.publicKey, newNonce(), ALICE_ACCOUNT, alice.publicKeyRaw, sig), false);
});

test('the login signature fails for a different account', () => {
  const nonce = newNonce();
  const sig = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  assert.equal(verifyLogin(alice.publicKey, nonce, ALICE_ACCOUNT + 1, alice.publicKeyRaw, sig), false);
});

test('a tampered signature or malformed input is "not valid", never an exception', () => {
  const nonce = newNonce();
  const sig = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  const flipped = sig.slice();
  flipped[10] ^= 1;
  assert.equal(verifyLogin(alice.publicKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw, flipped), false);
  assert.equal(verifyLogin(alice.publicKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw, sig.subarray(0, 63)), false);
  assert.equal(verifyLogin(alice.publicKey, nonce.subarray(0, 31), ALICE_ACCOUNT, alice.publicKeyRaw, sig), false);
  assert.equal(verifyLogin(alice.publicKey, nonce, Number.MAX_SAFE_INTEGER + 1, alice.publicKeyRaw, sig), false);
});

test('tryVerifyLogin accepts an active key of the account and refuses unknown, revoked or foreign keys with LOGIN_FAILED', () => {
  const hex = (raw: Uint8Array) => Buffer.from(raw).toString('hex');
  const active = new Map<string, number>([
    [hex(alice.publicKeyRaw), ALICE_ACCOUNT],
    [hex(mallory.publicKeyRaw), 99],
  ]);
  const nonce = newNonce();
  const sig = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  assert.equal(tryVerifyLogin(active, ALICE_ACCOUNT, alice.publicKeyRaw, nonce, sig), Code.OK);

  const revoked = new Map(active);
  revoked.delete(hex(alice.publicKeyRaw));
  assert.equal(tryVerifyLogin(revoked, ALICE_ACCOUNT, alice.publicKeyRaw, nonce, sig), Code.LOGIN_FAILED, 'revoked key');

  const malloryAsAlice = signLogin(mallory.privateKey, nonce, ALICE_ACCOUNT, mallory.publicKeyRaw);
  assert.equal(tryVerifyLogin(active, ALICE_ACCOUNT, mallory.publicKeyRaw, nonce, malloryAsAlice), Code.LOGIN_FAILED, 'key of another account');

  assert.equal(tryVerifyLogin(active, ALICE_ACCOUNT, alice.publicKeyRaw, newNonce(), sig), Code.LOGIN_FAILED, 'stale nonce');
  assert.equal(tryVerifyLogin(active, ALICE_ACCOUNT, new Uint8Array(32), nonce, sig), Code.LOGIN_FAILED, 'unregistered key');
});

test('a LOGIN frame decoded by the server verifies end to end', () => {
  const nonce = newNonce();
  const signature = signLogin(alice.privateKey, nonce, ALICE_ACCOUNT, alice.publicKeyRaw);
  const out = new RequestFrame();
  assert.equal(tryDecodeRequest(encodeLogin(1, { accountId: ALICE_ACCOUNT, publicKey: alice.publicKeyRaw, signature }), out), Code.OK);
  const active = new Map([[Buffer.from(alice.publicKeyRaw).toString('hex'), ALICE_ACCOUNT]]);
  assert.equal(tryVerifyLogin(active, out.accountId, out.publicKey, nonce, out.signature), Code.OK);
});
