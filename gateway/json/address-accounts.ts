import { Code, codeName } from '../../engine/codes.js';
import type { AccountDirectory } from '../accounts/account-directory.js';
import type { JsonRouter } from './json-router.js';
import { RateLimiter } from './rate-limiter.js';

/** A signer resolved to the account it may act for. */
export interface SignerAccount {
  accountId: number;
  /** The user's own address (the agent's master for an agent). */
  userAddress: string;
  isAgent: boolean;
}

/** Demo accounts opened per second across all addresses (burst 100): the account table is bounded. */
const DEMO_CREATIONS_PER_MINUTE = 600;
const DEMO_CREATION_BURST = 100;

/**
 * Addresses → accounts for the JSON API, over the AccountDirectory's address index:
 *
 *  - `resolveUser` (queries naming a `user`): a registered address; in demo mode an
 *    unknown one gets a new, credited account (globally rate limited).
 *  - `resolveSigner` (signed actions): a registered user or an approved, unexpired
 *    agent. A signed action never creates an account: a wrong signature recovers
 *    some random address, which must be refused rather than given a fresh account.
 *
 * Every resolved account is tracked by the JSON router (orders, fills).
 */
export class AddressAccounts {
  readonly #dir: AccountDirectory;
  readonly #router: JsonRouter;
  readonly #creations = new RateLimiter({ capacity: DEMO_CREATION_BURST, refillPerMinute: DEMO_CREATIONS_PER_MINUTE, maxKeys: 1 });

  constructor(directory: AccountDirectory, router: JsonRouter) {
    this.#dir = directory;
    this.#router = router;
    for (const { address, accountId } of directory.addressEntries()) {
      if (directory.ensureAddressAccount(address) === Code.OK) router.track(accountId, address);
    }
  }

  get demo(): boolean {
    return this.#dir.demo;
  }

  /** The account of a user address, opening a demo account when allowed; or why not (undefined account = unknown user, not an error). */
  resolveUser(address: string, nowMs: number, create: boolean): { accountId?: number; error?: string; retryAfterMs?: number } {
    const known = this.#dir.accountOfAddress(address);
    if (known !== undefined) {
      const code = this.#dir.ensureAddressAccount(address);
      if (code !== Code.OK) return { error: `Account of ${address} is unavailable (${codeName(code)}).` };
      this.#router.track(known, address);
      return { accountId: known };
    }
    if (!create || !this.#dir.demo || this.#dir.agentOf(address) !== undefined) return {};
    const wait = this.#creations.tryTake('demo', 1, nowMs);
    if (wait > 0) return { error: `Too many cumulative requests sent: demo account creation is rate limited; retry in ${wait} ms.`, retryAfterMs: wait };
    const created = this.#dir.createDemoAccountForAddress(address, nowMs);
    if (created.code !== Code.OK) return { error: `Cannot open a demo account for ${address}: ${codeName(created.code)}.` };
    this.#router.track(created.accountId, address);
    return { accountId: created.accountId };
  }

  /** Address only, no creation (display, pushes). */
  accountOf(address: string): number | undefined {
    return this.#dir.accountOfAddress(address);
  }

  resolveSigner(signer: string, nowMs: number): SignerAccount | string {
    const user = this.#dir.accountOfAddress(signer);
    if (user !== undefined) {
      const r = this.resolveUser(signer, nowMs, false);
      if (r.accountId === undefined) return r.error ?? `User or API Wallet ${signer} does not exist.`;
      return { accountId: user, userAddress: signer, isAgent: false };
    }
    const agent = this.#dir.agentOf(signer);
    if (agent === undefined) return `User or API Wallet ${signer} does not exist.`;
    if (agent.validUntilMs !== null && agent.validUntilMs <= nowMs) return `API Wallet ${signer} expired at ${agent.validUntilMs}.`;
    const r = this.resolveUser(agent.masterAddress, nowMs, false);
    if (r.accountId === undefined) return r.error ?? `User or API Wallet ${signer} does not exist.`;
    return { accountId: r.accountId, userAddress: agent.masterAddress, isAgent: true };
  }

  approveAgent(master: string, agentAddress: string, name: string, validUntilMs: number | null, nowMs: number): string | undefined {
    return this.#dir.approveAgent(master, agentAddress, name, validUntilMs, nowMs);
  }
}
