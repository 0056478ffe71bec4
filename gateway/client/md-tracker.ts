/**
 * Market-data sequence tracking for one connection (docs/protocol-binary.md,
 * "Sequence numbers and gaps"). Pure logic, no I/O: the client feeds it frames and
 * acts on what it returns (emit a gap, send a RESYNC).
 *
 * Each market has three independent sequences, one per channel: L2 (L2_UPDATE seq
 * increments by exactly 1; an L2_SNAPSHOT carries the seq of the last update it
 * includes), TRADES, and BBO. A channel's first message after (re)subscribing sets its
 * baseline; afterwards any jump is a gap.
 *
 * L2 state machine per market:
 *   AWAITING_SNAPSHOT  updates are buffered (bounded); a snapshot with seq S applies,
 *                      then buffered updates with seq > S are replayed in order → SYNCED,
 *                      or → gap if they do not continue S.
 *   SYNCED             seq ≤ last: stale, ignored; seq = last + 1: applied; otherwise a gap:
 *                      the update is kept in the buffer and the market goes back to
 *                      AWAITING_SNAPSHOT (the client sends RESYNC).
 * TRADES and BBO cannot be re-fetched: a gap is reported and tracking continues.
 */
import type { BboFrame, L2SnapshotFrame, L2UpdateFrame, TradeFrame } from '../binary/client-decode.js';
import { L2Book } from './l2-book.js';

export type MdChannel = 'l2' | 'trades' | 'bbo';

export interface GapEvent {
  marketId: number;
  channel: MdChannel;
  expectedSeq: number;
  receivedSeq: number;
}

export const DEFAULT_MAX_BUFFERED_UPDATES = 10_000;

class MarketState {
  l2Synced = false;
  /** Buffered updates while awaiting a snapshot, ascending by arrival. */
  pending: L2UpdateFrame[] = [];
  tradeSeq = -1;
  bboSeq = -1;
  constructor(readonly book: L2Book) {}
}

export interface L2Outcome {
  /** The local book changed (snapshot applied, or updates applied). */
  bookChanged: boolean;
  /** A gap was detected; the caller should resync L2 for this market. */
  gap?: GapEvent;
}

export class MarketDataTracker {
  readonly #markets = new Map<number, MarketState>();

  constructor(readonly maxBufferedUpdates = DEFAULT_MAX_BUFFERED_UPDATES) {}

  #state(marketId: number): MarketState {
    let s = this.#markets.get(marketId);
    if (!s) this.#markets.set(marketId, (s = new MarketState(new L2Book(marketId))));
    return s;
  }

  book(marketId: number): L2Book | undefined {
    const s = this.#markets.get(marketId);
    return s && s.l2Synced ? s.book : undefined;
  }

  isL2Synced(marketId: number): boolean {
    return this.#markets.get(marketId)?.l2Synced ?? false;
  }

  /** Forget a market's channel state (on SUBSCRIBE / UNSUBSCRIBE: the next message sets a new baseline). */
  reset(marketId: number, l2: boolean, trades: boolean, bbo: boolean): void {
    const s = this.#state(marketId);
    if (l2) {
      s.l2Synced = false;
      s.pending = [];
    }
    if (trades) s.tradeSeq = -1;
    if (bbo) s.bboSeq = -1;
  }

  onL2Snapshot(f: L2SnapshotFrame): L2Outcome {
    const s = this.#state(f.marketId);
    s.book.applySnapshot(f);
    s.l2Synced = true;
    const pending = s.pending;
    s.pending = [];
    let gap: GapEvent | undefined;
    for (const u of pending) {
      if (gap) {
        s.pending.push(u);
        continue;
      }
      if (u.seq <= s.book.seq) continue;
      if (u.seq === s.book.seq + 1) s.book.applyLevels(u.levels, u.seq);
      else gap = this.#l2Gap(s, f.marketId, u);
    }
    return { bookChanged: true, gap };
  }

  onL2Update(f: L2UpdateFrame): L2Outcome {
    const s = this.#state(f.marketId);
    if (!s.l2Synced) {
      this.#buffer(s, f);
      return { bookChanged: false };
    }
    if (f.seq <= s.book.seq) return { bookChanged: false };
    if (f.seq === s.book.seq + 1) {
      s.book.applyLevels(f.levels, f.seq);
      return { bookChanged: true };
    }
    return { bookChanged: false, gap: this.#l2Gap(s, f.marketId, f) };
  }

  #l2Gap(s: MarketState, marketId: number, f: L2UpdateFrame): GapEvent {
    const gap: GapEvent = { marketId, channel: 'l2', expectedSeq: s.book.seq + 1, receivedSeq: f.seq };
    s.l2Synced = false;
    this.#buffer(s, f);
    return gap;
  }

  #buffer(s: MarketState, f: L2UpdateFrame): void {
    // Full: drop the oldest. If the snapshot turns out older than what was dropped, the
    // replay sees a jump and reports a gap, so nothing is applied out of order.
    if (s.pending.length >= this.maxBufferedUpdates) s.pending.shift();
    s.pending.push(f);
  }

  onTrade(f: TradeFrame): GapEvent | undefined {
    const s = this.#state(f.marketId);
    const last = s.tradeSeq;
    if (last >= 0 && f.seq <= last) return undefined;
    s.tradeSeq = f.seq;
    if (last >= 0 && f.seq !== last + 1) return { marketId: f.marketId, channel: 'trades', expectedSeq: last + 1, receivedSeq: f.seq };
    return undefined;
  }

  onBbo(f: BboFrame): GapEvent | undefined {
    const s = this.#state(f.marketId);
    const last = s.bboSeq;
    if (last >= 0 && f.seq <= last) return undefined;
    s.bboSeq = f.seq;
    if (last >= 0 && f.seq !== last + 1) return { marketId: f.marketId, channel: 'bbo', expectedSeq: last + 1, receivedSeq: f.seq };
    return undefined;
  }
}
