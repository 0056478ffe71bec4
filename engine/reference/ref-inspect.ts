/**
 * State hash walk and internal-state validation of the reference market
 * (docs/matching.md, "State hash").
 */
import { StateHasher } from '../state-hash.js';
import { MarketStatus, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../types.js';
import { levelTotal, type RefSideBook } from './ref-book.js';
import { crosses, hasCloid, isReduceOnly, type RefOrder } from './ref-order.js';
import type { ReferenceMarket } from './reference-market.js';

export function computeStateHash(m: ReferenceMarket): string {
  const h = new StateHasher();
  // 1.
  h.add(m.mark).add(m.marketStatus);
  // 2.
  for (const book of [m.bids, m.asks]) {
    for (const level of book.levels) {
      h.add(level.price).add(level.orders.length).add(levelTotal(level));
      for (const o of level.orders) {
        h.add(o.id).add(o.account).add(o.remaining).add(o.filled).add(o.flags).add(o.stpMode).add(o.tif);
        h.add(o.cloid[0]).add(o.cloid[1]).add(o.cloid[2]).add(o.cloid[3]).add(o.tsUs);
      }
    }
    h.add(-1);
  }
  // 3.
  for (const t of m.triggers) {
    h.add(t.id).add(t.account).add(t.side).add(t.orderType).add(t.tif).add(t.flags).add(t.stpMode);
    h.add(t.triggerKind).add(t.triggerPrice).add(t.price).add(t.remaining).add(t.filled).add(t.oco);
    h.add(t.cloid[0]).add(t.cloid[1]).add(t.cloid[2]).add(t.cloid[3]).add(t.tsUs);
  }
  h.add(-1);
  // 4.
  const accounts = [...m.positions.keys()].sort((a, b) => a - b);
  for (const a of accounts) {
    const lots = m.positions.get(a)!;
    if (lots !== 0) h.add(a).add(lots);
  }
  h.add(-1);
  return h.digest();
}

function fail(what: string): never {
  throw new Error(`reference market invariant broken: ${what}`);
}

function mustBeSaneOrder(o: RefOrder, where: string): void {
  if (!Number.isSafeInteger(o.remaining) || o.remaining <= 0) fail(`${where} order ${o.id} has remaining ${o.remaining}`);
  if (!Number.isSafeInteger(o.filled) || o.filled < 0) fail(`${where} order ${o.id} has filled ${o.filled}`);
  if (o.side !== Side.BUY && o.side !== Side.SELL) fail(`${where} order ${o.id} has side ${o.side}`);
  if (o.stpMode < StpMode.EXPIRE_TAKER || o.stpMode > StpMode.EXPIRE_BOTH) fail(`${where} order ${o.id} has stpMode ${o.stpMode}`);
}

function mustBeOrderedSide(m: ReferenceMarket, book: RefSideBook, seen: Set<number>): void {
  const name = book.side === Side.BUY ? 'bids' : 'asks';
  for (let i = 0; i < book.levels.length; i++) {
    const level = book.levels[i];
    if (level.orders.length === 0) fail(`${name} level ${level.price} is empty but present`);
    if (i > 0 && !book.isBetter(book.levels[i - 1].price, level.price)) fail(`${name} levels not strictly ordered at ${level.price}`);
    for (const o of level.orders) {
      mustBeSaneOrder(o, name);
      if (o.side !== book.side || o.price !== level.price) fail(`order ${o.id} (side ${o.side} @${o.price}) sits in ${name} level ${level.price}`);
      if (o.triggerKind !== TriggerKind.NONE || o.oco !== 0) fail(`resting order ${o.id} still looks like a trigger`);
      if (o.orderType !== OrderType.LIMIT || o.tif !== TimeInForce.GTC) fail(`resting order ${o.id} is not a GTC limit`);
      if (m.byId.get(o.id) !== o) fail(`resting order ${o.id} not reachable by id`);
      if (seen.has(o.id)) fail(`order ${o.id} appears twice`);
      seen.add(o.id);
      if (isReduceOnly(o) && o.remaining > m.reducible(o.account, o.side)) {
        fail(`reduce-only order ${o.id} rests with ${o.remaining} > reducible ${m.reducible(o.account, o.side)}`);
      }
    }
  }
}

/** docs/matching.md, `validateInternalState()`. */
export function mustBeConsistent(m: ReferenceMarket): void {
  const s = m.spec;
  if (!Number.isSafeInteger(m.mark) || m.mark < 1 || m.mark > s.maxPriceTicks) fail(`mark ${m.mark}`);
  if (m.marketStatus !== MarketStatus.ACTIVE && m.marketStatus !== MarketStatus.HALTED) fail(`status ${m.marketStatus}`);

  const seen = new Set<number>();
  mustBeOrderedSide(m, m.bids, seen);
  mustBeOrderedSide(m, m.asks, seen);
  const bb = m.bids.best();
  const ba = m.asks.best();
  if (bb && ba && crosses(Side.BUY, bb.price, ba.price)) fail(`book crossed: bid ${bb.price} >= ask ${ba.price}`);

  for (let i = 0; i < m.triggers.length; i++) {
    const t = m.triggers[i];
    mustBeSaneOrder(t, 'trigger');
    if (i > 0 && m.triggers[i - 1].id >= t.id) fail(`triggers not in order id order at ${t.id}`);
    if (t.triggerKind !== TriggerKind.STOP && t.triggerKind !== TriggerKind.TAKE_PROFIT) fail(`trigger ${t.id} has kind ${t.triggerKind}`);
    if (t.orderType === OrderType.MARKET ? t.price !== 0 : t.price < 1) fail(`trigger ${t.id} has price ${t.price}`);
    if (t.filled !== 0) fail(`parked trigger ${t.id} has filled ${t.filled}`);
    if (m.byId.get(t.id) !== t) fail(`trigger ${t.id} not reachable by id`);
    if (seen.has(t.id)) fail(`order ${t.id} appears twice`);
    seen.add(t.id);
    if (t.oco !== 0) {
      const p = m.byId.get(t.oco);
      if (!p || p.triggerKind === TriggerKind.NONE) fail(`trigger ${t.id} has OCO partner ${t.oco} that is not a parked trigger`);
      if (p.oco !== t.id || p.account !== t.account || p.side !== t.side) fail(`OCO pair ${t.id}/${p.id} is not mutual, same account and side`);
    }
  }
  if (seen.size !== m.byId.size) fail(`${m.byId.size} orders by id but ${seen.size} reachable in the book and trigger set`);

  // cloids unique per account, open-order counts bounded
  const cloids = new Set<string>();
  const openCounts = new Map<number, number>();
  for (const o of m.byId.values()) {
    if (hasCloid(o.cloid)) {
      const key = `${o.account}:${o.cloid.join(':')}`;
      if (cloids.has(key)) fail(`two live orders of account ${o.account} share cloid ${o.cloid.join(':')}`);
      cloids.add(key);
    }
    openCounts.set(o.account, (openCounts.get(o.account) ?? 0) + 1);
  }
  for (const [account, n] of openCounts) {
    if (n > s.maxOpenOrdersPerAccount) fail(`account ${account} has ${n} open orders > ${s.maxOpenOrdersPerAccount}`);
  }

  // positions: only non-zero entries, and every fill moved +q/-q so they sum to zero
  let sum = 0;
  for (const [account, lots] of m.positions) {
    if (!Number.isSafeInteger(lots) || lots === 0) fail(`position of account ${account} is ${lots}`);
    sum += lots;
  }
  if (sum !== 0) fail(`positions sum to ${sum}, not 0`);
}
