/**
 * Ed25519 login for the binary protocol (docs/protocol-binary.md, "Login").
 *
 * The server sends a CHALLENGE with a fresh 32-byte nonce; the client answers with a
 * LOGIN carrying its account id, raw public key and a signature over
 *
 *   LOGIN_CONTEXT ("perpd-login-v1", 14 ASCII bytes) || nonce (32) || accountId (u64 LE, 8) || publicKey (32)
 *
 * = 86 bytes. The context string separates these signatures from any other use of the
 * key; the nonce makes each signature single-use; the account id and public key bind
 * the signature to the identity claimed in the frame. The server stores only public
 * keys, per account, revocable (gateway/auth/key-store.ts; `tryVerifyLogin` takes its
 * `activeKeyIndex` map). All crypto is node:crypto's built-in Ed25519 (pure EdDSA:
 * `sign(null, …)` / `verify(null, …)`); nothing here is hand-written crypto.
 */
import { createPublicKey, generateKeyPairSync, randomFillSync, sign, verify, type KeyObject } from 'node:crypto';
import { Code } from '../../engine/codes.js';
import { mustSafeU64, writeU64 } from './bytes.js';
import { NONCE_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './frames.js';

export const LOGIN_CONTEXT = 'perpd-login-v1';
const CONTEXT_BYTES = Buffer.from(LOGIN_CONTEXT, 'ascii');
export const LOGIN_MESSAGE_BYTES = CONTEXT_BYTES.length + NONCE_BYTES + 8 + PUBLIC_KEY_BYTES;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes) }. */
export const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A fresh random nonce for a CHALLENGE. */
export function newNonce(): Uint8Array {
  return randomFillSync(new Uint8Array(NONCE_BYTES));
}

/** The 86-byte message a LOGIN signs. Throws RangeError on wrong lengths or an unsafe account id. */
export function buildLoginMessage(nonce: Uint8Array, accountId: number, publicKeyRaw: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  if (publicKeyRaw.length !== PUBLIC_KEY_BYTES) throw new RangeError(`public key must be ${PUBLIC_KEY_BYTES} bytes`);
  mustSafeU64('accountId', accountId);
  const msg = new Uint8Array(LOGIN_MESSAGE_BYTES);
  let at = 0;
  msg.set(CONTEXT_BYTES, at);
  at += CONTEXT_BYTES.length;
  msg.set(nonce, at);
  at += NONCE_BYTES;
  writeU64(msg, at, accountId);
  at += 8;
  msg.set(publicKeyRaw, at);
  return msg;
}

/** Imports a raw 32-byte Ed25519 public key; throws on a wrong length. */
export function importEd25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== PUBLIC_KEY_BYTES) throw new RangeError(`public key must be ${PUBLIC_KEY_BYTES} bytes`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Imports a raw public key, or undefined when it is not a usable Ed25519 key (never throws). */
export function tryImportEd25519PublicKey(raw: Uint8Array): KeyObject | undefined {
  try {
    return importEd25519PublicKey(raw);
  } catch {
    return undefined;
  }
}

/** The raw 32 bytes of an Ed25519 public key (or of the public half of a private key). */
export function exportEd25519PublicKeyRaw(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an ed25519 key, got ${pub.asymmetricKeyType}`);
  const der = pub.export({ format: 'der', type: 'spki' });
  return Uint8Array.from(der.subarray(der.length - PUBLIC_KEY_BYTES));
}

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyRaw: Uint8Array;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyRaw: exportEd25519PublicKeyRaw(publicKey) };
}

/** Client side: the 64-byte LOGIN signature. */
export function signLogin(privateKey: KeyObject, nonce: Uint8Array, accountId: number, publicKeyRaw: Uint8Array): Uint8Array {
  return Uint8Array.from(sign(null, buildLoginMessage(nonce, accountId, publicKeyRaw), privateKey));
}

/**
 * Server side: true when `signature` is a valid Ed25519 signature by `publicKey` over
 * the login message for (nonce, accountId, publicKeyRaw). `publicKey` must be the key
 * registered for the account (see `tryVerifyLogin`), and
 * `publicKeyRaw` the bytes the LOGIN frame carried. Never throws: any malformed input
 * is simply "not valid".
 */
export function verifyLogin(publicKey: KeyObject, nonce: Uint8Array, accountId: number, publicKeyRaw: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || nonce.length !== NONCE_BYTES || publicKeyRaw.length !== PUBLIC_KEY_BYTES) return false;
  if (!Number.isSafeInteger(accountId) || accountId < 0) return false;
  try {
    return verify(null, buildLoginMessage(nonce, accountId, publicKeyRaw), publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * Server side: the whole decision for one LOGIN frame. `activeKeys` maps lower-case
 * raw-public-key hex → account id for keys that are registered and not revoked (the
 * shape of gateway/auth/key-store.ts `activeKeyIndex`). OK when the key is active and
 * belongs to `accountId` and the signature verifies over `nonce` (the challenge the
 * server issued on this connection, used once). Every failure is the same code,
 * LOGIN_FAILED, so a client cannot probe which accounts or keys exist.
 */
export function tryVerifyLogin(activeKeys: ReadonlyMap<string, number>, accountId: number, publicKeyRaw: Uint8Array, nonce: Uint8Array, signature: Uint8Array): number {
  if (publicKeyRaw.length !== PUBLIC_KEY_BYTES) return Code.LOGIN_FAILED;
  const owner = activeKeys.get(Buffer.from(publicKeyRaw.buffer, publicKeyRaw.byteOffset, publicKeyRaw.length).toString('hex'));
  if (owner === undefined || owner !== accountId) return Code.LOGIN_FAILED;
  const key = tryImportEd25519PublicKey(publicKeyRaw);
  if (!key) return Code.LOGIN_FAILED;
  return verifyLogin(key, nonce, accountId, publicKeyRaw, signature) ? Code.OK : Code.LOGIN_FAILED;
}
