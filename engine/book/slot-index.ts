import { NONE } from '../types.js';
import type { OrderStore } from './order-store.js';

/**
 * Open-addressing hash tables that store only slot numbers: the key is read back
 * from the OrderStore columns, so an entry costs 4 bytes (8 per order at the 50%
 * maximum load). Linear probing with backward-shift deletion (no tombstones), so
 * lookups stay short however many deletes happen. Never iterated: its layout
 * cannot affect output order.
 */
abstract class SlotTable {
  protected table: Int32Array;
  protected mask: number;
  protected count = 0;

  constructor(
    protected readonly store: OrderStore,
    initialCapacity = 2048,
  ) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.table = new Int32Array(cap).fill(NONE);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Hash of the key stored in `slot`. */
  protected abstract hashOfSlot(slot: number): number;

  protected insertSlot(slot: number): void {
    if ((this.count + 1) * 2 > this.table.length) this.#rehash(this.table.length * 2);
    let i = this.hashOfSlot(slot) & this.mask;
    while (this.table[i] !== NONE) i = (i + 1) & this.mask;
    this.table[i] = slot;
    this.count++;
  }

  /** Removes `slot` (which must be present). */
  protected removeSlot(slot: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = this.hashOfSlot(slot) & mask;
    while (t[i] !== slot) {
      if (t[i] === NONE) throw new Error(`slot ${slot} missing from index`);
      i = (i + 1) & mask;
    }
    // Backward-shift: pull later entries of the probe run into the hole.
    let hole = i;
    let j = (i + 1) & mask;
    while (t[j] !== NONE) {
      const home = this.hashOfSlot(t[j]) & mask;
      // Move t[j] into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        t[hole] = t[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    t[hole] = NONE;
    this.count--;
  }

  #rehash(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(capacity).fill(NONE);
    this.mask = capacity - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i++) if (old[i] !== NONE) this.insertSlot(old[i]);
  }
}

/** Mixes a safe integer into a signed 32-bit hash (callers mask it). */
export function hashNumber(v: number): number {
  const lo = v | 0;
  const hi = (v / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  // Signed int32 on purpose: an unsigned result >= 2^31 would be boxed as a heap
  // number when the call is not inlined (measured: ~0.7 B/op on the fill path).
  return h ^ (h >>> 13);
}

/** order id → slot. */
export class OrderIdIndex extends SlotTable {
  protected hashOfSlot(slot: number): number {
    return hashNumber(this.store.id[slot]);
  }
  add(slot: number): void {
    this.insertSlot(slot);
  }
  remove(slot: number): void {
    this.removeSlot(slot);
  }
  get(orderId: number): number {
    const t = this.table;
    const ids = this.store.id;
    let i = hashNumber(orderId) & this.mask;
    for (;;) {
      const s = t[i];
      if (s === NONE) return NONE;
      if (ids[s] === orderId) return s;
      i = (i + 1) & this.mask;
    }
  }
}

function hashCloid(acct: number, c0: number, c1: number, c2: number, c3: number): number {
  let h = Math.imul(acct ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ c0, 0x85ebca6b);
  h = Math.imul(h ^ c1, 0xc2b2ae35);
  h = Math.imul(h ^ c2, 0x27d4eb2d);
  h = Math.imul(h ^ c3, 0x165667b1);
  return h ^ (h >>> 15); // int32, see hashNumber
}

/** (local account, cloid) → slot, for orders that carry a cloid. */
export class CloidIndex extends SlotTable {
  protected hashOfSlot(slot: number): number {
    const c = this.store.cloid;
    const b = slot * 4;
    return hashCloid(this.store.acct[slot], c[b], c[b + 1], c[b + 2], c[b + 3]);
  }
  add(slot: number): void {
    this.insertSlot(slot);
  }
  remove(slot: number): void {
    this.removeSlot(slot);
  }
  get(acct: number, c0: number, c1: number, c2: number, c3: number): number {
    const t = this.table;
    const st = this.store;
    const c = st.cloid;
    let i = hashCloid(acct, c0, c1, c2, c3) & this.mask;
    for (;;) {
      const s = t[i];
      if (s === NONE) return NONE;
      const b = s * 4;
      if (st.acct[s] === acct && c[b] === c0 && c[b + 1] === c1 && c[b + 2] === c2 && c[b + 3] === c3) return s;
      i = (i + 1) & this.mask;
    }
  }
}
