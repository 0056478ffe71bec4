import { entryPriceTicks, marginRatioPpm, unrealizedPnlMicros } from '../risk/pnl.js';
import { liquidationPriceTicks } from '../risk/liquidation-price.js';
import type { LedgerState } from './ledger-state.js';

/** One (account, market) position as seen from outside: queries, tests, the admin page. */
export interface PositionView {
  marketId: number;
  lots: number;
  /** Display only (rounded down); money uses costMicros. 0 when flat. */
  entryPriceTicks: number;
  costMicros: number;
  marginMicros: number;
  orderMarginMicros: number;
  pendingBuyLots: number;
  pendingSellLots: number;
  userImPpm: number;
  /** The ledger's reference (mark) price for the market. */
  markPriceTicks: number;
  unrealizedPnlMicros: number;
  /** Number.MAX_SAFE_INTEGER when flat. */
  marginRatioPpm: number;
  /** 0 when flat or when no reachable price liquidates the position. */
  liquidationPriceTicks: number;
}

export interface AccountView {
  accountId: number;
  freeMicros: number;
  /** Equal to free collateral: position and order margin are never withdrawable. */
  withdrawableMicros: number;
  stpDefault: number;
  inLiquidation: boolean;
  /** Markets where the account has a position, pending orders or a held margin, in marketId order. */
  positions: PositionView[];
}

/** Builds the view (allocates; not for hot paths). Undefined for an unknown account. */
export function buildAccountView(st: LedgerState, accountId: number): AccountView | undefined {
  if (!st.hasAccount(accountId)) return undefined;
  const positions: PositionView[] = [];
  for (let m = 0; m < st.marketCount; m++) {
    const p = st.slot(accountId, m);
    const lots = st.lots[p];
    if (lots === 0 && st.margin[p] === 0 && st.orderMargin[p] === 0 && st.pendingBuy[p] === 0 && st.pendingSell[p] === 0) continue;
    const spec = st.specs[m];
    const mark = st.refPriceTicks[m];
    positions.push({
      marketId: spec.marketId,
      lots,
      entryPriceTicks: entryPriceTicks(lots, st.cost[p], spec),
      costMicros: st.cost[p],
      marginMicros: st.margin[p],
      orderMarginMicros: st.orderMargin[p],
      pendingBuyLots: st.pendingBuy[p],
      pendingSellLots: st.pendingSell[p],
      userImPpm: st.userImPpm[p],
      markPriceTicks: mark,
      unrealizedPnlMicros: unrealizedPnlMicros(lots, st.cost[p], mark, spec),
      marginRatioPpm: marginRatioPpm(lots, st.cost[p], st.margin[p], mark, spec),
      liquidationPriceTicks: liquidationPriceTicks(lots, st.cost[p], st.margin[p], spec),
    });
  }
  return {
    accountId,
    freeMicros: st.free[accountId],
    withdrawableMicros: st.free[accountId],
    stpDefault: st.stpDefault[accountId],
    inLiquidation: st.inLiquidation[accountId] !== 0,
    positions,
  };
}
