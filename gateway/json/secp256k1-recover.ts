/**
 * secp256k1 public-key recovery for the JSON API's signed actions.
 *
 * Recovery is the JSON path's bottleneck: with @noble/curves (pure JS, BigInt
 * arithmetic) it costs about 1.6 ms per action on this machine, 64% of the gateway
 * thread's busy time, which capped /exchange at about 400 actions/s (bench/README.md,
 * e2e-json). libsecp256k1 (Bitcoin Core's C library) does the same in tens of µs, so
 * it is used when its binding loads: the `secp256k1` package's N-API addon, whose
 * prebuilt linux-x64 binary ships inside the npm tarball (no compiler needed).
 *
 * The package's main entry silently falls back to `elliptic` when the addon does not
 * load; we load its `bindings.js` instead, which throws, and fall back to
 * @noble/curves ourselves, so the backend in use is always known
 * (`RECOVER_BACKEND`, logged at start-up). Both backends are differential-tested
 * against each other in secp256k1-recover.test.ts.
 *
 * Malleability: neither backend refuses a high-s signature on its own; callers check
 * `isHighS` first (signing.ts refuses high s).
 */
import { createRequire } from 'node:module';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';

/** Recovers the uncompressed public key (65 bytes, 0x04 ‖ x ‖ y); throws for an invalid signature or recovery id. */
export type RecoverUncompressed = (compactSig64: Uint8Array, recoveryId: number, digest32: Uint8Array) => Uint8Array;

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array;
}

/** The pure-JS backend (also the reference the native one is tested against). */
export const nobleRecover: RecoverUncompressed = (sig, recoveryId, digest) =>
  noble.Signature.fromBytes(sig, 'compact').addRecoveryBit(recoveryId).recoverPublicKey(digest).toBytes(false);

function loadNative(): RecoverUncompressed | undefined {
  if (process.env.PERPD_SECP256K1 === 'noble') return undefined; // to measure or test the fallback
  try {
    const lib = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeSecp256k1;
    return (sig, recoveryId, digest) => lib.ecdsaRecover(sig, recoveryId, digest, false, new Uint8Array(65));
  } catch {
    return undefined;
  }
}

/** The native backend, when its addon loaded (tests compare it with noble). */
export const nativeRecover: RecoverUncompressed | undefined = loadNative();

export const RECOVER_BACKEND: 'libsecp256k1' | 'noble' = nativeRecover ? 'libsecp256k1' : 'noble';

export const recoverUncompressed: RecoverUncompressed = nativeRecover ?? nobleRecover;

/** n / 2 for secp256k1: a signature with s above it is the malleable twin of a low-s one. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** True when the 32-byte big-endian `s` is above n / 2. */
export function isHighS(s32: Uint8Array): boolean {
  let s = 0n;
  for (let i = 0; i < 32; i++) s = (s << 8n) | BigInt(s32[i]);
  return s > HALF_N;
}
