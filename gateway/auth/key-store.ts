/**
 * API keys: Ed25519 public keys registered per account, revocable, stored in
 * `<dataDir>/keys.json`:
 *
 *   { "version": 1, "keys": [ { "accountId": 7, "pubkeyHex": "…64 hex…", "addedAtMs": …, "revokedAtMs": null } ] }
 *
 * A public key belongs to at most one account. Revoked keys stay in the file (audit
 * trail) and cannot be registered again: a revoked key is presumed compromised, so
 * its owner makes a new key pair. Keys are stored in lower case.
 *
 * Writes are atomic: the new content goes to a temporary file in the same directory,
 * is fsynced, then renamed over keys.json (and the directory fsynced), so a crash
 * leaves either the old file or the new one. The file is small and only the CLI / admin
 * paths write it; the daemon reads it with `loadKeyStore` and looks keys up with
 * `activeKeyIndex`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-json.js';

export const KEYS_FILE_NAME = 'keys.json';
export const PUBKEY_HEX_LENGTH = 64; // 32-byte Ed25519 public key
export const MAX_ACCOUNT_ID = 0xffff_ffff;

export interface ApiKeyRecord {
  accountId: number;
  /** 64 lower-case hex characters. */
  pubkeyHex: string;
  addedAtMs: number;
  /** null while active. */
  revokedAtMs: number | null;
}

export interface KeyStoreData {
  version: 1;
  keys: ApiKeyRecord[];
}

export class KeyStoreError extends Error {
  constructor(
    readonly code: 'INVALID_PUBKEY' | 'INVALID_ACCOUNT' | 'KEY_EXISTS' | 'KEY_REVOKED' | 'UNKNOWN_KEY' | 'CORRUPT_FILE',
    message: string,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

export function keyStorePath(dataDir: string): string {
  return join(dataDir, KEYS_FILE_NAME);
}

/** Validates and lower-cases a public key; throws KeyStoreError('INVALID_PUBKEY'). */
export function mustNormalizePubkeyHex(text: string): string {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]*$/.test(text) || text.length !== PUBKEY_HEX_LENGTH) {
    const shown = typeof text === 'string' ? `"${text.length > 80 ? text.slice(0, 80) + '…' : text}" (${text.length} characters)` : String(text);
    throw new KeyStoreError(
      'INVALID_PUBKEY',
      `public key must be ${PUBKEY_HEX_LENGTH} hex characters (a 32-byte Ed25519 public key), got ${shown}: pass the raw public key in hex`,
    );
  }
  return text.toLowerCase();
}

export function mustValidAccountId(accountId: number): number {
  if (!Number.isSafeInteger(accountId) || accountId < 0 || accountId > MAX_ACCOUNT_ID) {
    throw new KeyStoreError('INVALID_ACCOUNT', `account id must be an integer 0-${MAX_ACCOUNT_ID}, got ${accountId}`);
  }
  return accountId;
}

/** Reads keys.json; a missing file is an empty store. Throws KeyStoreError('CORRUPT_FILE') naming the file. */
export function loadKeyStore(path: string): KeyStoreData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
    throw err;
  }
  const corrupt = (why: string): KeyStoreError =>
    new KeyStoreError('CORRUPT_FILE', `key store ${path} is damaged (${why}): restore it from a backup or fix it by hand`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(`not JSON: ${(err as Error).message}`);
  }
  const d = data as Partial<KeyStoreData> | null;
  if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.keys)) throw corrupt('expected {"version": 1, "keys": [...]}');
  const seen = new Set<string>();
  d.keys.forEach((k, i) => {
    const ok =
      k &&
      typeof k === 'object' &&
      Number.isSafeInteger(k.accountId) &&
      k.accountId >= 0 &&
      k.accountId <= MAX_ACCOUNT_ID &&
      typeof k.pubkeyHex === 'string' &&
      /^[0-9a-f]{64}$/.test(k.pubkeyHex) &&
      Number.isSafeInteger(k.addedAtMs) &&
      (k.revokedAtMs === null || Number.isSafeInteger(k.revokedAtMs));
    if (!ok) throw corrupt(`keys[${i}] is not a valid key record`);
    if (seen.has(k.pubkeyHex)) throw corrupt(`keys[${i}]: public key ${k.pubkeyHex} appears twice`);
    seen.add(k.pubkeyHex);
  });
  return { version: 1, keys: d.keys.map((k) => ({ accountId: k.accountId, pubkeyHex: k.pubkeyHex, addedAtMs: k.addedAtMs, revokedAtMs: k.revokedAtMs })) };
}

/** Writes keys.json atomically (see writeJsonAtomic). */
export function saveKeyStore(path: string, data: KeyStoreData): void {
  writeJsonAtomic(path, data);
}

/** Keys, in the order they were added; revoked ones only with includeRevoked. Optionally of one account. */
export function listKeys(path: string, options: { accountId?: number; includeRevoked?: boolean } = {}): ApiKeyRecord[] {
  return loadKeyStore(path).keys.filter(
    (k) => (options.includeRevoked || k.revokedAtMs === null) && (options.accountId === undefined || k.accountId === options.accountId),
  );
}

/** Registers a key for an account. Throws KeyStoreError on a bad key/account, a key already registered, or a revoked key. */
export function addKey(path: string, accountId: number, pubkeyHex: string, nowMs: number = Date.now()): ApiKeyRecord {
  const key = mustNormalizePubkeyHex(pubkeyHex);
  mustValidAccountId(accountId);
  const data = loadKeyStore(path);
  const existing = data.keys.find((k) => k.pubkeyHex === key);
  if (existing && existing.revokedAtMs !== null) {
    throw new KeyStoreError('KEY_REVOKED', `public key ${key} was revoked and cannot be registered again: generate a new key pair`);
  }
  if (existing) {
    const whose = existing.accountId === accountId ? 'this account' : `account ${existing.accountId}`;
    throw new KeyStoreError('KEY_EXISTS', `public key ${key} is already registered to ${whose}: revoke it first or use another key`);
  }
  const record: ApiKeyRecord = { accountId, pubkeyHex: key, addedAtMs: nowMs, revokedAtMs: null };
  data.keys.push(record);
  saveKeyStore(path, data);
  return record;
}

/** Revokes an active key. Throws KeyStoreError for an unknown or already revoked key. */
export function revokeKey(path: string, pubkeyHex: string, nowMs: number = Date.now()): ApiKeyRecord {
  const key = mustNormalizePubkeyHex(pubkeyHex);
  const data = loadKeyStore(path);
  const record = data.keys.find((k) => k.pubkeyHex === key);
  if (!record) throw new KeyStoreError('UNKNOWN_KEY', `public key ${key} is not registered: check it with "perpd keys list"`);
  if (record.revokedAtMs !== null) throw new KeyStoreError('KEY_REVOKED', `public key ${key} is already revoked (at ${new Date(record.revokedAtMs).toISOString()})`);
  record.revokedAtMs = nowMs;
  saveKeyStore(path, data);
  return record;
}

/** Active keys → account id, for the gateway's authentication (keys in lower-case hex). */
export function activeKeyIndex(data: KeyStoreData): Map<string, number> {
  const index = new Map<string, number>();
  for (const k of data.keys) if (k.revokedAtMs === null) index.set(k.pubkeyHex, k.accountId);
  return index;
}
