import { existsSync } from 'node:fs';
import { Code } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import type { Ledger } from '../../engine/ledger/ledger.js';
import { activeKeyIndex, addKey, loadKeyStore } from '../auth/key-store.js';

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
}

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

  constructor(options: AccountDirectoryOptions) {
    this.#o = options;
    this.#keys = existsSync(options.keysPath) ? activeKeyIndex(loadKeyStore(options.keysPath)) : new Map();
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
}
