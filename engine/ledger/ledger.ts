import type { Command } from '../command.js';
import type { MarketEventSink } from '../events.js';
import type { MarketSpec } from '../market-spec.js';
import { StateHasher } from '../state-hash.js';
import { buildAccountView, type AccountView } from './account-view.js';
import { LedgerState, type LedgerOptions } from './ledger-state.js';
import { encodeLedgerSnapshot, restoreLedgerSnapshot } from './ledger-snapshot.js';
import { tryPreTrade } from './pre-trade.js';
import { MarketSettlement } from './settlement.js';

export type { LedgerOptions } from './ledger-state.js';
export type { AccountView, PositionView } from './account-view.js';

/**
 * The ledger: where the money lives. Markets own books and position sizes; the
 * ledger owns free collateral, isolated position margin and cost basis, order-margin
 * holds, fees collected and the insurance fund (docs/margin.md).
 *
 *   R1  tryPreTrade(cmd)       before a command reaches a market (pre-trade.ts)
 *   R2  settlementSink(marketId)  the sink a market's events settle through (settlement.ts)
 *
 * Deterministic: state is a pure function of the commands and market events it was
 * given; no clock, no randomness, no iteration over unordered collections.
 *
 * Conservation law, exact in integer micros after every command:
 *
 *   Σ_accounts (free + Σ_markets (margin + orderMargin − cost)) + fees + insurance
 *     = deposits − withdrawals
 *
 * Since Σ position lots = 0 in every market, Σ cost equals Σ (notional at any common
 * mark) − Σ uPnL = −Σ uPnL, so the left side is the total equity of all accounts plus
 * the venue's pots, valued at any common mark.
 */
export class Ledger {
  readonly #st: LedgerState;
  readonly #sinks: MarketSettlement[];

  constructor(markets: readonly MarketSpec[], options: LedgerOptions = {}) {
    this.#st = new LedgerState(markets, options);
    this.#sinks = this.#st.specs.map((_, m) => new MarketSettlement(this.#st, m));
  }

  /** R1. Returns a Code; a rejection changes nothing. */
  tryPreTrade(cmd: Command): number {
    return tryPreTrade(this.#st, cmd);
  }

  /** R2: the sink a market's events must be delivered to. Throws for an unknown market. */
  settlementSink(marketId: number): MarketEventSink {
    const m = this.#st.marketIndex(marketId);
    if (m < 0) throw new Error(`ledger: unknown market ${marketId}`);
    return this.#sinks[m];
  }

  /** The whole ledger as bytes (ledger-snapshot.ts): deterministic, no clock. */
  snapshot(): Uint8Array {
    return encodeLedgerSnapshot(this.#st);
  }

  /** Loads a snapshot into this ledger, which must be fresh (no accounts yet). */
  restoreSnapshot(bytes: Uint8Array): void {
    restoreLedgerSnapshot(this.#st, bytes);
  }

  /** Specs in ascending marketId order. */
  get markets(): readonly MarketSpec[] {
    return this.#st.specs;
  }

  get accountCount(): number {
    return this.#st.accountCount;
  }

  /** The id the next CREATE_ACCOUNT will get. */
  nextAccountId(): number {
    return this.#st.accountCount;
  }

  /** Set by the liquidation engine (later): blocks withdrawals while on. */
  setInLiquidation(accountId: number, on: boolean): void {
    if (!this.#st.hasAccount(accountId)) throw new Error(`ledger: unknown account ${accountId}`);
    this.#st.inLiquidation[accountId] = on ? 1 : 0;
  }

  freeMicros(accountId: number): number {
    return this.#st.hasAccount(accountId) ? this.#st.free[accountId] : 0;
  }

  /** Position size the ledger mirrors from fills (must equal the market's). */
  positionLots(accountId: number, marketId: number): number {
    const m = this.#st.marketIndex(marketId);
    return m >= 0 && this.#st.hasAccount(accountId) ? this.#st.lots[this.#st.slot(accountId, m)] : 0;
  }

  refPriceTicks(marketId: number): number {
    const m = this.#st.marketIndex(marketId);
    return m >= 0 ? this.#st.refPriceTicks[m] : 0;
  }

  accountView(accountId: number): AccountView | undefined {
    return buildAccountView(this.#st, accountId);
  }

  totals(): { feesCollectedMicros: number; insuranceFundMicros: number; depositsMicros: number; withdrawalsMicros: number; feesWaivedMicros: number; badDebtMicros: number } {
    const st = this.#st;
    return {
      feesCollectedMicros: st.feesCollectedMicros,
      insuranceFundMicros: st.insuranceFundMicros,
      depositsMicros: st.depositsMicros,
      withdrawalsMicros: st.withdrawalsMicros,
      feesWaivedMicros: st.feesWaivedMicros,
      badDebtMicros: st.badDebtMicros,
    };
  }

  /**
   * Seeds the insurance fund from outside the accounts (the PRD's "direct protocol
   * funding"): counted as a deposit so the conservation law still holds.
   */
  seedInsuranceFund(amountMicros: number): void {
    if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0) throw new RangeError('seedInsuranceFund: a positive safe integer is required');
    this.#st.insuranceFundMicros += amountMicros;
    this.#st.depositsMicros += amountMicros;
  }

  /**
   * Left side minus right side of the conservation law, computed exactly (BigInt: sums
   * over many accounts may pass 2^53). 0 when money is conserved.
   */
  conservationResidualMicros(): bigint {
    const st = this.#st;
    let sum = 0n;
    for (let a = 0; a < st.accountCount; a++) {
      sum += BigInt(st.free[a]);
      for (let m = 0; m < st.marketCount; m++) {
        const p = st.slot(a, m);
        sum += BigInt(st.margin[p]) + BigInt(st.orderMargin[p]) - BigInt(st.cost[p]);
      }
    }
    sum += BigInt(st.feesCollectedMicros) + BigInt(st.insuranceFundMicros);
    return sum - (BigInt(st.depositsMicros) - BigInt(st.withdrawalsMicros));
  }

  /** Throws when the conservation law does not hold exactly. */
  mustConserve(): void {
    const r = this.conservationResidualMicros();
    if (r !== 0n) throw new Error(`ledger: conservation violated by ${r} micros`);
  }

  /**
   * Throws an Error naming the first broken invariant: every money column a safe
   * integer; free, margin, order margin, pending and fees ≥ 0; a flat slot has cost 0
   * and margin 0; a long has cost > 0 and a short cost < 0; Σ lots = 0 per market.
   * O(accounts × markets); for tests.
   */
  mustValidateInternalState(): void {
    const st = this.#st;
    const fail = (what: string): never => {
      throw new Error(`ledger invariant: ${what}`);
    };
    if (!Number.isSafeInteger(st.feesCollectedMicros) || st.feesCollectedMicros < 0) fail(`feesCollected ${st.feesCollectedMicros}`);
    if (!Number.isSafeInteger(st.insuranceFundMicros)) fail(`insurance ${st.insuranceFundMicros}`);
    const sumLots = new Array<number>(st.marketCount).fill(0);
    for (let a = 0; a < st.accountCount; a++) {
      const free = st.free[a];
      if (!Number.isSafeInteger(free) || free < 0) fail(`account ${a} free ${free}`);
      for (let m = 0; m < st.marketCount; m++) {
        const p = st.slot(a, m);
        const where = `account ${a} market ${st.specs[m].marketId}`;
        const lots = st.lots[p];
        const cost = st.cost[p];
        for (const [name, v] of [
          ['margin', st.margin[p]],
          ['orderMargin', st.orderMargin[p]],
          ['pendingBuy', st.pendingBuy[p]],
          ['pendingSell', st.pendingSell[p]],
        ] as const) {
          if (!Number.isSafeInteger(v) || v < 0) fail(`${where} ${name} ${v}`);
        }
        if (!Number.isSafeInteger(lots) || !Number.isSafeInteger(cost)) fail(`${where} lots ${lots} cost ${cost}`);
        if (lots === 0 && (cost !== 0 || st.margin[p] !== 0)) fail(`${where} flat with cost ${cost} margin ${st.margin[p]}`);
        if (lots > 0 && cost <= 0) fail(`${where} long with cost ${cost}`);
        if (lots < 0 && cost >= 0) fail(`${where} short with cost ${cost}`);
        if (st.pendingBuy[p] === 0 && st.pendingSell[p] === 0 && st.orderMargin[p] !== 0) fail(`${where} order margin ${st.orderMargin[p]} with nothing pending`);
        sumLots[m] += lots;
      }
    }
    sumLots.forEach((s, m) => {
      if (s !== 0) fail(`market ${st.specs[m].marketId} positions sum to ${s}`);
    });
  }

  /**
   * Canonical state hash. Walk, in order:
   *   1. per market, ascending marketId: marketId, refPriceTicks
   *   2. accountCount; per account ascending: id, free, stpDefault, inLiquidation, then
   *      per market ascending, only slots that differ from a fresh account's:
   *      marketId, lots, cost, margin, orderMargin, pendingBuy, pendingSell, userImPpm;
   *      then −1
   *   3. fees, insurance, deposits, withdrawals, feesWaived, badDebt
   */
  stateHash(): string {
    const st = this.#st;
    const h = new StateHasher();
    for (let m = 0; m < st.marketCount; m++) h.add(st.specs[m].marketId).add(st.refPriceTicks[m]);
    h.add(st.accountCount);
    for (let a = 0; a < st.accountCount; a++) {
      h.add(a).add(st.free[a]).add(st.stpDefault[a]).add(st.inLiquidation[a]);
      for (let m = 0; m < st.marketCount; m++) {
        const p = st.slot(a, m);
        const fresh =
          st.lots[p] === 0 &&
          st.cost[p] === 0 &&
          st.margin[p] === 0 &&
          st.orderMargin[p] === 0 &&
          st.pendingBuy[p] === 0 &&
          st.pendingSell[p] === 0 &&
          st.userImPpm[p] === st.defaultUserImPpm[m];
        if (fresh) continue;
        h.add(st.specs[m].marketId).add(st.lots[p]).add(st.cost[p]).add(st.margin[p]).add(st.orderMargin[p]);
        h.add(st.pendingBuy[p]).add(st.pendingSell[p]).add(st.userImPpm[p]);
      }
      h.add(-1);
    }
    h.add(st.feesCollectedMicros).add(st.insuranceFundMicros).add(st.depositsMicros).add(st.withdrawalsMicros);
    h.add(st.feesWaivedMicros).add(st.badDebtMicros);
    return h.digest();
  }
}
