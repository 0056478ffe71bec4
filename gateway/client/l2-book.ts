/**
 * A client's local copy of one market's L2 book, built from an L2_SNAPSHOT and the
 * L2_UPDATEs after it (docs/protocol-binary.md, "Market data"). Levels are kept in
 * maps keyed by price and sorted when read (clients read far less often than they
 * apply updates).
 *
 * Horizon: a snapshot carries at most `depth` levels per side. When a side was not
 * complete (SnapshotFlag), levels worse than the worst snapshot level are unknown
 * until an update touches them, so `bids(n)` / `asks(n)` only return levels at or
 * better than that side's horizon; `horizonPriceTicks(side)` exposes it.
 */
import { SnapshotFlag } from '../binary/frames.js';
import type { L2Level, L2SnapshotFrame } from '../binary/client-decode.js';

export interface BookLevel {
  priceTicks: number;
  totalLots: number;
  orderCount: number;
}

export class L2Book {
  readonly #bids = new Map<number, BookLevel>();
  readonly #asks = new Map<number, BookLevel>();
  /** Worst price the snapshot covered per side; undefined = the side was complete (no horizon). */
  #bidHorizon: number | undefined;
  #askHorizon: number | undefined;
  seq = 0;

  constructor(readonly marketId: number) {}

  applySnapshot(s: L2SnapshotFrame): void {
    this.#bids.clear();
    this.#asks.clear();
    for (const l of s.bids) this.#bids.set(l.priceTicks, { priceTicks: l.priceTicks, totalLots: l.totalLots, orderCount: l.orderCount });
    for (const l of s.asks) this.#asks.set(l.priceTicks, { priceTicks: l.priceTicks, totalLots: l.totalLots, orderCount: l.orderCount });
    this.#bidHorizon = s.flags & SnapshotFlag.BIDS_COMPLETE ? undefined : (s.bids.at(-1)?.priceTicks ?? Number.MAX_SAFE_INTEGER);
    this.#askHorizon = s.flags & SnapshotFlag.ASKS_COMPLETE ? undefined : (s.asks.at(-1)?.priceTicks ?? 0);
    this.seq = s.seq;
  }

  applyLevels(levels: readonly L2Level[], seq: number): void {
    for (const l of levels) {
      const side = l.side === 0 ? this.#bids : this.#asks;
      if (l.totalLots === 0) side.delete(l.priceTicks);
      else side.set(l.priceTicks, { priceTicks: l.priceTicks, totalLots: l.totalLots, orderCount: l.orderCount });
    }
    this.seq = seq;
  }

  /** Best bids first, at most n, within the horizon. */
  bids(n = Infinity): BookLevel[] {
    const h = this.#bidHorizon;
    return [...this.#bids.values()]
      .filter((l) => h === undefined || l.priceTicks >= h)
      .sort((a, b) => b.priceTicks - a.priceTicks)
      .slice(0, n);
  }

  /** Best asks first, at most n, within the horizon. */
  asks(n = Infinity): BookLevel[] {
    const h = this.#askHorizon;
    return [...this.#asks.values()]
      .filter((l) => h === undefined || l.priceTicks <= h)
      .sort((a, b) => a.priceTicks - b.priceTicks)
      .slice(0, n);
  }

  bestBid(): BookLevel | undefined {
    return this.bids(1)[0];
  }

  bestAsk(): BookLevel | undefined {
    return this.asks(1)[0];
  }

  /** The worst price the last snapshot covered on a side (0 BUY, 1 SELL), or undefined when that side was complete. */
  horizonPriceTicks(side: number): number | undefined {
    return side === 0 ? this.#bidHorizon : this.#askHorizon;
  }
}
