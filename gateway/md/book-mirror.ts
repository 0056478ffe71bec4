import { Side } from '../../engine/types.js';

/** One level of a market-data view. */
export interface MdLevel {
  priceTicks: number;
  totalLots: number;
  orderCount: number;
}

/**
 * The gateway thread's copy of one market's L2 book, rebuilt from the engine's
 * level events (already coalesced per command by the worker). It serves L2
 * snapshots to new subscribers and batches changes into numbered updates:
 *
 *  - `mdSeq` counts update messages for this market: +1 per published batch that
 *    changed anything. A snapshot carries the mdSeq it reflects; the next update
 *    carries mdSeq + 1. A client that sees a jump knows it missed something and
 *    asks for a new snapshot.
 *  - Changes within one drain batch are merged per (side, price): only the last
 *    aggregate is published, in first-change order.
 *
 * Bounded: a book has at most as many levels as the engine holds; the pending
 * change list is cleared every batch.
 */
export class BookMirror {
  readonly marketId: number;
  readonly #levels: [Map<number, MdLevel>, Map<number, MdLevel>] = [new Map(), new Map()];
  #bestBid = 0;
  #bestAsk = 0;
  #bestDirty = false;
  mdSeq = 0;
  /** Pending changes since the last publish: side, price → latest aggregate. */
  readonly #pending: [Map<number, MdLevel>, Map<number, MdLevel>] = [new Map(), new Map()];
  #pendingOrder: { side: number; priceTicks: number }[] = [];

  constructor(marketId: number) {
    this.marketId = marketId;
  }

  /** Applies one level event. */
  applyLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    const book = this.#levels[side];
    if (totalLots === 0) {
      book.delete(priceTicks);
      // Only losing the best level needs a rescan (O(levels), done lazily in bbo()).
      if (priceTicks === (side === Side.BUY ? this.#bestBid : this.#bestAsk)) this.#bestDirty = true;
    } else {
      const lvl = book.get(priceTicks);
      if (lvl) {
        lvl.totalLots = totalLots;
        lvl.orderCount = orderCount;
      } else {
        book.set(priceTicks, { priceTicks, totalLots, orderCount });
        if (side === Side.BUY ? priceTicks > this.#bestBid : this.#bestAsk === 0 || priceTicks < this.#bestAsk) {
          if (!this.#bestDirty) {
            if (side === Side.BUY) this.#bestBid = priceTicks;
            else this.#bestAsk = priceTicks;
          }
        }
      }
    }
    const pend = this.#pending[side];
    const p = pend.get(priceTicks);
    if (p) {
      p.totalLots = totalLots;
      p.orderCount = orderCount;
    } else {
      pend.set(priceTicks, { priceTicks, totalLots, orderCount });
      this.#pendingOrder.push({ side, priceTicks });
    }
  }

  hasPending(): boolean {
    return this.#pendingOrder.length > 0;
  }

  /**
   * Takes the pending changes as one update (advancing mdSeq), or undefined if none.
   * Returned arrays are fresh: publish them to any number of sessions.
   */
  takeUpdate(): { mdSeq: number; bids: MdLevel[]; asks: MdLevel[] } | undefined {
    if (this.#pendingOrder.length === 0) return undefined;
    const bids: MdLevel[] = [];
    const asks: MdLevel[] = [];
    for (const { side, priceTicks } of this.#pendingOrder) {
      const lvl = this.#pending[side].get(priceTicks)!;
      (side === Side.BUY ? bids : asks).push(lvl);
    }
    this.#pending[0].clear();
    this.#pending[1].clear();
    this.#pendingOrder = [];
    this.mdSeq++;
    return { mdSeq: this.mdSeq, bids, asks };
  }

  /** Best `depth` levels per side, best first, with the mdSeq they reflect. */
  snapshot(depth: number): { mdSeq: number; bids: MdLevel[]; asks: MdLevel[] } {
    const pick = (side: number): MdLevel[] => {
      const all = [...this.#levels[side].values()];
      all.sort((a, b) => (side === Side.BUY ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks));
      return all.slice(0, depth).map((l) => ({ ...l }));
    };
    return { mdSeq: this.mdSeq, bids: pick(Side.BUY), asks: pick(Side.SELL) };
  }

  #refreshBest(): void {
    if (!this.#bestDirty) return;
    this.#bestDirty = false;
    let bb = 0;
    for (const p of this.#levels[0].keys()) if (p > bb) bb = p;
    let ba = 0;
    for (const p of this.#levels[1].keys()) if (ba === 0 || p < ba) ba = p;
    this.#bestBid = bb;
    this.#bestAsk = ba;
  }

  /** Best bid/ask (0 price = none). */
  bbo(): { bidPriceTicks: number; bidLots: number; askPriceTicks: number; askLots: number } {
    this.#refreshBest();
    return {
      bidPriceTicks: this.#bestBid,
      bidLots: this.#bestBid ? this.#levels[0].get(this.#bestBid)!.totalLots : 0,
      askPriceTicks: this.#bestAsk,
      askLots: this.#bestAsk ? this.#levels[1].get(this.#bestAsk)!.totalLots : 0,
    };
  }

  levelCount(side: number): number {
    return this.#levels[side].size;
  }
}
