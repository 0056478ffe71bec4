import { Code } from '../codes.js';
import type { Command } from '../command.js';
import { Op } from '../command.js';
import { OrderFlag, Side, StpMode } from '../types.js';
import { maxLeverageFor, userImPpmForLeverage } from '../risk/tiers.js';
import { MAX_BALANCE_MICROS, type LedgerState } from './ledger-state.js';
import { tryHoldPending, trySetUserImPpm } from './order-margin.js';

/**
 * R1: the ledger's pre-trade stage. Runs in the sequencer before a command reaches a
 * market. Ledger ops (CREATE_ACCOUNT, DEPOSIT, WITHDRAW, SET_LEVERAGE,
 * SET_STP_DEFAULT) complete here. Order ops get their margin held and their
 * `preheldLots` set, so R2 can undo exactly what was held if the market refuses.
 *
 * A rejection changes nothing (demo-mode account creation on first contact aside).
 * The command record is written to on success only: `accountId` (CREATE_ACCOUNT),
 * `stpMode` (DEFAULT resolved) and `preheldLots` (PLACE, MODIFY).
 */
export function tryPreTrade(st: LedgerState, cmd: Command): number {
  const code = preTrade(st, cmd);
  // preheldLots is R1's output: only PLACE and MODIFY hold anything, so every other
  // command reaches its market with 0 and settlement of its reject releases nothing.
  if (code === Code.OK && cmd.op !== Op.PLACE && cmd.op !== Op.MODIFY) cmd.preheldLots = 0;
  return code;
}

function preTrade(st: LedgerState, cmd: Command): number {
  switch (cmd.op) {
    case Op.CREATE_ACCOUNT:
      return tryCreateAccount(st, cmd);
    case Op.DEPOSIT:
      return tryDeposit(st, cmd);
    case Op.WITHDRAW:
      return tryWithdraw(st, cmd);
    case Op.SET_LEVERAGE:
      return trySetLeverage(st, cmd);
    case Op.SET_STP_DEFAULT:
      return trySetStpDefault(st, cmd);
    case Op.PLACE:
      return tryPlace(st, cmd);
    case Op.MODIFY:
      return tryModify(st, cmd);
    case Op.CANCEL:
    case Op.CANCEL_BY_CLOID:
      return tryAccountAndMarket(st, cmd);
    case Op.CANCEL_ALL:
      if (cmd.value === 1) return st.maybeCreateOnContact(cmd.accountId) ? Code.OK : Code.UNKNOWN_ACCOUNT;
      return tryAccountAndMarket(st, cmd);
    case Op.SET_MARK_PRICE:
      return trySetMarkPrice(st, cmd);
    case Op.SET_MARKET_STATUS:
      return st.marketIndex(cmd.marketId) < 0 ? Code.UNKNOWN_MARKET : Code.OK;
    default:
      return Code.UNKNOWN_OP;
  }
}

/** The ledger assigns the next dense id and writes it into cmd.accountId. */
function tryCreateAccount(st: LedgerState, cmd: Command): number {
  const id = st.createAccount();
  if (id < 0) return Code.TOO_MANY_ACCOUNTS;
  cmd.accountId = id;
  return Code.OK;
}

function isPositiveAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount > 0;
}

function tryDeposit(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const amount = cmd.amount;
  if (!isPositiveAmount(amount)) return Code.INVALID_AMOUNT;
  const a = cmd.accountId;
  if (st.free[a] + amount > MAX_BALANCE_MICROS || !Number.isSafeInteger(st.depositsMicros + amount)) return Code.AMOUNT_OVERFLOW;
  st.free[a] += amount;
  st.depositsMicros += amount;
  return Code.OK;
}

/** Withdrawable = free collateral: position and order margin are never withdrawable. */
function tryWithdraw(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const amount = cmd.amount;
  if (!isPositiveAmount(amount)) return Code.INVALID_AMOUNT;
  const a = cmd.accountId;
  if (st.inLiquidation[a] !== 0) return Code.ACCOUNT_IN_LIQUIDATION;
  if (amount > st.free[a]) return Code.INSUFFICIENT_COLLATERAL;
  if (!Number.isSafeInteger(st.withdrawalsMicros + amount)) return Code.AMOUNT_OVERFLOW;
  st.free[a] -= amount;
  st.withdrawalsMicros += amount;
  return Code.OK;
}

/**
 * Leverage per (account, market), in [1, first tier's max]. The order-margin hold is
 * re-evaluated at the new rate; an increase free collateral cannot cover is refused.
 * The position's isolated margin is not touched: the next opening fill tops it up to
 * the new rate (and a lower rate releases nothing until the position is reduced).
 */
function trySetLeverage(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const m = st.marketIndex(cmd.marketId);
  if (m < 0) return Code.UNKNOWN_MARKET;
  const leverage = cmd.amount;
  if (!Number.isSafeInteger(leverage) || leverage < 1 || leverage > maxLeverageFor(st.specs[m].tiers)) return Code.INVALID_LEVERAGE;
  const a = cmd.accountId;
  return trySetUserImPpm(st, a, st.slot(a, m), m, userImPpmForLeverage(leverage)) ? Code.OK : Code.INSUFFICIENT_MARGIN;
}

/** The account's default STP mode: EXPIRE_TAKER, EXPIRE_MAKER or EXPIRE_BOTH (DEFAULT is not a mode). */
function trySetStpDefault(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const mode = cmd.stpMode;
  if (mode !== StpMode.EXPIRE_TAKER && mode !== StpMode.EXPIRE_MAKER && mode !== StpMode.EXPIRE_BOTH) return Code.INVALID_ORDER_FLAGS;
  st.stpDefault[cmd.accountId] = mode;
  return Code.OK;
}

function tryAccountAndMarket(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  return st.marketIndex(cmd.marketId) < 0 ? Code.UNKNOWN_MARKET : Code.OK;
}

/** Records the reference price when it is one the market will accept (it rejects the rest itself). */
function trySetMarkPrice(st: LedgerState, cmd: Command): number {
  const m = st.marketIndex(cmd.marketId);
  if (m < 0) return Code.UNKNOWN_MARKET;
  const price = cmd.value;
  if (Number.isSafeInteger(price) && price >= 1 && price <= st.specs[m].maxPriceTicks) st.refPriceTicks[m] = price;
  return Code.OK;
}

/**
 * Whether side/size have a shape the ledger can count. A malformed order holds
 * nothing (preheldLots 0) and goes on to the market, which rejects it with the
 * precise code in its own validation order (docs/matching.md).
 */
function isCountable(side: number, sizeLots: number, maxOrderLots: number): boolean {
  return (side === Side.BUY || side === Side.SELL) && Number.isSafeInteger(sizeLots) && sizeLots >= 1 && sizeLots <= maxOrderLots;
}

/** Worst-case position if every pending order (plus `extra` on `side`) filled stays within the limit. */
function withinPositionLimit(st: LedgerState, p: number, m: number, side: number, extraLots: number): boolean {
  const max = st.specs[m].maxPositionLots;
  const longest = st.lots[p] + st.pendingBuy[p] + (side === Side.BUY ? extraLots : 0);
  const shortest = st.lots[p] - st.pendingSell[p] - (side === Side.SELL ? extraLots : 0);
  return Math.abs(longest) <= max && Math.abs(shortest) <= max;
}

function tryPlace(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const m = st.marketIndex(cmd.marketId);
  if (m < 0) return Code.UNKNOWN_MARKET;
  const a = cmd.accountId;
  let held = 0;
  if ((cmd.flags & OrderFlag.REDUCE_ONLY) === 0 && isCountable(cmd.side, cmd.sizeLots, st.specs[m].maxOrderLots)) {
    const p = st.slot(a, m);
    if (!withinPositionLimit(st, p, m, cmd.side, cmd.sizeLots)) return Code.POSITION_LIMIT_EXCEEDED;
    if (!tryHoldPending(st, a, p, m, cmd.side, cmd.sizeLots)) return Code.INSUFFICIENT_MARGIN;
    held = cmd.sizeLots;
  }
  if (cmd.stpMode === StpMode.DEFAULT) cmd.stpMode = st.stpDefault[a];
  cmd.preheldLots = held;
  return Code.OK;
}

/**
 * MODIFY never fails for margin here: the ledger does not know the order's current
 * remaining size, so it tries to hold for the whole new size on top of what is pending
 * (conservative: the old remaining is still counted). If that fits, preheldLots = the
 * new size; otherwise preheldLots = 0 and the market itself refuses a size increase
 * with INSUFFICIENT_MARGIN while still applying price changes and decreases. The
 * position limit is part of "fits" the same way.
 */
function tryModify(st: LedgerState, cmd: Command): number {
  if (!st.maybeCreateOnContact(cmd.accountId)) return Code.UNKNOWN_ACCOUNT;
  const m = st.marketIndex(cmd.marketId);
  if (m < 0) return Code.UNKNOWN_MARKET;
  const a = cmd.accountId;
  let held = 0;
  if (cmd.sizeLots !== 0 && isCountable(cmd.side, cmd.sizeLots, st.specs[m].maxOrderLots)) {
    const p = st.slot(a, m);
    if (withinPositionLimit(st, p, m, cmd.side, cmd.sizeLots) && tryHoldPending(st, a, p, m, cmd.side, cmd.sizeLots)) held = cmd.sizeLots;
  }
  cmd.preheldLots = held;
  return Code.OK;
}
