import { NONE } from '../types.js';

/**
 * One side of the book: price levels (struct-of-arrays pool) plus the active levels
 * kept sorted by priority with the BEST LEVEL AT THE END of the array.
 *
 * Why best-at-the-end: nearly all activity happens at or near the touch, so
 * inserting or removing a level there moves only a few array entries
 * (`copyWithin`), and consuming the best level is a pop. Lookup by price is a
 * binary search over a dense Float64Array of sort keys (key = price for bids,
 * -price for asks, ascending), O(log levels). Each level holds a FIFO of order
 * slots (head/tail, links live in the OrderStore), its total lots and order count,
 * so cancel and modify are O(1) in the queue length.
 */
export class PriceLadder {
  readonly isBid: boolean;
  // level pool
  price: Float64Array;
  total: Float64Array;
  count: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  #freeLevel = NONE;
  #levelCapacity = 0;
  // sorted active levels, best at index size-1
  sortedLevel: Int32Array;
  sortedKey: Float64Array;
  size = 0;

  constructor(isBid: boolean, initialLevels = 256) {
    this.isBid = isBid;
    this.price = new Float64Array(0);
    this.total = new Float64Array(0);
    this.count = new Int32Array(0);
    this.head = new Int32Array(0);
    this.tail = new Int32Array(0);
    this.sortedLevel = new Int32Array(initialLevels);
    this.sortedKey = new Float64Array(initialLevels);
    this.#growPool(initialLevels);
  }

  /** Best level index, or NONE. */
  best(): number {
    return this.size > 0 ? this.sortedLevel[this.size - 1] : NONE;
  }

  bestPrice(): number {
    return this.size > 0 ? this.price[this.sortedLevel[this.size - 1]] : 0;
  }

  /** Index in the sorted arrays of the first key >= `key` (lower bound). */
  #lowerBound(key: number): number {
    let lo = 0;
    let hi = this.size;
    const keys = this.sortedKey;
    // Fast path: most lookups are at or next to the touch.
    if (hi > 0 && keys[hi - 1] < key) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Level at `priceTicks`, or NONE. */
  find(priceTicks: number): number {
    const key = this.isBid ? priceTicks : -priceTicks;
    const i = this.#lowerBound(key);
    return i < this.size && this.sortedKey[i] === key ? this.sortedLevel[i] : NONE;
  }

  /** Level at `priceTicks`, created empty if absent. */
  findOrCreate(priceTicks: number): number {
    const key = this.isBid ? priceTicks : -priceTicks;
    const i = this.#lowerBound(key);
    if (i < this.size && this.sortedKey[i] === key) return this.sortedLevel[i];
    if (this.size === this.sortedLevel.length) this.#growSorted();
    const lvl = this.#allocLevel(priceTicks);
    if (i < this.size) {
      this.sortedLevel.copyWithin(i + 1, i, this.size);
      this.sortedKey.copyWithin(i + 1, i, this.size);
    }
    this.sortedLevel[i] = lvl;
    this.sortedKey[i] = key;
    this.size++;
    return lvl;
  }

  /** Removes an empty level from the sorted set and returns it to the pool. */
  removeLevel(lvl: number): void {
    const n = this.size;
    if (n > 0 && this.sortedLevel[n - 1] === lvl) {
      this.size = n - 1;
    } else {
      const key = this.isBid ? this.price[lvl] : -this.price[lvl];
      const i = this.#lowerBound(key);
      if (i >= n || this.sortedLevel[i] !== lvl) throw new Error(`level ${lvl} not in ladder`);
      this.sortedLevel.copyWithin(i, i + 1, n);
      this.sortedKey.copyWithin(i, i + 1, n);
      this.size = n - 1;
    }
    this.head[lvl] = this.#freeLevel;
    this.#freeLevel = lvl;
  }

  #allocLevel(priceTicks: number): number {
    if (this.#freeLevel === NONE) this.#growPool(this.#levelCapacity * 2);
    const lvl = this.#freeLevel;
    this.#freeLevel = this.head[lvl];
    this.price[lvl] = priceTicks;
    this.total[lvl] = 0;
    this.count[lvl] = 0;
    this.head[lvl] = NONE;
    this.tail[lvl] = NONE;
    return lvl;
  }

  #growPool(capacity: number): void {
    const old = this.#levelCapacity;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.price = grow(this.price, (n) => new Float64Array(n));
    this.total = grow(this.total, (n) => new Float64Array(n));
    this.count = grow(this.count, (n) => new Int32Array(n));
    this.head = grow(this.head, (n) => new Int32Array(n));
    this.tail = grow(this.tail, (n) => new Int32Array(n));
    for (let l = capacity - 1; l >= old; l--) {
      this.head[l] = this.#freeLevel;
      this.#freeLevel = l;
    }
    this.#levelCapacity = capacity;
  }

  #growSorted(): void {
    const n = this.sortedLevel.length * 2;
    const lv = new Int32Array(n);
    lv.set(this.sortedLevel);
    const ks = new Float64Array(n);
    ks.set(this.sortedKey);
    this.sortedLevel = lv;
    this.sortedKey = ks;
  }
}
