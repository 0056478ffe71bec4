import { Side } from '../types.js';
import { orderMarginRequirementMicros } from '../risk/margin.js';
import type { LedgerState } from './ledger-state.js';

/**
 * Order margin: the collateral held, per (account, market), against the account's
 * pending (non-reduce-only) orders. The held amount always moves between the
 * account's free collateral and the slot's orderMargin column, never anywhere else,
 * so it cannot create or destroy money.
 */

/** What the slot's pending orders require now, at the market's reference price. */
export function requiredOrderMarginMicros(st: LedgerState, p: number, m: number): number {
  return orderMarginRequirementMicros(st.lots[p], st.pendingBuy[p], st.pendingSell[p], st.refPriceTicks[m], st.specs[m], st.userImPpm[p]);
}

function addPending(st: LedgerState, p: number, side: number, lots: number): void {
  if (side === Side.BUY) st.pendingBuy[p] += lots;
  else st.pendingSell[p] += lots;
}

/**
 * R1: counts `lots` more as pending on `side` and holds the margin that requires.
 * delta = required − held; when delta > free the pending count is restored and
 * false returned (nothing changed). Otherwise delta moves from free to the hold
 * (or back, when negative: the requirement may have fallen since the last touch).
 */
export function tryHoldPending(st: LedgerState, accountId: number, p: number, m: number, side: number, lots: number): boolean {
  addPending(st, p, side, lots);
  const delta = requiredOrderMarginMicros(st, p, m) - st.orderMargin[p];
  if (delta > st.free[accountId]) {
    addPending(st, p, side, -lots);
    return false;
  }
  st.free[accountId] -= delta;
  st.orderMargin[p] += delta;
  return true;
}

/**
 * R1 for leverage changes: the hold for the current pending counts under a new
 * userImPpm. Returns false (userImPpm restored, nothing changed) when free
 * collateral cannot cover an increase.
 */
export function trySetUserImPpm(st: LedgerState, accountId: number, p: number, m: number, userImPpm: number): boolean {
  const old = st.userImPpm[p];
  st.userImPpm[p] = userImPpm;
  const delta = requiredOrderMarginMicros(st, p, m) - st.orderMargin[p];
  if (delta > st.free[accountId]) {
    st.userImPpm[p] = old;
    return false;
  }
  st.free[accountId] -= delta;
  st.orderMargin[p] += delta;
  return true;
}

/**
 * R2: after pending counts or the position changed, bring the hold to the current
 * requirement. A fall releases the excess to free. A rise (the reference price moved
 * since the hold was taken) takes what free collateral has: settlement cannot refuse
 * an event that already happened in the market.
 */
export function reconcileOrderMargin(st: LedgerState, accountId: number, p: number, m: number): void {
  const held = st.orderMargin[p];
  const required = requiredOrderMarginMicros(st, p, m);
  if (required < held) {
    st.free[accountId] += held - required;
    st.orderMargin[p] = required;
  } else if (required > held) {
    const free = st.free[accountId];
    const take = required - held < free ? required - held : free;
    st.free[accountId] = free - take;
    st.orderMargin[p] = held + take;
  }
}
