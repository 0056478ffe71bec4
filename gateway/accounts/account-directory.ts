import { existsSync } from 'node:fs';
import { Code } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import type { Ledger } from '../../engine/ledger/ledger.js';
import { activeKeyIndex, addKey, loadKeyStore, saveKeyStore } from '../auth/key-store.js';
import { loadAddressStore, saveAddressStore, type AddressStoreData, type AgentRecord } from './address-store.js';

/** The part of the runtime the directory needs (creating and funding accounts). */
export interface CommandSubmitter {
  submit(cmd: Command): number;
}

export interface AccountDirectoryOptions {
  keysPath: string;
  demo: boolean;
  demoCreditMicros: number;
  ledger: Ledger;
  runtime: CommandSubmitter;
  /** `<dataDir>/addresses.json` (JSON API identities); omitted: no address index. */
  addressesPath?: string;
}

/** Agents a master may have at once: one unnamed plus this many named (Hyperliquid's rule). */
export const MAX_NAMED_AGENTS = 3;

/**
 * Who is who: Ed25519 API keys (gateway/auth/key-store.ts, keys.json) → account ids,
 * and account creation.
 *
 * Accounts are created through sequenced CREATE_ACCOUNT commands (so a replay of
 * the journal recreates them), never by reaching into the ledger. In demo mode a
 * login with accountId 0 and a key nobody registered creates a fresh account,
 * credits it `demoCreditMicros` with a sequenced DEPOSIT, and registers the key in
 * keys.json, so a new client can trade at once and log in again after a restart.
 *
 * Account 0 is the venue's own (platform) account, created at genesis; it never
 * logs in through a client key, and accountId 0 in a demo LOGIN means "new account".
 */
export class AccountDirectory {
  readonly #o: AccountDirectoryOptions;
  #keys: Map<string, number>;
  readonly #cmd = new Command();
  // Address index (JSON API): lower-case address → account id; agent address → record.
  readonly #addressStore: AddressStoreData;
  readonly #addresses = new Map<string, number>();
  readonly #agents = new Map<string, AgentRecord>();

  constructor(options: AccountDirectoryOptions) {
    this.#o = options;
    this.#keys = existsSync(options.keysPath) ? activeKeyIndex(loadKeyStore(options.keysPath)) : new Map();
    this.#addressStore = options.addressesPath ? loadAddressStore(options.addressesPath) : { version: 1, addresses: [], agents: [] };
    for (const a of this.#addressStore.addresses) this.#addresses.set(a.address, a.accountId);
    for (const g of this.#addressStore.agents) this.#agents.set(g.agentAddress, g);
  }

  get demo(): boolean {
    return this.#o.demo;
  }

  /** Active keys: public-key hex → account id. */
  get activeKeys(): ReadonlyMap<string, number> {
    return this.#keys;
  }

  /** Genesis: creates the platform account 0 if the ledger is empty. */
  ensurePlatformAccount(): number {
    return this.#o.ledger.accountCount === 0 ? this.#submit(Op.CREATE_ACCOUNT, 0, 0) : Code.OK;
  }

  /**
   * Demo mode, after recovery: forgets keys, addresses and agents bound to account
   * ids the recovered ledger does not have. A demo identity is written to its file
   * when its CREATE_ACCOUNT is sequenced, before the journal has made it durable; a
   * crash in between leaves an identity pointing at an id that the next new account
   * would get. No acknowledged order can depend on such an account (acks wait for
   * the journal, which is a gap-free prefix), so forgetting it is safe: that client
   * logs in with account 0 again and gets a new account. Outside demo mode keys are
   * registered by the operator ahead of their account's first login and are kept.
   * Returns how many identities were dropped.
   */
  dropIdentitiesOfLostDemoAccounts(): number {
    if (!this.#o.demo) return 0;
    const accountCount = this.#o.ledger.accountCount;
    let dropped = 0;
    if (existsSync(this.#o.keysPath)) {
      const data = loadKeyStore(this.#o.keysPath);
      const kept = data.keys.filter((k) => k.accountId < accountCount);
      if (kept.length !== data.keys.length) {
        dropped += data.keys.length - kept.length;
        saveKeyStore(this.#o.keysPath, { ...data, keys: kept });
        this.reload();
      }
    }
    if (this.#o.addressesPath) {
      const st = this.#addressStore;
      const before = st.addresses.length + st.agents.length;
      st.addresses = st.addresses.filter((a) => a.accountId < accountCount);
      st.agents = st.agents.filter((g) => g.accountId < accountCount);
      const after = st.addresses.length + st.agents.length;
      if (after !== before) {
        dropped += before - after;
        this.#addresses.clear();
        for (const a of st.addresses) this.#addresses.set(a.address, a.accountId);
        this.#agents.clear();
        for (const g of st.agents) this.#agents.set(g.agentAddress, g);
        saveAddressStore(this.#o.addressesPath, st);
      }
    }
    return dropped;
  }

  /** Re-reads keys.json (after `perpd keys add/revoke`). */
  reload(): void {
    this.#keys = existsSync(this.#o.keysPath) ? activeKeyIndex(loadKeyStore(this.#o.keysPath)) : new Map();
  }

  accountOfKey(pubkeyHex: string): number | undefined {
    return this.#keys.get(pubkeyHex);
  }

  /**
   * Makes sure `accountId` exists in the ledger (a key may be registered before its
   * account's first login). Returns a Code.
   */
  ensureAccount(accountId: number): number {
    const ledger = this.#o.ledger;
    while (ledger.accountCount <= accountId) {
      const code = this.#submit(Op.CREATE_ACCOUNT, 0, 0);
      if (code !== Code.OK) return code;
    }
    return Code.OK;
  }

  /** Demo mode: a new account for an unregistered key, credited and registered. */
  createDemoAccount(pubkeyHex: string): { code: number; accountId: number } {
    if (!this.#o.demo) return { code: Code.UNKNOWN_ACCOUNT, accountId: 0 };
    const code = this.#submit(Op.CREATE_ACCOUNT, 0, 0);
    if (code !== Code.OK) return { code, accountId: 0 };
    const accountId = this.#cmd.accountId;
    const deposit = this.#submit(Op.DEPOSIT, accountId, this.#o.demoCreditMicros);
    if (deposit !== Code.OK) return { code: deposit, accountId };
    addKey(this.#o.keysPath, accountId, pubkeyHex);
    this.#keys.set(pubkeyHex, accountId);
    return { code: Code.OK, accountId };
  }

  #submit(op: number, accountId: number, amount: number): number {
    const c = this.#cmd.reset();
    c.op = op;
    c.accountId = accountId;
    c.amount = amount;
    return this.#o.runtime.submit(c);
  }

  // ------------------------------------------------------------------ addresses
  // The JSON API's identities: Ethereum addresses (lower-case hex) and the agent
  // keys they approved. Stored in addresses.json next to keys.json.

  /** Every registered address with its account, in registration order. */
  addressEntries(): readonly { address: string; accountId: number }[] {
    return this.#addressStore.addresses;
  }

  accountOfAddress(address: string): number | undefined {
    return this.#addresses.get(address);
  }

  /** The address registered for an account (first one), for display. */
  addressOfAccount(accountId: number): string | undefined {
    return this.#addressStore.addresses.find((a) => a.accountId === accountId)?.address;
  }

  agentOf(agentAddress: string): AgentRecord | undefined {
    return this.#agents.get(agentAddress);
  }

  /**
   * Demo mode: a new account for an unknown address, created by sequenced
   * CREATE_ACCOUNT + DEPOSIT (demoCreditMicros) commands and recorded in
   * addresses.json. Returns the code and the new account id.
   */
  createDemoAccountForAddress(address: string, nowMs: number = Date.now()): { code: number; accountId: number } {
    if (!this.#o.demo || !this.#o.addressesPath) return { code: Code.UNKNOWN_ACCOUNT, accountId: 0 };
    const known = this.#addresses.get(address);
    if (known !== undefined) return { code: Code.OK, accountId: known };
    if (this.#agents.has(address)) return { code: Code.ACCOUNT_EXISTS, accountId: 0 };
    const code = this.#submit(Op.CREATE_ACCOUNT, 0, 0);
    if (code !== Code.OK) return { code, accountId: 0 };
    const accountId = this.#cmd.accountId;
    const deposit = this.#submit(Op.DEPOSIT, accountId, this.#o.demoCreditMicros);
    if (deposit !== Code.OK) return { code: deposit, accountId };
    this.#addressStore.addresses.push({ address, accountId, addedAtMs: nowMs });
    this.#addresses.set(address, accountId);
    this.#saveAddresses();
    return { code: Code.OK, accountId };
  }

  /**
   * Makes sure a registered address's account exists in the ledger (the ledger
   * starts empty on every start until the journal lands); in demo mode a re-created
   * account is credited again. Returns a Code.
   */
  ensureAddressAccount(address: string): number {
    const accountId = this.#addresses.get(address);
    if (accountId === undefined) return Code.UNKNOWN_ACCOUNT;
    if (accountId < this.#o.ledger.accountCount) return Code.OK;
    const code = this.ensureAccount(accountId);
    if (code !== Code.OK || !this.#o.demo) return code;
    return this.#submit(Op.DEPOSIT, accountId, this.#o.demoCreditMicros);
  }

  /**
   * Approves `agentAddress` to sign for `masterAddress`'s account (Hyperliquid's
   * approveAgent): an agent with the same name (or the unnamed one) is replaced; a
   * master has at most one unnamed and MAX_NAMED_AGENTS named agents. Returns an
   * error sentence, or undefined when approved (and persisted).
   */
  approveAgent(masterAddress: string, agentAddress: string, name: string, validUntilMs: number | null, nowMs: number = Date.now()): string | undefined {
    const accountId = this.#addresses.get(masterAddress);
    if (accountId === undefined) return `User ${masterAddress} does not exist.`;
    if (this.#addresses.has(agentAddress)) return `Agent address ${agentAddress} is a user address; an agent must be a fresh key.`;
    const existing = this.#agents.get(agentAddress);
    if (existing && existing.masterAddress !== masterAddress) return `Agent ${agentAddress} is already approved for another user.`;
    const store = this.#addressStore;
    const mine = store.agents.filter((g) => g.masterAddress === masterAddress && g.agentAddress !== agentAddress);
    const replaced = mine.find((g) => g.name === name);
    if (!replaced && name !== '' && mine.filter((g) => g.name !== '').length >= MAX_NAMED_AGENTS) {
      return `User ${masterAddress} already has ${MAX_NAMED_AGENTS} named agents: approve one under an existing name to replace it.`;
    }
    const drop = new Set<string>([agentAddress]);
    if (replaced) drop.add(replaced.agentAddress);
    store.agents = store.agents.filter((g) => !drop.has(g.agentAddress));
    for (const a of drop) this.#agents.delete(a);
    const record: AgentRecord = { agentAddress, masterAddress, accountId, name, validUntilMs, addedAtMs: nowMs };
    store.agents.push(record);
    this.#agents.set(agentAddress, record);
    this.#saveAddresses();
    return undefined;
  }

  #saveAddresses(): void {
    if (this.#o.addressesPath) saveAddressStore(this.#o.addressesPath, this.#addressStore);
  }
}
