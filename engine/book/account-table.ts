import { NONE } from '../types.js';

/**
 * Per-market account state, addressed by a dense local index so hot paths index
 * typed arrays instead of hashing. Global account id → local index is an
 * open-addressing table (never iterated). Accounts are never removed: a local
 * index is stable for the market's life.
 *
 *   head/tail   the account's open orders (resting + triggers), in order-id order
 *   openCount   length of that list
 *   roCount     how many of them are reduce-only (the post-fill sweep skips accounts with 0)
 *   posLots     signed position size in lots
 *   stamp       scratch marks for "touched in this execution" / FOK simulation
 */
export class AccountTable {
  globalId: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  openCount: Int32Array;
  roCount: Int32Array;
  posLots: Float64Array;
  touchStamp: Int32Array;
  simStamp: Int32Array;
  simPosLots: Float64Array;
  size = 0;
  #keys: Int32Array; // global id + 1 (0 = empty)
  #vals: Int32Array;
  #mask: number;

  constructor(initial = 64) {
    this.globalId = new Int32Array(initial);
    this.head = new Int32Array(initial);
    this.tail = new Int32Array(initial);
    this.openCount = new Int32Array(initial);
    this.roCount = new Int32Array(initial);
    this.posLots = new Float64Array(initial);
    this.touchStamp = new Int32Array(initial);
    this.simStamp = new Int32Array(initial);
    this.simPosLots = new Float64Array(initial);
    this.#keys = new Int32Array(initial * 2);
    this.#vals = new Int32Array(initial * 2);
    this.#mask = initial * 2 - 1;
  }

  /** Local index of a global account id, or NONE. */
  find(accountId: number): number {
    const key = accountId + 1;
    let i = Math.imul(key, 0x9e3779b1) & this.#mask;
    for (;;) {
      const k = this.#keys[i];
      if (k === 0) return NONE;
      if (k === key) return this.#vals[i];
      i = (i + 1) & this.#mask;
    }
  }

  /** Local index, created on first sight. `accountId` must be an int32 >= 0. */
  findOrAdd(accountId: number): number {
    const found = this.find(accountId);
    if (found !== NONE) return found;
    if (this.size === this.globalId.length) this.#growColumns();
    if ((this.size + 1) * 2 > this.#keys.length) this.#rehash(this.#keys.length * 2);
    const local = this.size++;
    this.globalId[local] = accountId;
    this.head[local] = NONE;
    this.tail[local] = NONE;
    this.openCount[local] = 0;
    this.roCount[local] = 0;
    this.posLots[local] = 0;
    this.touchStamp[local] = 0;
    this.simStamp[local] = 0;
    this.#put(accountId + 1, local);
    return local;
  }

  #put(key: number, local: number): void {
    let i = Math.imul(key, 0x9e3779b1) & this.#mask;
    while (this.#keys[i] !== 0) i = (i + 1) & this.#mask;
    this.#keys[i] = key;
    this.#vals[i] = local;
  }

  #rehash(capacity: number): void {
    const oldKeys = this.#keys;
    const oldVals = this.#vals;
    this.#keys = new Int32Array(capacity);
    this.#vals = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== 0) this.#put(oldKeys[i], oldVals[i]);
  }

  #growColumns(): void {
    const n = this.globalId.length * 2;
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.globalId = i32(this.globalId);
    this.head = i32(this.head);
    this.tail = i32(this.tail);
    this.openCount = i32(this.openCount);
    this.roCount = i32(this.roCount);
    this.posLots = f64(this.posLots);
    this.touchStamp = i32(this.touchStamp);
    this.simStamp = i32(this.simStamp);
    this.simPosLots = f64(this.simPosLots);
  }
}
