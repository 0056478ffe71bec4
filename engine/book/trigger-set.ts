import { NONE } from '../types.js';

/**
 * Parked trigger orders of one firing direction, sorted so the next to fire is at
 * the END of the arrays (pop to fire).
 *
 *   ABOVE set (fires when mark >= trigger): next = lowest trigger price, then lowest id
 *   BELOW set (fires when mark <= trigger): next = highest trigger price, then lowest id
 *
 * Sort key: primary `pk` ascending (pk = -price for ABOVE, +price for BELOW), then
 * order id descending, so the end holds the most urgent entry. Triggers are few
 * compared with resting orders; insertion is a binary search plus a short move.
 */
export class TriggerSet {
  readonly firesAbove: boolean;
  slots: Int32Array;
  pk: Float64Array;
  ids: Float64Array;
  size = 0;

  constructor(firesAbove: boolean, initial = 64) {
    this.firesAbove = firesAbove;
    this.slots = new Int32Array(initial);
    this.pk = new Float64Array(initial);
    this.ids = new Float64Array(initial);
  }

  #key(triggerPriceTicks: number): number {
    return this.firesAbove ? -triggerPriceTicks : triggerPriceTicks;
  }

  /** Position of (pk, id) in sort order: first index whose entry sorts at or after it. */
  #search(pk: number, id: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.pk[mid];
      // entry < target  ⇔  k < pk, or k == pk and id_entry > id (ids descending)
      if (k < pk || (k === pk && this.ids[mid] > id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(slot: number, triggerPriceTicks: number, orderId: number): void {
    if (this.size === this.slots.length) this.#grow();
    const pk = this.#key(triggerPriceTicks);
    const i = this.#search(pk, orderId);
    const n = this.size;
    if (i < n) {
      this.slots.copyWithin(i + 1, i, n);
      this.pk.copyWithin(i + 1, i, n);
      this.ids.copyWithin(i + 1, i, n);
    }
    this.slots[i] = slot;
    this.pk[i] = pk;
    this.ids[i] = orderId;
    this.size = n + 1;
  }

  remove(triggerPriceTicks: number, orderId: number): void {
    const i = this.#search(this.#key(triggerPriceTicks), orderId);
    if (i >= this.size || this.ids[i] !== orderId) throw new Error(`trigger ${orderId} not in set`);
    this.slots.copyWithin(i, i + 1, this.size);
    this.pk.copyWithin(i, i + 1, this.size);
    this.ids.copyWithin(i, i + 1, this.size);
    this.size--;
  }

  /** Slot of the next trigger to fire, or NONE. */
  peekSlot(): number {
    return this.size > 0 ? this.slots[this.size - 1] : NONE;
  }

  /** Removes and returns the slot of the next trigger to fire (size must be > 0). */
  popSlot(): number {
    return this.slots[--this.size];
  }

  /** Trigger price of the next trigger (valid only when size > 0). */
  peekPrice(): number {
    const k = this.pk[this.size - 1];
    return this.firesAbove ? -k : k;
  }

  /** Would the next trigger fire at this mark? */
  due(markTicks: number): boolean {
    if (this.size === 0) return false;
    const p = this.peekPrice();
    return this.firesAbove ? markTicks >= p : markTicks <= p;
  }

  #grow(): void {
    const n = this.slots.length * 2;
    const s = new Int32Array(n);
    s.set(this.slots);
    const k = new Float64Array(n);
    k.set(this.pk);
    const d = new Float64Array(n);
    d.set(this.ids);
    this.slots = s;
    this.pk = k;
    this.ids = d;
  }
}
