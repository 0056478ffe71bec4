import { Side } from '../../engine/types.js';

/** One aggregated price level. */
export interface Level {
  priceTicks: number;
  totalLots: number;
  orderCount: number;
}

/**
 * The JSON side's copy of one market's L2 book, rebuilt from the engine's level
 * events, with each side kept sorted best-first so the top N levels are a slice
 * (l2Book answers and pushes read the top 20 many times per second; sorting the
 * whole book each time would not do). Insert/remove: binary search + splice.
 * Bounded by the engine's book.
 */
export class LevelBook {
  readonly #byPrice: [Map<number, Level>, Map<number, Level>] = [new Map(), new Map()];
  /** Best first: bids descending, asks ascending. */
  readonly #sorted: [Level[], Level[]] = [[], []];
  /** Bumped on every change (pushes compare it). */
  version = 0;

  apply(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.version++;
    const map = this.#byPrice[side];
    const sorted = this.#sorted[side];
    const existing = map.get(priceTicks);
    if (totalLots <= 0) {
      if (!existing) return;
      map.delete(priceTicks);
      sorted.splice(this.#indexOf(side, priceTicks), 1);
      return;
    }
    if (existing) {
      existing.totalLots = totalLots;
      existing.orderCount = orderCount;
      return;
    }
    const lvl = { priceTicks, totalLots, orderCount };
    map.set(priceTicks, lvl);
    sorted.splice(this.#insertionPoint(side, priceTicks), 0, lvl);
  }

  /** Best levels of a side, best first (live objects: read, do not keep). */
  top(side: number, n: number): readonly Level[] {
    const s = this.#sorted[side];
    return n >= s.length ? s : s.slice(0, n);
  }

  best(side: number): Level | undefined {
    return this.#sorted[side][0];
  }

  levelCount(side: number): number {
    return this.#sorted[side].length;
  }

  /** Position where `price` is or would be inserted (best-first order). */
  #insertionPoint(side: number, price: number): number {
    const s = this.#sorted[side];
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const better = side === Side.BUY ? s[mid].priceTicks > price : s[mid].priceTicks < price;
      if (better) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #indexOf(side: number, price: number): number {
    const i = this.#insertionPoint(side, price);
    if (this.#sorted[side][i]?.priceTicks !== price) throw new Error(`level book: level ${price} missing from the sorted side`);
    return i;
  }
}
