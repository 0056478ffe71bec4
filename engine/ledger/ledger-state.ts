import type { MarketSpec } from '../market-spec.js';
import { mustValidateMarketSpec } from '../market-spec.js';
import { StpMode } from '../types.js';
import { maxLeverageFor, userImPpmForLeverage } from '../risk/tiers.js';

/**
 * The ledger's state, as struct-of-arrays over dense integer ids. No logic beyond
 * storage and growth lives here: R1 (pre-trade.ts), R2 (settlement.ts) and the
 * views (account-view.ts) operate on it.
 *
 * Accounts are dense ids 0..accountCount−1. Markets are addressed by a dense local
 * index 0..marketCount−1 in ascending marketId order (`marketIndex(marketId)`). The
 * per-(account, market) columns use the slot `account × marketCount + market`.
 * The id → index Map is only ever looked up, never iterated, so its ordering cannot
 * leak into any output.
 *
 * Money columns are Float64Array: every value is a safe integer number of quote
 * micros (a double holds those exactly). Invariants (checked by
 * Ledger.mustValidateInternalState): free, margin, orderMargin, pending ≥ 0; a flat
 * position has cost 0 and margin 0; a long has cost > 0, a short cost < 0.
 */

export interface LedgerOptions {
  /**
   * Demo mode: an account id the ledger has not seen (below maxAccounts) is created on
   * first contact, together with any lower ids not created yet (ids stay dense), and
   * each new account is credited `demoCreditMicros` (counted as a deposit). Off by
   * default. In demo mode, first contact creates the account even if the command is
   * then refused.
   */
  demo?: boolean;
  /** Credit of each account created in demo mode. Default 100,000 USDC. */
  demoCreditMicros?: number;
  /** Upper bound on accounts (bounded everything). Default 1,000,000. */
  maxAccounts?: number;
  /** Leverage of a new (account, market) position; capped at the market's first tier. Default 20. */
  defaultLeverage?: number;
  /** Initial capacity of the account columns (they double as needed). Default 64. */
  initialAccountCapacity?: number;
}

/** A single account's balance may not exceed 2^52 micros (~$4.5 billion): sums stay safe. */
export const MAX_BALANCE_MICROS = 2 ** 52;

export class LedgerState {
  readonly specs: readonly MarketSpec[];
  readonly marketCount: number;
  readonly demo: boolean;
  readonly demoCreditMicros: number;
  readonly maxAccounts: number;
  /** Per market: the userImPpm of a position nobody has set leverage on. */
  readonly defaultUserImPpm: Float64Array;
  /** Per market: the reference (mark) price the order-margin requirement is valued at. */
  readonly refPriceTicks: Float64Array;
  readonly #marketIndexById = new Map<number, number>();

  accountCount = 0;
  capacity: number;

  // per account
  free: Float64Array;
  stpDefault: Uint8Array;
  inLiquidation: Uint8Array;

  // per (account, market) slot
  lots: Float64Array;
  cost: Float64Array;
  margin: Float64Array;
  pendingBuy: Float64Array;
  pendingSell: Float64Array;
  orderMargin: Float64Array;
  userImPpm: Float64Array;

  // totals (quote micros)
  feesCollectedMicros = 0;
  /** May go negative: uncovered bad debt, for ADL (later). */
  insuranceFundMicros = 0;
  depositsMicros = 0;
  withdrawalsMicros = 0;
  /** Statistics, outside the conservation law: fees that could not be collected (waived), bad debt absorbed. */
  feesWaivedMicros = 0;
  badDebtMicros = 0;

  constructor(markets: readonly MarketSpec[], options: LedgerOptions = {}) {
    const sorted = [...markets].sort((a, b) => a.marketId - b.marketId);
    for (const spec of sorted) {
      mustValidateMarketSpec(spec);
      if (this.#marketIndexById.has(spec.marketId)) throw new Error(`ledger: duplicate marketId ${spec.marketId}`);
      this.#marketIndexById.set(spec.marketId, this.#marketIndexById.size);
    }
    this.specs = sorted;
    this.marketCount = sorted.length;
    this.demo = options.demo ?? false;
    this.demoCreditMicros = options.demoCreditMicros ?? 100_000 * 1_000_000;
    this.maxAccounts = options.maxAccounts ?? 1_000_000;
    if (!Number.isSafeInteger(this.demoCreditMicros) || this.demoCreditMicros < 0 || this.demoCreditMicros > MAX_BALANCE_MICROS) {
      throw new Error('ledger: demoCreditMicros must be an integer in [0, 2^52]');
    }
    if (!Number.isSafeInteger(this.maxAccounts) || this.maxAccounts < 1 || this.maxAccounts > 2 ** 31 - 1) {
      throw new Error('ledger: maxAccounts must be an integer in [1, 2^31 − 1]');
    }
    const leverage = options.defaultLeverage ?? 20;
    if (!Number.isSafeInteger(leverage) || leverage < 1) throw new Error('ledger: defaultLeverage must be an integer ≥ 1');
    this.defaultUserImPpm = new Float64Array(this.marketCount);
    this.refPriceTicks = new Float64Array(this.marketCount);
    sorted.forEach((spec, m) => {
      const max = maxLeverageFor(spec.tiers);
      this.defaultUserImPpm[m] = userImPpmForLeverage(leverage < max ? leverage : max);
      this.refPriceTicks[m] = spec.initialMarkPriceTicks;
    });

    this.capacity = Math.max(1, Math.min(options.initialAccountCapacity ?? 64, this.maxAccounts));
    this.free = new Float64Array(this.capacity);
    this.stpDefault = new Uint8Array(this.capacity);
    this.inLiquidation = new Uint8Array(this.capacity);
    const slots = this.capacity * this.marketCount;
    this.lots = new Float64Array(slots);
    this.cost = new Float64Array(slots);
    this.margin = new Float64Array(slots);
    this.pendingBuy = new Float64Array(slots);
    this.pendingSell = new Float64Array(slots);
    this.orderMargin = new Float64Array(slots);
    this.userImPpm = new Float64Array(slots);
  }

  /** Dense market index of a marketId, or −1. */
  marketIndex(marketId: number): number {
    return this.#marketIndexById.get(marketId) ?? -1;
  }

  /** Slot of (account, market index) in the per-position columns. */
  slot(accountId: number, m: number): number {
    return accountId * this.marketCount + m;
  }

  hasAccount(accountId: number): boolean {
    return Number.isSafeInteger(accountId) && accountId >= 0 && accountId < this.accountCount;
  }

  /** Creates the next dense account id and returns it; −1 when maxAccounts is reached. */
  createAccount(): number {
    if (this.accountCount >= this.maxAccounts) return -1;
    const id = this.accountCount;
    if (id >= this.capacity) this.#grow(id + 1);
    this.accountCount = id + 1;
    this.free[id] = 0;
    this.stpDefault[id] = StpMode.EXPIRE_TAKER;
    this.inLiquidation[id] = 0;
    for (let m = 0; m < this.marketCount; m++) this.userImPpm[this.slot(id, m)] = this.defaultUserImPpm[m];
    if (this.demo && this.demoCreditMicros > 0) {
      this.free[id] = this.demoCreditMicros;
      this.depositsMicros += this.demoCreditMicros;
    }
    return id;
  }

  /**
   * True when the account exists; in demo mode, creates it (and any lower missing ids)
   * on first contact. Ids at or above maxAccounts are never created.
   */
  maybeCreateOnContact(accountId: number): boolean {
    if (this.hasAccount(accountId)) return true;
    if (!this.demo || !Number.isSafeInteger(accountId) || accountId < 0 || accountId >= this.maxAccounts) return false;
    while (this.accountCount <= accountId) this.createAccount();
    return true;
  }

  #grow(minCapacity: number): void {
    let cap = this.capacity;
    while (cap < minCapacity) cap *= 2;
    if (cap > this.maxAccounts) cap = this.maxAccounts;
    const M = this.marketCount;
    this.free = growF64(this.free, cap);
    this.stpDefault = growU8(this.stpDefault, cap);
    this.inLiquidation = growU8(this.inLiquidation, cap);
    this.lots = growF64(this.lots, cap * M);
    this.cost = growF64(this.cost, cap * M);
    this.margin = growF64(this.margin, cap * M);
    this.pendingBuy = growF64(this.pendingBuy, cap * M);
    this.pendingSell = growF64(this.pendingSell, cap * M);
    this.orderMargin = growF64(this.orderMargin, cap * M);
    this.userImPpm = growF64(this.userImPpm, cap * M);
    this.capacity = cap;
  }
}

function growF64(old: Float64Array, length: number): Float64Array {
  const a = new Float64Array(length);
  a.set(old);
  return a;
}

function growU8(old: Uint8Array, length: number): Uint8Array {
  const a = new Uint8Array(length);
  a.set(old);
  return a;
}
