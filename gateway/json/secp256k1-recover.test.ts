/**
 * The two recovery backends against each other and against the signer: libsecp256k1
 * (native, what the daemon uses when it loads) and @noble/curves (the fallback).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Prng } from '../../engine/util/prng.js';
import { isHighS, nativeRecover, nobleRecover, RECOVER_BACKEND, recoverUncompressed } from './secp256k1-recover.js';

const N = secp256k1.Point.CURVE().n;

function bytes32(rng: Prng): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = rng.int(0, 255);
  return b;
}

function toBytes32(v: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
}

/** A private key in [1, n) from the PRNG. */
function privateKey(rng: Prng): Uint8Array {
  for (;;) {
    const k = bytes32(rng);
    if (secp256k1.utils.isValidSecretKey(k)) return k;
  }
}

describe('secp256k1 public-key recovery', () => {
  it('the native backend is the one in use here (its prebuilt binary ships with the npm package)', () => {
    assert.ok(nativeRecover, 'secp256k1/bindings.js did not load: run `npm ci` (the package carries prebuilds/linux-x64)');
    assert.equal(RECOVER_BACKEND, 'libsecp256k1');
    assert.equal(recoverUncompressed, nativeRecover);
  });

  it('both backends recover exactly the signer, for 300 seeded keys and digests with both recovery ids', () => {
    const rng = new Prng(20261122);
    const recovered = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const sk = privateKey(rng);
      const digest = bytes32(rng);
      const sig = secp256k1.sign(digest, sk, { prehash: false, format: 'recovered' });
      const recoveryId = sig[0];
      const compact = sig.subarray(1);
      recovered.add(recoveryId);
      const expected = secp256k1.getPublicKey(sk, false);
      assert.deepEqual(nobleRecover(compact, recoveryId, digest), expected);
      if (nativeRecover) assert.deepEqual(nativeRecover(compact, recoveryId, digest), expected, `key ${i}`);
      // The other recovery id gives another key (never the signer), the same on both backends.
      const other = 1 - recoveryId;
      let a: Uint8Array | string;
      let b: Uint8Array | string;
      try {
        a = nobleRecover(compact, other, digest);
      } catch {
        a = 'throws';
      }
      try {
        b = (nativeRecover ?? nobleRecover)(compact, other, digest);
      } catch {
        b = 'throws';
      }
      assert.deepEqual(b, a, `other recovery id of key ${i}`);
      assert.notDeepEqual(a, expected);
    }
    assert.deepEqual([...recovered].sort(), [0, 1], 'both recovery ids were exercised');
  });

  it('both backends refuse r or s of zero or at least n', () => {
    const digest = new Uint8Array(32).fill(7);
    const good = secp256k1.sign(digest, new Uint8Array(32).fill(1), { prehash: false, format: 'compact' });
    const withR = (r: Uint8Array): Uint8Array => Uint8Array.from([...r, ...good.subarray(32)]);
    const withS = (s: Uint8Array): Uint8Array => Uint8Array.from([...good.subarray(0, 32), ...s]);
    for (const bad of [withR(new Uint8Array(32)), withS(new Uint8Array(32)), withR(toBytes32(N)), withS(toBytes32(N + 1n))]) {
      assert.throws(() => nobleRecover(bad, 0, digest));
      if (nativeRecover) assert.throws(() => nativeRecover!(bad, 0, digest));
    }
  });

  it('isHighS splits at n / 2', () => {
    const half = N / 2n;
    assert.equal(isHighS(toBytes32(half)), false);
    assert.equal(isHighS(toBytes32(half + 1n)), true);
    assert.equal(isHighS(toBytes32(1n)), false);
    assert.equal(isHighS(toBytes32(N - 1n)), true);
  });
});
