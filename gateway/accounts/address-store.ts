/**
 * Ethereum addresses (the JSON API's Hyperliquid-dialect identities) and their
 * approved agent keys, stored in `<dataDir>/addresses.json`:
 *
 *   { "version": 1,
 *     "addresses": [ { "address": "0x…40 hex…", "accountId": 7, "addedAtMs": … } ],
 *     "agents": [ { "agentAddress": "0x…", "masterAddress": "0x…", "accountId": 7,
 *                   "name": "", "validUntilMs": null, "addedAtMs": … } ] }
 *
 * An address belongs to at most one account; an agent address to at most one master
 * and never to a user. Addresses are stored in lower case. The file is written
 * atomically (temporary file, fsync, rename, directory fsync), like keys.json: a
 * crash leaves the old file or the new one. The whole file is rewritten per change;
 * changes are rare (one per new address or agent approval) and rate limited by the
 * JSON API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-json.js';

export const ADDRESSES_FILE_NAME = 'addresses.json';
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

export interface AddressRecord {
  /** 0x + 40 lower-case hex characters. */
  address: string;
  accountId: number;
  addedAtMs: number;
}

export interface AgentRecord {
  agentAddress: string;
  masterAddress: string;
  accountId: number;
  /** "" for the unnamed agent. */
  name: string;
  /** null: no expiry. */
  validUntilMs: number | null;
  addedAtMs: number;
}

export interface AddressStoreData {
  version: 1;
  addresses: AddressRecord[];
  agents: AgentRecord[];
}

export function addressStorePath(dataDir: string): string {
  return join(dataDir, ADDRESSES_FILE_NAME);
}

/** Lower-cased address, or undefined when `text` is not 0x + 40 hex characters. */
export function tryNormalizeAddress(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length !== 42) return undefined;
  const lower = text.toLowerCase();
  return ADDRESS_RE.test(lower) ? lower : undefined;
}

/** Reads addresses.json; a missing file is an empty store. Throws naming the file when it is damaged. */
export function loadAddressStore(path: string): AddressStoreData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, addresses: [], agents: [] };
    throw err;
  }
  const corrupt = (why: string): Error => new Error(`address store ${path} is damaged (${why}): restore it from a backup or fix it by hand`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(`not JSON: ${(err as Error).message}`);
  }
  const d = data as Partial<AddressStoreData> | null;
  if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.addresses) || !Array.isArray(d.agents)) {
    throw corrupt('expected {"version": 1, "addresses": [...], "agents": [...]}');
  }
  const okId = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const seen = new Set<string>();
  d.addresses.forEach((a, i) => {
    if (!a || typeof a !== 'object' || !ADDRESS_RE.test(a.address) || !okId(a.accountId) || !Number.isSafeInteger(a.addedAtMs)) throw corrupt(`addresses[${i}] is not a valid record`);
    if (seen.has(a.address)) throw corrupt(`addresses[${i}]: ${a.address} appears twice`);
    seen.add(a.address);
  });
  d.agents.forEach((g, i) => {
    const ok =
      g &&
      typeof g === 'object' &&
      ADDRESS_RE.test(g.agentAddress) &&
      ADDRESS_RE.test(g.masterAddress) &&
      okId(g.accountId) &&
      typeof g.name === 'string' &&
      (g.validUntilMs === null || Number.isSafeInteger(g.validUntilMs)) &&
      Number.isSafeInteger(g.addedAtMs);
    if (!ok) throw corrupt(`agents[${i}] is not a valid record`);
    if (seen.has(g.agentAddress)) throw corrupt(`agents[${i}]: ${g.agentAddress} is already a user or another agent`);
    seen.add(g.agentAddress);
  });
  return {
    version: 1,
    addresses: d.addresses.map((a) => ({ address: a.address, accountId: a.accountId, addedAtMs: a.addedAtMs })),
    agents: d.agents.map((g) => ({ ...g })),
  };
}

/** Writes the store atomically (see writeJsonAtomic). */
export function saveAddressStore(path: string, data: AddressStoreData): void {
  writeJsonAtomic(path, data);
}
