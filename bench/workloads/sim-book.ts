import { LiveSet } from './live-set.js';
import { PlaceKind } from './op-stream.js';

/**
 * The generator's model of the book: price-time priority, fills at the maker's price,
 * MARKET orders limited to the price band, MODIFY = leave the level and execute again
 * at the new price (GTC, keeping the remaining size). That is docs/matching.md for
 * orders without STP, reduce-only, post-only or triggers, which the workloads never
 * use (buyers and sellers are disjoint account sets, so self-trades cannot occur).
 * It lets the generator know which orders are alive, so every CANCEL/MODIFY in a
 * stream targets a live order. Generator-only: never timed.
 */
class SimLevel {
  q: number[] = []; // entry tokens, FIFO; stale tokens are skipped lazily
  head = 0;
  count = 0;
  lots = 0;
}

export class SimBook {
  readonly live: LiveSet;
  /** Live orders resting at one of the `trackedPrices` (e.g. the deep queues). */
  readonly tracked: LiveSet;
  readonly remaining: Int32Array;
  readonly price: Int32Array;
  readonly side: Uint8Array;
  readonly account: Int32Array;
  bestBid = 0;
  bestAsk = 0;
  fills = 0;
  /** Filled by walk(): price of the last level reached, lots through it, levels seen. */
  walkPrice = 0;
  walkLots = 0;
  walkLevels = 0;

  readonly #levels: [Map<number, SimLevel>, Map<number, SimLevel>] = [new Map(), new Map()];
  readonly #trackedPrices: Set<number>;
  readonly #entry: Int32Array; // order id → its current queue token (0 = not resting)
  readonly #entryOrder: Int32Array; // token → order id
  #nextToken = 1;

  constructor(
    maxOrderId: number,
    readonly bandLow: number,
    readonly bandHigh: number,
    trackedPrices: readonly number[] = [],
  ) {
    this.live = new LiveSet(maxOrderId);
    this.tracked = new LiveSet(maxOrderId);
    this.remaining = new Int32Array(maxOrderId + 1);
    this.price = new Int32Array(maxOrderId + 1);
    this.side = new Uint8Array(maxOrderId + 1);
    this.account = new Int32Array(maxOrderId + 1);
    this.#entry = new Int32Array(maxOrderId + 1);
    this.#entryOrder = new Int32Array(maxOrderId + 2);
    this.#trackedPrices = new Set(trackedPrices);
  }

  get liveCount(): number {
    return this.live.size;
  }

  best(side: number): number {
    return side === 0 ? this.bestBid : this.bestAsk;
  }

  level(side: number, price: number): { count: number; lots: number } | undefined {
    return this.#levels[side].get(price);
  }

  levelCount(side: number): number {
    return this.#levels[side].size;
  }

  /** Would a `side` order limited at `limit` match now? */
  crosses(side: number, limit: number): boolean {
    return side === 0 ? this.bestAsk !== 0 && this.bestAsk <= limit : this.bestBid !== 0 && this.bestBid >= limit;
  }

  place(id: number, kind: number, side: number, price: number, lots: number, account: number): void {
    this.side[id] = side;
    this.account[id] = account;
    const limit = kind === PlaceKind.MARKET ? (side === 0 ? this.bandHigh : this.bandLow) : price;
    const rest = this.#execute(id, side, limit, lots);
    if (rest > 0 && kind === PlaceKind.GTC) this.#rest(id, side, price, rest);
  }

  cancel(id: number): void {
    this.#unlink(id);
  }

  /** Price change: the order leaves its level and executes again as GTC at the new price. */
  modify(id: number, newPrice: number): void {
    const lots = this.remaining[id];
    const side = this.side[id];
    this.#unlink(id);
    const rest = this.#execute(id, side, newPrice, lots);
    if (rest > 0) this.#rest(id, side, newPrice, rest);
  }

  /** Walks `side` from its best level outward over at most `levels` levels (sets walk*). */
  walk(side: number, levels: number): void {
    const map = this.#levels[side];
    let p = this.best(side);
    this.walkPrice = 0;
    this.walkLots = 0;
    this.walkLevels = 0;
    if (p === 0) return;
    const step = side === 0 ? -1 : 1;
    let seen = 0;
    while (seen < map.size && this.walkLevels < levels) {
      const lvl = map.get(p);
      if (lvl !== undefined) {
        seen++;
        this.walkLevels++;
        this.walkLots += lvl.lots;
        this.walkPrice = p;
      }
      p += step;
    }
  }

  #execute(takerId: number, side: number, limit: number, lots: number): number {
    const opp = side ^ 1;
    const map = this.#levels[opp];
    while (lots > 0 && this.crosses(side, limit)) {
      const p = opp === 0 ? this.bestBid : this.bestAsk;
      const lvl = map.get(p)!;
      let tok = lvl.q[lvl.head];
      let maker = this.#entryOrder[tok];
      while (this.#entry[maker] !== tok) {
        lvl.head++;
        tok = lvl.q[lvl.head];
        maker = this.#entryOrder[tok];
      }
      const q = Math.min(lots, this.remaining[maker]);
      lots -= q;
      this.remaining[maker] -= q;
      lvl.lots -= q;
      this.fills++;
      if (this.remaining[maker] === 0) {
        lvl.head++;
        this.#entry[maker] = 0;
        lvl.count--;
        this.live.remove(maker);
        this.tracked.remove(maker);
        if (lvl.count === 0) this.#dropLevel(opp, p);
        else this.#compact(lvl);
      }
    }
    this.remaining[takerId] = lots;
    return lots;
  }

  #rest(id: number, side: number, price: number, lots: number): void {
    const map = this.#levels[side];
    let lvl = map.get(price);
    if (lvl === undefined) {
      lvl = new SimLevel();
      map.set(price, lvl);
      if (side === 0) {
        if (this.bestBid === 0 || price > this.bestBid) this.bestBid = price;
      } else if (this.bestAsk === 0 || price < this.bestAsk) this.bestAsk = price;
    }
    const tok = this.#nextToken++;
    this.#entryOrder[tok] = id;
    this.#entry[id] = tok;
    lvl.q.push(tok);
    lvl.count++;
    lvl.lots += lots;
    this.price[id] = price;
    this.remaining[id] = lots;
    this.live.add(id);
    if (this.#trackedPrices.has(price)) this.tracked.add(id);
  }

  #unlink(id: number): void {
    const side = this.side[id];
    const price = this.price[id];
    const lvl = this.#levels[side].get(price);
    if (lvl === undefined || this.#entry[id] === 0) throw new Error(`sim: order ${id} is not resting`);
    this.#entry[id] = 0;
    lvl.count--;
    lvl.lots -= this.remaining[id];
    this.live.remove(id);
    this.tracked.remove(id);
    if (lvl.count === 0) this.#dropLevel(side, price);
    else this.#compact(lvl);
  }

  #compact(lvl: SimLevel): void {
    if (lvl.q.length > 64 && lvl.q.length > 4 * lvl.count) {
      const kept: number[] = [];
      for (let i = lvl.head; i < lvl.q.length; i++) {
        const tok = lvl.q[i];
        if (this.#entry[this.#entryOrder[tok]] === tok) kept.push(tok);
      }
      lvl.q = kept;
      lvl.head = 0;
    }
  }

  #dropLevel(side: number, price: number): void {
    const map = this.#levels[side];
    map.delete(price);
    if (price !== this.best(side)) return;
    let next = 0;
    if (map.size > 0) {
      const step = side === 0 ? -1 : 1;
      let p = price + step;
      for (let n = 0; n < 100_000 && !map.has(p); n++) p += step;
      if (map.has(p)) next = p;
      else for (const k of map.keys()) if (next === 0 || (side === 0 ? k > next : k < next)) next = k;
    }
    if (side === 0) this.bestBid = next;
    else this.bestAsk = next;
  }
}
