import type { L2Level, OrderView } from '../market-engine.js';
import { StateHasher } from '../state-hash.js';
import { NONE, Side } from '../types.js';
import type { FastMarket } from './fast-market.js';
import type { MarketImage, MarketView } from './fast-market-snapshot.js';
import { META_HAS_CLOID, META_MARKET, META_REDUCE_ONLY, META_TRIGGER, metaFlags, metaStp, metaTif, metaTriggerKind } from './order-store.js';
import type { PriceLadder } from './price-ladder.js';

/**
 * Read-only walks over the fast book: state hash, invariant checks, views.
 * O(state), never on the matching path.
 */

export function fastL2(ladder: PriceLadder, depth: number): L2Level[] {
  const out: L2Level[] = [];
  for (let i = ladder.size - 1; i >= 0 && out.length < depth; i--) {
    const lvl = ladder.sortedLevel[i];
    out.push({ priceTicks: ladder.price[lvl], totalLots: ladder.total[lvl], orderCount: ladder.count[lvl] });
  }
  return out;
}

export function fastOrderView(m: FastMarket, slot: number): OrderView {
  const st = m.store;
  const meta = st.meta[slot];
  const isTrigger = (meta & META_TRIGGER) !== 0;
  const t = st.level[slot];
  const ladder = (meta & 1) === Side.BUY ? m.bids : m.asks;
  const cb = slot * 4;
  const partner = isTrigger ? m.trig.oco[t] : NONE;
  return {
    orderId: st.id[slot],
    accountId: m.accounts.globalId[st.acct[slot]],
    side: meta & 1,
    orderType: (meta & META_MARKET) !== 0 ? 1 : 0,
    tif: metaTif(meta),
    flags: metaFlags(meta),
    stpMode: metaStp(meta),
    priceTicks: isTrigger ? m.trig.limitPrice[t] : ladder.price[t],
    remainingLots: st.remaining[slot],
    filledLots: st.filled[slot],
    tsUs: st.tsUs[slot],
    cloid: [st.cloid[cb], st.cloid[cb + 1], st.cloid[cb + 2], st.cloid[cb + 3]],
    triggerKind: isTrigger ? metaTriggerKind(meta) : 0,
    triggerPriceTicks: isTrigger ? m.trig.triggerPrice[t] : 0,
    ocoOrderId: partner === NONE ? 0 : st.id[partner],
  };
}

export function fastOpenOrders(m: FastMarket, accountId: number): OrderView[] {
  const a = m.accounts.find(accountId);
  const out: OrderView[] = [];
  if (a === NONE) return out;
  for (let o = m.accounts.head[a]; o !== NONE; o = m.store.aNext[o]) out.push(fastOrderView(m, o));
  return out;
}

/** Live trigger slots in order-id order. */
function triggerSlotsById(m: MarketView): number[] {
  const slots: number[] = [];
  for (const set of [m.above, m.below]) for (let i = 0; i < set.size; i++) slots.push(set.slots[i]);
  return slots.sort((x, y) => m.store.id[x] - m.store.id[y]);
}

export function fastStateHash(m: FastMarket): string {
  return marketViewHash(m, (ladder, lvl) => (ladder as PriceLadder).total[lvl]);
}

/**
 * The same hash from a captured image (captureFastMarketImage: the arrays copied in
 * the market worker), without restoring it: images carry no level totals (restore
 * recomputes them), so each is summed from its orders, which is what a restored
 * ladder holds. Lets a state-hash cut hash in the background without building a
 * whole new state (snapshot-worker.ts); equal to fastStateHash by test.
 */
export function marketImageHash(image: MarketImage): string {
  const st = image.store;
  return marketViewHash(image, (ladder, lvl) => {
    let total = 0;
    for (let o = ladder.head[lvl]; o !== NONE; o = st.next[o]) total += st.remaining[o];
    return total;
  });
}

/** The state hash over the arrays a live market and its image share; `levelTotal` gives a level's lots. */
function marketViewHash(m: MarketView, levelTotal: (ladder: MarketView['bids'], lvl: number) => number): string {
  const h = new StateHasher();
  const st = m.store;
  h.add(m.mark).add(m.marketStatus);
  for (const ladder of [m.bids, m.asks]) {
    for (let i = ladder.size - 1; i >= 0; i--) {
      const lvl = ladder.sortedLevel[i];
      h.add(ladder.price[lvl]).add(ladder.count[lvl]).add(levelTotal(ladder, lvl));
      for (let o = ladder.head[lvl]; o !== NONE; o = st.next[o]) {
        const meta = st.meta[o];
        const cb = o * 4;
        h.add(st.id[o]).add(m.accounts.globalId[st.acct[o]]).add(st.remaining[o]).add(st.filled[o]);
        h.add(metaFlags(meta)).add(metaStp(meta)).add(metaTif(meta));
        h.add(st.cloid[cb]).add(st.cloid[cb + 1]).add(st.cloid[cb + 2]).add(st.cloid[cb + 3]).add(st.tsUs[o]);
      }
    }
    h.add(-1);
  }
  for (const o of triggerSlotsById(m)) {
    const meta = st.meta[o];
    const t = st.level[o];
    const cb = o * 4;
    const partner = m.trig.oco[t];
    h.add(st.id[o]).add(m.accounts.globalId[st.acct[o]]).add(meta & 1).add((meta & META_MARKET) !== 0 ? 1 : 0);
    h.add(metaTif(meta)).add(metaFlags(meta)).add(metaStp(meta)).add(metaTriggerKind(meta));
    h.add(m.trig.triggerPrice[t]).add(m.trig.limitPrice[t]).add(st.remaining[o]).add(st.filled[o]);
    h.add(partner === NONE ? 0 : st.id[partner]);
    h.add(st.cloid[cb]).add(st.cloid[cb + 1]).add(st.cloid[cb + 2]).add(st.cloid[cb + 3]).add(st.tsUs[o]);
  }
  h.add(-1);
  const accts = m.accounts;
  const locals: number[] = [];
  for (let a = 0; a < accts.size; a++) if (accts.posLots[a] !== 0) locals.push(a);
  locals.sort((x, y) => accts.globalId[x] - accts.globalId[y]);
  for (const a of locals) h.add(accts.globalId[a]).add(accts.posLots[a]);
  h.add(-1);
  return h.digest();
}

function fail(msg: string): never {
  throw new Error(`fast book invariant broken: ${msg}`);
}

export function fastValidate(m: FastMarket): void {
  const st = m.store;
  const accts = m.accounts;
  const seen = new Set<number>();
  const bb = m.bids.bestPrice();
  const ba = m.asks.bestPrice();
  if (m.bids.size > 0 && m.asks.size > 0 && bb >= ba) fail(`crossed book: bid ${bb} >= ask ${ba}`);
  for (const ladder of [m.bids, m.asks]) {
    const side = ladder.isBid ? Side.BUY : Side.SELL;
    for (let i = 0; i < ladder.size; i++) {
      const lvl = ladder.sortedLevel[i];
      const key = ladder.isBid ? ladder.price[lvl] : -ladder.price[lvl];
      if (ladder.sortedKey[i] !== key) fail(`level ${lvl} sort key ${ladder.sortedKey[i]} != ${key}`);
      if (i > 0 && ladder.sortedKey[i - 1] >= key) fail(`levels not strictly ordered at index ${i}`);
      let total = 0;
      let count = 0;
      let prev = NONE;
      for (let o = ladder.head[lvl]; o !== NONE; o = st.next[o]) {
        if (!st.isLive(o)) fail(`dead slot ${o} in level ${ladder.price[lvl]}`);
        if (st.prev[o] !== prev) fail(`broken prev link at order ${st.id[o]}`);
        if (st.level[o] !== lvl) fail(`order ${st.id[o]} points at level ${st.level[o]}, is in ${lvl}`);
        if ((st.meta[o] & 1) !== side) fail(`order ${st.id[o]} on the wrong side`);
        if ((st.meta[o] & META_TRIGGER) !== 0) fail(`trigger ${st.id[o]} on the book`);
        if (st.remaining[o] <= 0) fail(`order ${st.id[o]} rests with remaining ${st.remaining[o]}`);
        if ((st.meta[o] & META_REDUCE_ONLY) !== 0) {
          const pos = accts.posLots[st.acct[o]];
          const r = side === Side.BUY ? Math.max(0, -pos) : Math.max(0, pos);
          if (st.remaining[o] > r) fail(`reduce-only order ${st.id[o]} rests ${st.remaining[o]} > reducible ${r}`);
        }
        if (m.ids.get(st.id[o]) !== o) fail(`order ${st.id[o]} not found by id`);
        total += st.remaining[o];
        count++;
        seen.add(o);
        prev = o;
      }
      if (ladder.tail[lvl] !== prev) fail(`level ${ladder.price[lvl]} tail mismatch`);
      if (count === 0) fail(`empty level ${ladder.price[lvl]} kept`);
      if (total !== ladder.total[lvl] || count !== ladder.count[lvl]) {
        fail(`level ${ladder.price[lvl]} says ${ladder.total[lvl]} lots/${ladder.count[lvl]} orders, has ${total}/${count}`);
      }
    }
  }
  for (const set of [m.above, m.below]) {
    for (let i = 0; i < set.size; i++) {
      const o = set.slots[i];
      if (!st.isLive(o) || (st.meta[o] & META_TRIGGER) === 0) fail(`trigger set holds a non-trigger slot ${o}`);
      const t = st.level[o];
      const pk = set.firesAbove ? -m.trig.triggerPrice[t] : m.trig.triggerPrice[t];
      if (set.pk[i] !== pk || set.ids[i] !== st.id[o]) fail(`trigger ${st.id[o]} key mismatch`);
      if (i > 0 && (set.pk[i - 1] > pk || (set.pk[i - 1] === pk && set.ids[i - 1] <= st.id[o]))) fail(`trigger set out of order at ${i}`);
      const partner = m.trig.oco[t];
      if (partner !== NONE && m.trig.oco[st.level[partner]] !== o) fail(`OCO link of ${st.id[o]} is one-way`);
      if (m.ids.get(st.id[o]) !== o) fail(`trigger ${st.id[o]} not found by id`);
      seen.add(o);
    }
  }
  if (seen.size !== m.ids.size) fail(`id index has ${m.ids.size} entries, book+triggers have ${seen.size}`);
  if (seen.size !== st.used) fail(`store has ${st.used} slots in use, ${seen.size} live orders`);
  let cloidCount = 0;
  let listed = 0;
  for (let a = 0; a < accts.size; a++) {
    let n = 0;
    let ro = 0;
    let prev = NONE;
    let prevId = -1;
    for (let o = accts.head[a]; o !== NONE; o = st.aNext[o]) {
      if (!seen.has(o)) fail(`account list of ${accts.globalId[a]} holds a dead or unknown slot`);
      if (st.aPrev[o] !== prev) fail(`account list prev link broken at ${st.id[o]}`);
      if (st.acct[o] !== a) fail(`order ${st.id[o]} in the wrong account list`);
      if (st.id[o] <= prevId) fail(`account list of ${accts.globalId[a]} not in order-id order`);
      if ((st.meta[o] & META_REDUCE_ONLY) !== 0) ro++;
      if ((st.meta[o] & META_HAS_CLOID) !== 0) {
        const cb = o * 4;
        if (m.cloids.get(a, st.cloid[cb], st.cloid[cb + 1], st.cloid[cb + 2], st.cloid[cb + 3]) !== o) fail(`cloid of ${st.id[o]} not indexed`);
        cloidCount++;
      }
      prevId = st.id[o];
      prev = o;
      n++;
    }
    if (accts.tail[a] !== prev) fail(`account ${accts.globalId[a]} list tail mismatch`);
    if (n !== accts.openCount[a]) fail(`account ${accts.globalId[a]} openCount ${accts.openCount[a]} but ${n} listed`);
    if (ro !== accts.roCount[a]) fail(`account ${accts.globalId[a]} roCount ${accts.roCount[a]} but ${ro} listed`);
    listed += n;
  }
  if (listed !== seen.size) fail(`account lists hold ${listed} orders, ${seen.size} live`);
  if (cloidCount !== m.cloids.size) fail(`cloid index has ${m.cloids.size} entries, ${cloidCount} orders carry a cloid`);
  let posSum = 0;
  for (let a = 0; a < accts.size; a++) posSum += accts.posLots[a];
  if (posSum !== 0) fail(`positions sum to ${posSum}, not 0`);
}
