import { Prng } from '../../engine/util/prng.js';
import { OpStream, PlaceKind } from './op-stream.js';
import { SimBook } from './sim-book.js';

/** Centre of every workload's prices: the market's initial mark (BTC-like, $100,000 at 0.1 tick). */
export const MID_TICKS = 1_000_000;
/** ±50% band (spec priceBandPpm 500_000): every workload price lies far inside it. */
export const BAND_PPM = 500_000;
/**
 * Buyers are accounts 1..N, sellers N+1..2N. An order only ever matches the other
 * side, so a taker never meets its own account: self-trade prevention never fires
 * and every engine does the same matching.
 */
export const ACCOUNTS_PER_SIDE = 1000;

/** Writes ops into an OpStream while keeping the SimBook in step, so targets are always live orders. */
export class Generator {
  readonly rng: Prng;
  readonly stream: OpStream;
  readonly sim: SimBook;

  constructor(seed: number, capacity: number, trackedPrices: readonly number[] = []) {
    this.rng = new Prng(seed);
    this.stream = new OpStream(capacity);
    const bandLow = Math.ceil((MID_TICKS * (1_000_000 - BAND_PPM)) / 1_000_000);
    const bandHigh = Math.floor((MID_TICKS * (1_000_000 + BAND_PPM)) / 1_000_000);
    this.sim = new SimBook(capacity, bandLow, bandHigh, trackedPrices);
  }

  get count(): number {
    return this.stream.count;
  }

  account(side: number): number {
    return 1 + side * ACCOUNTS_PER_SIDE + Math.floor(this.rng.next() * ACCOUNTS_PER_SIDE);
  }

  side(): number {
    return this.rng.nextU32() & 1;
  }

  lots(max = 100): number {
    return this.rng.int(1, max);
  }

  place(kind: number, side: number, price: number, lots: number): number {
    const p = kind === PlaceKind.MARKET ? 0 : this.#inBand(price);
    const acct = this.account(side);
    const id = this.stream.place(kind, side, p, lots, acct);
    this.sim.place(id, kind, side, p, lots, acct);
    return id;
  }

  cancel(id: number): void {
    this.stream.cancel(id, this.sim.side[id], this.sim.account[id]);
    this.sim.cancel(id);
  }

  /** Moves a resting order to `price` (made different from its current price). */
  modify(id: number, price: number): void {
    const side = this.sim.side[id];
    let p = this.#inBand(price);
    if (p === this.sim.price[id]) p += side === 0 ? -1 : 1;
    this.stream.modify(id, side, p, this.sim.account[id]);
    this.sim.modify(id, p);
  }

  /**
   * A non-crossing price near the own side's best: best + 1 tick (improving, when the
   * spread allows) down to `maxOff` ticks behind it, skewed toward the touch (u²).
   */
  passivePrice(side: number, maxOff: number): number {
    const s = this.sim;
    const own = s.best(side);
    const opp = s.best(side ^ 1);
    const off = Math.floor(this.rng.next() ** 2 * (maxOff + 1));
    if (side === 0) {
      const anchor = own !== 0 ? own : opp !== 0 ? opp - 1 : MID_TICKS - 1;
      const p = anchor + 1 - off;
      return opp !== 0 && p >= opp ? opp - 1 : p;
    }
    const anchor = own !== 0 ? own : opp !== 0 ? opp + 1 : MID_TICKS + 1;
    const p = anchor - 1 + off;
    return opp !== 0 && p <= opp ? opp + 1 : p;
  }

  /** A price that crosses the opposite best by 0..maxOff ticks (passive if that side is empty). */
  crossingPrice(side: number, maxOff: number): number {
    const opp = this.sim.best(side ^ 1);
    if (opp === 0) return this.passivePrice(side, maxOff);
    const off = this.rng.int(0, maxOff);
    return side === 0 ? opp + off : opp - off;
  }

  #inBand(p: number): number {
    return Math.min(this.sim.bandHigh, Math.max(this.sim.bandLow, p));
  }
}
