import type { MarketSpec } from '../market-spec.js';
import { OrderFlag, Side } from '../types.js';
import { feeMicros, initialMarginMicros } from '../risk/margin.js';
import { mustMulDivFloor, mustMulDivTrunc } from '../risk/mul-div.js';
import { notionalMicros } from '../risk/notional.js';
import type { LedgerState } from './ledger-state.js';
import { reconcileOrderMargin } from './order-margin.js';

/**
 * R2 for one side of one fill: what a fill of q lots at price P does to the money of
 * one account in one market. Cash flows, in this order:
 *
 *   1. pending   non-reduce-only orders: pending[side] −= q
 *   2. position  closing part first (c = min(q, |s|) lots against the position), then
 *                the opening part (q − c lots, the whole fill when flat or adding):
 *                  closing:  kr = (c = |s|) ? K : trunc(K·c/|s|)       cost removed
 *                            mr = (c = |s|) ? m : floor(m·c/|s|)       margin released
 *                            realized = sign(s)·c·P·k − kr
 *                            posFlow = mr + realized → free when ≥ 0; a negative
 *                            posFlow (a loss beyond the released margin) is paid from
 *                            the position's remaining margin, and what that cannot
 *                            cover is bad debt taken by the insurance fund. Isolated
 *                            margin: a loss never touches free collateral.
 *                  opening:  K += dir·(q − c)·P·k
 *   3. order margin  reconcile the hold to the new pending counts and position
 *                (usually a release to free)
 *   4. fee       fee = feeMicros(q·P·k, maker or taker ppm). A charge comes from free,
 *                then from the position's margin; any rest is waived (feesWaivedMicros,
 *                practically unreachable: R1 holds a fee bound with the order margin).
 *                A rebate is paid to free from the fees collected, the insurance fund
 *                covering any shortfall.
 *   5. top-up    only when the fill opened lots: margin is raised toward
 *                IM(|K|) = ceil(|K| × imPpmFor(|K|) / 1e6), taking at most what free
 *                has. A position left under its IM stays open; if it is under its MM
 *                it is for the liquidation engine (later) to close.
 *
 * No balance goes negative except the insurance fund. Every step moves money
 * between two columns of the same conservation sum (module ledger.ts), except the
 * position step, whose net effect on free + margin − cost is −dir·q·P·k: exactly
 * the counterparty's opposite, so a fill conserves money in total.
 */
export function settleFillSide(
  st: LedgerState,
  m: number,
  accountId: number,
  side: number,
  sizeLots: number,
  priceTicks: number,
  feePpm: number,
  orderFlags: number,
): void {
  const spec = st.specs[m];
  const p = st.slot(accountId, m);
  if ((orderFlags & OrderFlag.REDUCE_ONLY) === 0) {
    if (side === Side.BUY) st.pendingBuy[p] -= sizeLots;
    else st.pendingSell[p] -= sizeLots;
  }
  const openedLots = applyFillToPosition(st, p, accountId, side === Side.BUY ? 1 : -1, sizeLots, priceTicks, spec);
  reconcileOrderMargin(st, accountId, p, m);
  chargeFee(st, p, accountId, feeMicros(notionalMicros(sizeLots, priceTicks, spec), feePpm));
  if (openedLots > 0) topUpMargin(st, p, accountId, spec);
}

/** Step 2. Returns the number of lots the fill opened (0 for a pure reduction). */
function applyFillToPosition(st: LedgerState, p: number, accountId: number, dir: number, q: number, priceTicks: number, spec: MarketSpec): number {
  let s = st.lots[p];
  let openLots = q;
  if (s !== 0 && (s > 0 ? 1 : -1) !== dir) {
    const abs = Math.abs(s);
    const c = q < abs ? q : abs;
    const k = st.cost[p];
    const mg = st.margin[p];
    const kr = c === abs ? k : mustMulDivTrunc(k, c, abs);
    const mr = c === abs ? mg : mustMulDivFloor(mg, c, abs);
    const realized = (s > 0 ? 1 : -1) * notionalMicros(c, priceTicks, spec) - kr;
    s += dir * c;
    st.cost[p] = k - kr;
    let remainingMargin = mg - mr;
    const posFlow = mr + realized;
    if (posFlow >= 0) {
      st.free[accountId] += posFlow;
    } else {
      const deficit = -posFlow;
      const fromMargin = deficit < remainingMargin ? deficit : remainingMargin;
      remainingMargin -= fromMargin;
      const badDebt = deficit - fromMargin;
      if (badDebt > 0) {
        st.insuranceFundMicros -= badDebt;
        st.badDebtMicros += badDebt;
      }
    }
    st.margin[p] = remainingMargin;
    openLots = q - c;
  }
  if (openLots > 0) {
    s += dir * openLots;
    st.cost[p] += dir * notionalMicros(openLots, priceTicks, spec);
  }
  st.lots[p] = s;
  if (s === 0) st.cost[p] = 0; // normalise −0
  return openLots;
}

/** Step 4. `fee` > 0 is charged, < 0 is a rebate. */
function chargeFee(st: LedgerState, p: number, accountId: number, fee: number): void {
  if (fee > 0) {
    const free = st.free[accountId];
    const fromFree = fee < free ? fee : free;
    st.free[accountId] = free - fromFree;
    let rest = fee - fromFree;
    if (rest > 0) {
      const mg = st.margin[p];
      const fromMargin = rest < mg ? rest : mg;
      st.margin[p] = mg - fromMargin;
      rest -= fromMargin;
    }
    st.feesCollectedMicros += fee - rest;
    st.feesWaivedMicros += rest;
  } else if (fee < 0) {
    const rebate = -fee;
    const pot = st.feesCollectedMicros > 0 ? st.feesCollectedMicros : 0;
    const fromFees = rebate < pot ? rebate : pot;
    st.feesCollectedMicros -= fromFees;
    st.insuranceFundMicros -= rebate - fromFees;
    st.free[accountId] += rebate;
  }
}

/** Step 5: raise the isolated margin toward IM(|K|), limited by free collateral. */
function topUpMargin(st: LedgerState, p: number, accountId: number, spec: MarketSpec): void {
  const target = initialMarginMicros(st.cost[p], st.userImPpm[p], spec.tiers);
  const mg = st.margin[p];
  if (mg >= target) return;
  const free = st.free[accountId];
  const add = target - mg < free ? target - mg : free;
  st.free[accountId] = free - add;
  st.margin[p] = mg + add;
}
