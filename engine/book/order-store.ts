import { NONE } from '../types.js';

/**
 * Orders as struct-of-arrays in typed arrays, with a free list of slots.
 *
 * Why: a JS object per order costs ~100+ bytes of heap plus GC pressure; typed
 * columns cost 66 bytes per slot (see bench/README.md for the measured total) and
 * the matching loop touches them without allocating. Capacity doubles when full
 * (the only allocation, amortised); a slot index is stable for an order's life.
 *
 * Column meanings:
 *   id          exchange order id (= the PLACE command's seq)
 *   tsUs        acceptance time (µs) from the command
 *   acct        local account index (AccountTable), not the global account id
 *   level       resting: level index in its side's ladder; trigger: trigger-data index
 *   remaining   lots still open; filled: lots filled so far (size = filled + remaining)
 *   prev/next   FIFO links within a price level
 *   aPrev/aNext links in the account's list of open orders (kept in order-id order)
 *   meta        packed enums, see the META_* constants
 *   cloid       4 × 32-bit words per slot
 */

export const META_SIDE = 1; // bit 0
export const META_MARKET = 1 << 1; // orderType MARKET
export const META_TIF_SHIFT = 2; // bits 2-3
export const META_FLAGS_SHIFT = 4; // bits 4-5: OrderFlag (POST_ONLY=1, REDUCE_ONLY=2)
export const META_POST_ONLY = 1 << 4;
export const META_REDUCE_ONLY = 1 << 5;
export const META_STP_SHIFT = 6; // bits 6-7
export const META_TRIGGER = 1 << 8;
export const META_HAS_CLOID = 1 << 9;
export const META_TKIND_SHIFT = 10; // bits 10-11

export function packMeta(side: number, orderType: number, tif: number, flags: number, stp: number, triggerKind: number, hasCloid: boolean): number {
  return (
    side |
    (orderType << 1) |
    (tif << META_TIF_SHIFT) |
    (flags << META_FLAGS_SHIFT) |
    (stp << META_STP_SHIFT) |
    (triggerKind !== 0 ? META_TRIGGER : 0) |
    (hasCloid ? META_HAS_CLOID : 0) |
    (triggerKind << META_TKIND_SHIFT)
  );
}

export const metaSide = (m: number): number => m & 1;
export const metaOrderType = (m: number): number => (m >> 1) & 1;
export const metaTif = (m: number): number => (m >> META_TIF_SHIFT) & 3;
export const metaFlags = (m: number): number => (m >> META_FLAGS_SHIFT) & 3;
export const metaStp = (m: number): number => (m >> META_STP_SHIFT) & 3;
export const metaTriggerKind = (m: number): number => (m >> META_TKIND_SHIFT) & 3;

export class OrderStore {
  capacity: number;
  id: Float64Array;
  tsUs: Float64Array;
  acct: Int32Array;
  level: Int32Array;
  remaining: Int32Array;
  filled: Int32Array;
  prev: Int32Array;
  next: Int32Array;
  aPrev: Int32Array;
  aNext: Int32Array;
  meta: Uint16Array;
  cloid: Int32Array;
  #freeHead = NONE;
  #used = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = 0;
    this.id = new Float64Array(0);
    this.tsUs = new Float64Array(0);
    this.acct = new Int32Array(0);
    this.level = new Int32Array(0);
    this.remaining = new Int32Array(0);
    this.filled = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.aPrev = new Int32Array(0);
    this.aNext = new Int32Array(0);
    this.meta = new Uint16Array(0);
    this.cloid = new Int32Array(0);
    this.#grow(Math.max(16, initialCapacity));
  }

  /** Slots in use. */
  get used(): number {
    return this.#used;
  }

  /** Takes a free slot (fields hold stale values: the caller sets every column it uses). */
  alloc(): number {
    if (this.#freeHead === NONE) this.#grow(this.capacity * 2);
    const slot = this.#freeHead;
    this.#freeHead = this.next[slot];
    this.#used++;
    return slot;
  }

  free(slot: number): void {
    this.id[slot] = -1; // marks the slot dead for debug checks
    this.next[slot] = this.#freeHead;
    this.#freeHead = slot;
    this.#used--;
  }

  isLive(slot: number): boolean {
    return this.id[slot] >= 0;
  }

  #grow(newCapacity: number): void {
    const old = this.capacity;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(newCapacity);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, n = newCapacity): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.id = f64(this.id);
    this.tsUs = f64(this.tsUs);
    this.acct = i32(this.acct);
    this.level = i32(this.level);
    this.remaining = i32(this.remaining);
    this.filled = i32(this.filled);
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.aPrev = i32(this.aPrev);
    this.aNext = i32(this.aNext);
    const meta = new Uint16Array(newCapacity);
    meta.set(this.meta);
    this.meta = meta;
    this.cloid = i32(this.cloid, newCapacity * 4);
    // Chain the new slots onto the free list, lowest index first.
    for (let s = newCapacity - 1; s >= old; s--) {
      this.id[s] = -1;
      this.next[s] = this.#freeHead;
      this.#freeHead = s;
    }
    this.capacity = newCapacity;
  }
}
