import type { Prng } from '../../engine/util/prng.js';

/** A set of order ids with O(1) add, remove and uniform random pick (generator side only). */
export class LiveSet {
  #ids: Int32Array;
  #pos: Int32Array; // order id → index in #ids + 1 (0 = absent)
  size = 0;

  constructor(maxOrderId: number) {
    this.#ids = new Int32Array(1024);
    this.#pos = new Int32Array(maxOrderId + 1);
  }

  has(id: number): boolean {
    return this.#pos[id] !== 0;
  }

  add(id: number): void {
    if (this.#pos[id] !== 0) return;
    if (this.size === this.#ids.length) {
      const grown = new Int32Array(this.#ids.length * 2);
      grown.set(this.#ids);
      this.#ids = grown;
    }
    this.#ids[this.size++] = id;
    this.#pos[id] = this.size;
  }

  remove(id: number): void {
    const p = this.#pos[id];
    if (p === 0) return;
    const last = this.#ids[--this.size];
    this.#ids[p - 1] = last;
    this.#pos[last] = p;
    this.#pos[id] = 0;
  }

  /** A uniformly chosen member, 0 if empty. */
  pick(rng: Prng): number {
    return this.size === 0 ? 0 : this.#ids[Math.floor(rng.next() * this.size)];
  }
}
