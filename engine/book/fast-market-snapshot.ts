import { MarketStatus, NONE } from '../types.js';
import { SnapshotFormatError } from '../util/bytes.js';
import type { FastMarket } from './fast-market.js';
import { META_HAS_CLOID, META_REDUCE_ONLY, META_TRIGGER } from './order-store.js';

/**
 * Snapshot of one fast market, and its restore. A market worker pauses matching
 * while it takes one, so the layout is COLUMNAR: the writer walks the book once and
 * fills typed-array columns (no per-field calls), the restore reads them back the
 * same way. Measured in bench/journal.ts (1 M resting orders).
 *
 * What is saved is the LOGICAL state, in the orders that matter for future behaviour,
 * never slot numbers or hash-table layouts (those are not observable). Little-endian;
 * every column starts at a multiple of 8 bytes (zero padding after Int32/Uint16
 * columns).
 *
 *   header (64 B)  u32 magic 0x534b4d46 ("FMKS" as bytes), u16 version (2), u16 0,
 *                  f64 marketId, f64 mark, u32 status, u32 0,
 *                  u32 accounts A, u32 bid levels B, u32 ask levels K, u32 orders N,
 *                  u32 ABOVE triggers TA, u32 BELOW triggers TB, u32 cloids C, u32 0
 *   accounts       Int32[A] globalId, Float64[A] posLots  (by local index: the
 *                  restored AccountTable is the same table)
 *   levels         Float64[B+K] price, Uint32[B+K] orderCount: bids then asks, each
 *                  from WORST to BEST (the ladder's sorted-array order, so the
 *                  restore appends)
 *   orders         N = resting orders (bid levels' FIFOs head to tail, then ask
 *                  levels') followed by the TA + TB triggers (each set in its array
 *                  order, next to fire last). Columns: Float64[N] orderId,
 *                  Float64[N] tsUs, Uint32[N] localAccount, Int32[N] remainingLots,
 *                  Int32[N] filledLots, Uint16[N] meta (order-store.ts META_* bits)
 *   triggers       Float64[TA+TB] triggerPriceTicks, limitPriceTicks,
 *                  ocoPartnerOrderId (0 = none)
 *   cloids         Int32[4C]: the cloid words of the orders with META_HAS_CLOID,
 *                  in order-column order
 *
 * Account order lists (order-id order), the id and cloid indexes and level totals
 * are rebuilt. The restore refuses (SnapshotFormatError) anything a live market could
 * not contain: unordered levels or triggers, duplicate ids, unknown accounts, a
 * resting trigger, an empty level, a crossed book, a one-way OCO link, wrong lengths.
 * Deterministic (no clock).
 */

export const FAST_MARKET_SNAPSHOT_MAGIC = 0x534b4d46;
export const FAST_MARKET_SNAPSHOT_VERSION = 2;
const HEADER_BYTES = 64;

const pad8 = (bytes: number): number => (bytes + 7) & ~7;

interface Layout {
  accountIds: number;
  accountPos: number;
  levelPrice: number;
  levelCount: number;
  orderId: number;
  orderTs: number;
  orderAcct: number;
  orderRemaining: number;
  orderFilled: number;
  orderMeta: number;
  trigPrice: number;
  trigLimit: number;
  trigOco: number;
  cloids: number;
  total: number;
}

function layout(A: number, L: number, N: number, T: number, C: number): Layout {
  let at = HEADER_BYTES;
  const take = (bytes: number): number => {
    const o = at;
    at += pad8(bytes);
    return o;
  };
  const l = {
    accountIds: take(4 * A),
    accountPos: take(8 * A),
    levelPrice: take(8 * L),
    levelCount: take(4 * L),
    orderId: take(8 * N),
    orderTs: take(8 * N),
    orderAcct: take(4 * N),
    orderRemaining: take(4 * N),
    orderFilled: take(4 * N),
    orderMeta: take(2 * N),
    trigPrice: take(8 * T),
    trigLimit: take(8 * T),
    trigOco: take(8 * T),
    cloids: take(16 * C),
    total: 0,
  };
  l.total = at;
  return l;
}

/**
 * What the encoder reads: a live FastMarket, or a MarketImage (its arrays copied by
 * `captureFastMarketImage`, so the walk can run later, on another thread).
 */
export interface MarketView {
  spec: { marketId: number };
  mark: number;
  marketStatus: number;
  store: { id: Float64Array; tsUs: Float64Array; acct: Int32Array; remaining: Int32Array; filled: Int32Array; meta: Uint16Array; next: Int32Array; level: Int32Array; cloid: Int32Array };
  bids: LadderView;
  asks: LadderView;
  above: TriggerSetView;
  below: TriggerSetView;
  trig: { triggerPrice: Float64Array; limitPrice: Float64Array; oco: Int32Array };
  accounts: { size: number; globalId: Int32Array; posLots: Float64Array };
  ids: { size: number };
  cloids: { size: number };
}

interface LadderView {
  size: number;
  sortedLevel: Int32Array;
  price: Float64Array;
  count: Int32Array;
  head: Int32Array;
}

interface TriggerSetView {
  size: number;
  slots: Int32Array;
  firesAbove: boolean;
}

/** A MarketView made of copies: structured-cloneable, its buffers transferable. */
export interface MarketImage extends MarketView {
  bids: LadderView & { isBid: true };
  asks: LadderView & { isBid: false };
}

/**
 * The synchronous part of a snapshot in a market worker: copies the arrays the
 * encoder reads (typed-array slices, i.e. memcpy: about 55 bytes per order slot), so
 * matching resumes at once; `encodeFastMarketSnapshot(image)` then runs anywhere.
 */
export function captureFastMarketImage(m: FastMarket): MarketImage {
  const st = m.store;
  const ladder = <B extends boolean>(l: FastMarket['bids'], isBid: B): LadderView & { isBid: B } => ({
    isBid,
    size: l.size,
    sortedLevel: l.sortedLevel.slice(0, l.size),
    price: l.price.slice(),
    count: l.count.slice(),
    head: l.head.slice(),
  });
  const set = (t: FastMarket['above']): TriggerSetView => ({ size: t.size, slots: t.slots.slice(0, t.size), firesAbove: t.firesAbove });
  return {
    spec: { marketId: m.spec.marketId },
    mark: m.mark,
    marketStatus: m.marketStatus,
    store: {
      id: st.id.slice(),
      tsUs: st.tsUs.slice(),
      acct: st.acct.slice(),
      remaining: st.remaining.slice(),
      filled: st.filled.slice(),
      meta: st.meta.slice(),
      next: st.next.slice(),
      level: st.level.slice(),
      cloid: st.cloid.slice(),
    },
    bids: ladder(m.bids, true),
    asks: ladder(m.asks, false),
    above: set(m.above),
    below: set(m.below),
    trig: { triggerPrice: m.trig.triggerPrice.slice(), limitPrice: m.trig.limitPrice.slice(), oco: m.trig.oco.slice() },
    accounts: { size: m.accounts.size, globalId: m.accounts.globalId.slice(0, m.accounts.size), posLots: m.accounts.posLots.slice(0, m.accounts.size) },
    ids: { size: m.ids.size },
    cloids: { size: m.cloids.size },
  };
}

/** The distinct buffers of images, for a transfer list (they are the images' own copies). */
export function imageBuffers(images: readonly MarketImage[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const image of images) {
    const arrays: ArrayBufferView[] = [
      ...Object.values(image.store),
      image.bids.sortedLevel,
      image.bids.price,
      image.bids.count,
      image.bids.head,
      image.asks.sortedLevel,
      image.asks.price,
      image.asks.count,
      image.asks.head,
      image.above.slots,
      image.below.slots,
      image.trig.triggerPrice,
      image.trig.limitPrice,
      image.trig.oco,
      image.accounts.globalId,
      image.accounts.posLots,
    ];
    for (const a of arrays) out.add(a.buffer as ArrayBuffer);
  }
  return [...out];
}

export function encodeFastMarketSnapshot(m: MarketView): Uint8Array {
  const st = m.store;
  const accts = m.accounts;
  const A = accts.size;
  const B = m.bids.size;
  const K = m.asks.size;
  const T = m.above.size + m.below.size;
  const N = m.ids.size;
  const C = m.cloids.size;
  const lay = layout(A, B + K, N, T, C);
  const buf = new ArrayBuffer(lay.total);
  const head = new DataView(buf, 0, HEADER_BYTES);
  head.setUint32(0, FAST_MARKET_SNAPSHOT_MAGIC, true);
  head.setUint16(4, FAST_MARKET_SNAPSHOT_VERSION, true);
  head.setFloat64(8, m.spec.marketId, true);
  head.setFloat64(16, m.mark, true);
  head.setUint32(24, m.marketStatus, true);
  [A, B, K, N, m.above.size, m.below.size, C].forEach((v, i) => head.setUint32(32 + 4 * i, v, true));

  new Int32Array(buf, lay.accountIds, A).set(accts.globalId.subarray(0, A));
  new Float64Array(buf, lay.accountPos, A).set(accts.posLots.subarray(0, A));

  const levelPrice = new Float64Array(buf, lay.levelPrice, B + K);
  const levelCount = new Uint32Array(buf, lay.levelCount, B + K);
  const id = new Float64Array(buf, lay.orderId, N);
  const ts = new Float64Array(buf, lay.orderTs, N);
  const acct = new Uint32Array(buf, lay.orderAcct, N);
  const rem = new Int32Array(buf, lay.orderRemaining, N);
  const fil = new Int32Array(buf, lay.orderFilled, N);
  const meta = new Uint16Array(buf, lay.orderMeta, N);
  const cloids = new Int32Array(buf, lay.cloids, 4 * C);
  let n = 0;
  let c = 0;
  const putOrder = (o: number): void => {
    id[n] = st.id[o];
    ts[n] = st.tsUs[o];
    acct[n] = st.acct[o];
    rem[n] = st.remaining[o];
    fil[n] = st.filled[o];
    const mt = st.meta[o];
    meta[n] = mt;
    n++;
    if ((mt & META_HAS_CLOID) !== 0) {
      const cb = o * 4;
      cloids[c] = st.cloid[cb];
      cloids[c + 1] = st.cloid[cb + 1];
      cloids[c + 2] = st.cloid[cb + 2];
      cloids[c + 3] = st.cloid[cb + 3];
      c += 4;
    }
  };
  let li = 0;
  for (const ladder of [m.bids, m.asks]) {
    for (let i = 0; i < ladder.size; i++) {
      const lvl = ladder.sortedLevel[i];
      levelPrice[li] = ladder.price[lvl];
      levelCount[li++] = ladder.count[lvl];
      for (let o = ladder.head[lvl]; o !== NONE; o = st.next[o]) putOrder(o);
    }
  }
  const trigPrice = new Float64Array(buf, lay.trigPrice, T);
  const trigLimit = new Float64Array(buf, lay.trigLimit, T);
  const trigOco = new Float64Array(buf, lay.trigOco, T);
  let ti = 0;
  for (const set of [m.above, m.below]) {
    for (let i = 0; i < set.size; i++) {
      const o = set.slots[i];
      const t = st.level[o];
      const partner = m.trig.oco[t];
      trigPrice[ti] = m.trig.triggerPrice[t];
      trigLimit[ti] = m.trig.limitPrice[t];
      trigOco[ti++] = partner === NONE ? 0 : st.id[partner];
      putOrder(o);
    }
  }
  if (n !== N || c !== 4 * C) throw new Error(`encodeFastMarketSnapshot: walked ${n} orders / ${c / 4} cloids, indexes say ${N} / ${C}`);
  return new Uint8Array(buf);
}

/**
 * Loads a snapshot into a FRESH market (just constructed with the same spec: no
 * orders, no accounts). Throws SnapshotFormatError on a malformed or foreign snapshot;
 * the market must then be discarded.
 */
export function restoreFastMarketSnapshot(m: FastMarket, bytes: Uint8Array): void {
  if (m.store.used !== 0 || m.accounts.size !== 0) throw new Error('restoreFastMarketSnapshot: the market must be fresh');
  const what = `market ${m.spec.marketId} snapshot`;
  const fail = (msg: string): never => {
    throw new SnapshotFormatError(`${what}: ${msg}`);
  };
  if (bytes.byteLength < HEADER_BYTES) fail(`truncated (${bytes.byteLength} bytes, the header alone is ${HEADER_BYTES})`);
  // Typed views need 8-byte alignment: copy when the bytes do not start on one
  // (new Uint8Array(bytes) copies; Buffer#slice would not).
  const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const buf = own.buffer;
  const base = own.byteOffset;
  const head = new DataView(buf, base, HEADER_BYTES);
  if (head.getUint32(0, true) !== FAST_MARKET_SNAPSHOT_MAGIC) fail('bad magic (not a fast-market snapshot)');
  const version = head.getUint16(4, true);
  if (version !== FAST_MARKET_SNAPSHOT_VERSION) fail(`format version ${version} is not supported (this build reads ${FAST_MARKET_SNAPSHOT_VERSION})`);
  const marketId = head.getFloat64(8, true);
  if (marketId !== m.spec.marketId) fail(`snapshot is of market ${marketId}, not ${m.spec.marketId}`);
  const mark = head.getFloat64(16, true);
  if (!Number.isSafeInteger(mark) || mark < 1 || mark > m.spec.maxPriceTicks) fail(`mark ${mark} out of range`);
  const status = head.getUint32(24, true);
  if (status !== MarketStatus.ACTIVE && status !== MarketStatus.HALTED) fail(`market status ${status} unknown`);
  const [A, B, K, N, TA, TB, C] = [0, 1, 2, 3, 4, 5, 6].map((i) => head.getUint32(32 + 4 * i, true));
  const T = TA + TB;
  const lay = layout(A, B + K, N, T, C);
  if (lay.total !== own.byteLength) fail(lay.total > own.byteLength ? `truncated (${own.byteLength} of ${lay.total} bytes)` : `${own.byteLength - lay.total} trailing bytes`);
  m.mark = mark;
  m.marketStatus = status;

  const accts = m.accounts;
  const globalIds = new Int32Array(buf, base + lay.accountIds, A);
  const pos = new Float64Array(buf, base + lay.accountPos, A);
  for (let a = 0; a < A; a++) {
    if (globalIds[a] < 0) fail(`negative account id ${globalIds[a]}`);
    if (accts.findOrAdd(globalIds[a]) !== a) fail(`account ${globalIds[a]} listed twice`);
    if (!Number.isSafeInteger(pos[a])) fail(`position ${pos[a]} of account ${globalIds[a]}`);
    accts.posLots[a] = pos[a];
  }

  const st = m.store;
  const id = new Float64Array(buf, base + lay.orderId, N);
  const ts = new Float64Array(buf, base + lay.orderTs, N);
  const acct = new Uint32Array(buf, base + lay.orderAcct, N);
  const rem = new Int32Array(buf, base + lay.orderRemaining, N);
  const fil = new Int32Array(buf, base + lay.orderFilled, N);
  const meta = new Uint16Array(buf, base + lay.orderMeta, N);
  const cloids = new Int32Array(buf, base + lay.cloids, 4 * C);
  let c = 0;
  /** Order `n` of the columns into a fresh slot, indexed by id and cloid. */
  const takeOrder = (n: number): number => {
    const oid = id[n];
    if (!Number.isSafeInteger(oid) || oid < 1) fail(`order id ${oid} out of range`);
    if (acct[n] >= A) fail(`order ${oid} names local account ${acct[n]} of ${A}`);
    if (rem[n] < 1 || fil[n] < 0) fail(`order ${oid} has remaining ${rem[n]}, filled ${fil[n]}`);
    if (!Number.isSafeInteger(ts[n])) fail(`order ${oid} tsUs ${ts[n]}`);
    if (m.ids.get(oid) !== NONE) fail(`order id ${oid} appears twice`);
    const slot = st.alloc();
    st.id[slot] = oid;
    st.tsUs[slot] = ts[n];
    st.acct[slot] = acct[n];
    st.remaining[slot] = rem[n];
    st.filled[slot] = fil[n];
    const mt = meta[n];
    st.meta[slot] = mt;
    const cb = slot * 4;
    if ((mt & META_HAS_CLOID) !== 0) {
      if (c + 4 > cloids.length) fail('more orders flag a cloid than the cloid column holds');
      st.cloid[cb] = cloids[c];
      st.cloid[cb + 1] = cloids[c + 1];
      st.cloid[cb + 2] = cloids[c + 2];
      st.cloid[cb + 3] = cloids[c + 3];
      c += 4;
      if ((st.cloid[cb] | st.cloid[cb + 1] | st.cloid[cb + 2] | st.cloid[cb + 3]) === 0) fail(`order ${oid} flags a cloid of zero`);
      if (m.cloids.get(acct[n], st.cloid[cb], st.cloid[cb + 1], st.cloid[cb + 2], st.cloid[cb + 3]) !== NONE) fail(`order ${oid} repeats a live cloid of its account`);
    } else {
      st.cloid[cb] = 0;
      st.cloid[cb + 1] = 0;
      st.cloid[cb + 2] = 0;
      st.cloid[cb + 3] = 0;
    }
    m.ids.add(slot);
    if ((mt & META_HAS_CLOID) !== 0) m.cloids.add(slot);
    return slot;
  };

  const levelPrice = new Float64Array(buf, base + lay.levelPrice, B + K);
  const levelCount = new Uint32Array(buf, base + lay.levelCount, B + K);
  let n = 0;
  let li = 0;
  for (const ladder of [m.bids, m.asks]) {
    const side = ladder.isBid ? 0 : 1;
    const levels = ladder.isBid ? B : K;
    let lastKey = -Infinity;
    for (let i = 0; i < levels; i++, li++) {
      const price = levelPrice[li];
      const count = levelCount[li];
      if (!Number.isSafeInteger(price) || price < 1 || price > m.spec.maxPriceTicks) fail(`level price ${price} out of range`);
      const key = ladder.isBid ? price : -price;
      if (key <= lastKey) fail(`${ladder.isBid ? 'bid' : 'ask'} levels out of order at price ${price}`);
      lastKey = key;
      if (count === 0) fail(`empty level at price ${price}`);
      if (n + count > N - T) fail('levels hold more orders than the order columns');
      const lvl = ladder.findOrCreate(price);
      let total = 0;
      for (let k = 0; k < count; k++) {
        const slot = takeOrder(n++);
        const mt = st.meta[slot];
        if ((mt & META_TRIGGER) !== 0) fail(`trigger ${st.id[slot]} listed as resting`);
        if ((mt & 1) !== side) fail(`order ${st.id[slot]} on the wrong side`);
        const tail = ladder.tail[lvl];
        st.prev[slot] = tail;
        st.next[slot] = NONE;
        if (tail === NONE) ladder.head[lvl] = slot;
        else st.next[tail] = slot;
        ladder.tail[lvl] = slot;
        st.level[slot] = lvl;
        total += st.remaining[slot];
      }
      ladder.total[lvl] = total;
      ladder.count[lvl] = count;
    }
  }
  if (n !== N - T) fail(`levels hold ${n} orders, the columns ${N - T} resting ones`);
  if (m.bids.size > 0 && m.asks.size > 0 && m.bids.bestPrice() >= m.asks.bestPrice()) fail('crossed book');

  const trigPrice = new Float64Array(buf, base + lay.trigPrice, T);
  const trigLimit = new Float64Array(buf, base + lay.trigLimit, T);
  const trigOco = new Float64Array(buf, base + lay.trigOco, T);
  const partners: { slot: number; partnerId: number }[] = [];
  let ti = 0;
  for (const set of [m.above, m.below]) {
    const count = set.firesAbove ? TA : TB;
    let lastPk = -Infinity;
    let lastId = Infinity;
    for (let i = 0; i < count; i++, ti++) {
      const slot = takeOrder(n++);
      const oid = st.id[slot];
      const tp = trigPrice[ti];
      const lp = trigLimit[ti];
      if ((st.meta[slot] & META_TRIGGER) === 0) fail(`order ${oid} listed as a trigger without the trigger bit`);
      if (!Number.isSafeInteger(tp) || tp < 1 || tp > m.spec.maxPriceTicks || !Number.isSafeInteger(lp) || lp < 0 || lp > m.spec.maxPriceTicks) {
        fail(`trigger ${oid} prices out of range`);
      }
      // The set's order: pk ascending, then order id descending (next to fire last).
      const pk = set.firesAbove ? -tp : tp;
      if (pk < lastPk || (pk === lastPk && oid >= lastId)) fail(`trigger set out of order at order ${oid}`);
      lastPk = pk;
      lastId = oid;
      const t = m.trig.alloc(tp, lp);
      st.level[slot] = t;
      set.add(slot, tp, oid);
      if (trigOco[ti] !== 0) partners.push({ slot, partnerId: trigOco[ti] });
    }
  }
  if (c !== cloids.length) fail(`${cloids.length / 4} cloids stored, ${c / 4} orders flag one`);
  for (const { slot, partnerId } of partners) {
    const p = m.ids.get(partnerId);
    if (p === NONE || p === slot || (st.meta[p] & META_TRIGGER) === 0) fail(`trigger ${st.id[slot]} names OCO partner ${partnerId}, which is not another live trigger`);
    m.trig.oco[st.level[slot]] = p;
  }
  for (const { slot } of partners) {
    const p = m.trig.oco[st.level[slot]];
    if (m.trig.oco[st.level[p]] !== slot) fail(`OCO link of ${st.id[slot]} is one-way`);
  }
  buildAccountLists(m, id);
}

/** Each account's open-order list in order-id order, with its counts. */
function buildAccountLists(m: FastMarket, ids: Float64Array): void {
  const st = m.store;
  const accts = m.accounts;
  const sorted = ids.slice().sort();
  for (let i = 0; i < sorted.length; i++) {
    const slot = m.ids.get(sorted[i]);
    const a = st.acct[slot];
    const tail = accts.tail[a];
    st.aPrev[slot] = tail;
    st.aNext[slot] = NONE;
    if (tail === NONE) accts.head[a] = slot;
    else st.aNext[tail] = slot;
    accts.tail[a] = slot;
    accts.openCount[a]++;
    if ((st.meta[slot] & META_REDUCE_ONLY) !== 0) accts.roCount[a]++;
  }
}
