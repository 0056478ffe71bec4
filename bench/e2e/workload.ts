/**
 * The seeded order mix of the end-to-end benchmark, planned per connection (one
 * connection = one demo account) before anything is timed.
 *
 * Nominal mix per op (MIX_DEFAULTS):
 *   60% PLACE   GTC limit that rests: a buy 1..restDepthTicks ticks below the mark, a
 *               sell as far above (denser near the mark: offset 1 + ⌊u² × depth⌋),
 *               1..maxRestLots lots;
 *   20% CANCEL  of one of this account's own resting orders (uniformly among those
 *               placed at least `minTargetAge` placements ago in that market, so its
 *               ACCEPTED has normally arrived and the cancel can name its order id);
 *   10% IOC     limit crossing the mark by iocCrossTicks (buy above, sell below),
 *               1..maxIocLots lots: it trades with other accounts' resting orders;
 *   10% MODIFY  price move of one of the account's resting orders (same side, new
 *               offset, size kept).
 * Markets are chosen uniformly. Resting orders never cross (buys below the mark,
 * sells above); only IOCs trade, and only against other accounts' orders unless
 * self-trade prevention (the account default, expire taker) stops them.
 *
 * Bounds: an account keeps at most `maxLivePerMarket` (default 800) of its orders
 * live per market, under the markets' maxOpenOrdersPerAccount of 1,000: at the
 * bound a PLACE becomes a CANCEL; a CANCEL or MODIFY with no eligible target becomes
 * a PLACE. The realised mix is counted and reported. The model does not know which
 * resting orders other accounts' IOCs filled completely, so a few cancels and
 * modifies target orders that are gone and are REJECTED (reported by code).
 *
 * Deterministic: the plan is a function of the seed and the op counts asked for.
 */
import { Prng } from '../../engine/util/prng.js';

export const OpKind = { PLACE: 0, CANCEL: 1, IOC: 2, MODIFY: 3 } as const;
export const OP_KIND_NAMES = ['place', 'cancel', 'ioc', 'modify'] as const;

export interface MixOptions {
  place: number;
  cancel: number;
  ioc: number;
  modify: number;
  maxLivePerMarket: number;
  minTargetAge: number;
  restDepthTicks: number;
  iocCrossTicks: number;
  maxRestLots: number;
  maxIocLots: number;
}

export const MIX_DEFAULTS: MixOptions = {
  place: 0.6,
  cancel: 0.2,
  ioc: 0.1,
  modify: 0.1,
  maxLivePerMarket: 800,
  minTargetAge: 8,
  restDepthTicks: 50,
  iocCrossTicks: 5,
  maxRestLots: 10,
  maxIocLots: 3,
};

export interface WorkloadMarket {
  marketId: number;
  markTicks: number;
}

/** Planned ops in columns (one row per op). `target` is the plan index of the order a CANCEL/MODIFY acts on, else −1. */
export interface PlannedOps {
  /** Plan index of row 0 (plan indices count every op of this connection, across steps). */
  base: number;
  count: number;
  kind: Uint8Array;
  marketId: Uint16Array;
  side: Uint8Array;
  priceTicks: Float64Array;
  sizeLots: Float64Array;
  target: Float64Array;
}

/** One market's live orders of the account, in placement order (oldest first). */
interface Live {
  planIdx: number[];
  side: number[];
  price: number[];
  /** Placement number in this market (1, 2, …): age = placements − placedAt. */
  placedAt: number[];
}

/** Plans one connection's ops step after step; keeps its model of the account's live orders between steps. */
export class ConnectionPlanner {
  readonly #rng: Prng;
  readonly #mix: MixOptions;
  readonly #markets: readonly WorkloadMarket[];
  readonly #live: Live[];
  /** Placements per market so far. */
  readonly #placements: number[];
  #next = 0;
  /** Ops planned per kind (realised mix), and how many changed kind to respect a bound. */
  readonly realised = [0, 0, 0, 0];
  conversions = 0;

  constructor(seed: number, markets: readonly WorkloadMarket[], mix: Partial<MixOptions> = {}) {
    this.#rng = new Prng(seed);
    this.#mix = { ...MIX_DEFAULTS, ...mix };
    const m = this.#mix;
    const total = m.place + m.cancel + m.ioc + m.modify;
    if (Math.abs(total - 1) > 1e-9) throw new RangeError(`mix fractions must add up to 1, got ${total}`);
    if (markets.length === 0) throw new RangeError('no markets');
    this.#markets = markets;
    this.#live = markets.map(() => ({ planIdx: [], side: [], price: [], placedAt: [] }));
    this.#placements = markets.map(() => 0);
  }

  /** Live orders per market in the model. */
  liveCounts(): number[] {
    return this.#live.map((l) => l.planIdx.length);
  }

  plan(count: number): PlannedOps {
    const out: PlannedOps = {
      base: this.#next,
      count,
      kind: new Uint8Array(count),
      marketId: new Uint16Array(count),
      side: new Uint8Array(count),
      priceTicks: new Float64Array(count),
      sizeLots: new Float64Array(count),
      target: new Float64Array(count).fill(-1),
    };
    const m = this.#mix;
    const r = this.#rng;
    for (let i = 0; i < count; i++) {
      const u = r.next();
      let kind: number = u < m.place ? OpKind.PLACE : u < m.place + m.cancel ? OpKind.CANCEL : u < m.place + m.cancel + m.ioc ? OpKind.IOC : OpKind.MODIFY;
      let mi = r.int(0, this.#markets.length - 1);
      if (kind === OpKind.PLACE && this.#live[mi].planIdx.length >= m.maxLivePerMarket) {
        kind = OpKind.CANCEL;
        this.conversions++;
      }
      if (kind === OpKind.CANCEL || kind === OpKind.MODIFY) {
        const found = this.#marketWithTarget(mi);
        if (found < 0) {
          kind = OpKind.PLACE;
          this.conversions++;
        } else mi = found;
      }
      this.#planOne(out, i, kind, mi);
      this.realised[kind]++;
      this.#next++;
    }
    return out;
  }

  /** `preferred` if it has an eligible target, else the next market that has one, else −1. */
  #marketWithTarget(preferred: number): number {
    const n = this.#markets.length;
    for (let k = 0; k < n; k++) {
      const mi = (preferred + k) % n;
      if (this.#eligible(mi) > 0) return mi;
    }
    return -1;
  }

  /**
   * Live orders of market `mi` old enough to target: a prefix of the live list (it is
   * in placement order), found by skipping at most minTargetAge young ones at its end.
   */
  #eligible(mi: number): number {
    const live = this.#live[mi];
    const youngest = this.#placements[mi] - this.#mix.minTargetAge;
    let n = live.planIdx.length;
    while (n > 0 && live.placedAt[n - 1] > youngest) n--;
    return n;
  }

  #restPrice(mi: number, side: number): number {
    const u = this.#rng.next();
    const offset = 1 + Math.floor(u * u * this.#mix.restDepthTicks);
    const mark = this.#markets[mi].markTicks;
    return side === 0 ? mark - offset : mark + offset;
  }

  #planOne(out: PlannedOps, i: number, kind: number, mi: number): void {
    const r = this.#rng;
    const m = this.#mix;
    const market = this.#markets[mi];
    const planIdx = this.#next;
    out.kind[i] = kind;
    out.marketId[i] = market.marketId;
    const live = this.#live[mi];
    switch (kind) {
      case OpKind.PLACE: {
        const side = r.int(0, 1);
        const price = this.#restPrice(mi, side);
        out.side[i] = side;
        out.priceTicks[i] = price;
        out.sizeLots[i] = r.int(1, m.maxRestLots);
        live.planIdx.push(planIdx);
        live.side.push(side);
        live.price.push(price);
        live.placedAt.push(++this.#placements[mi]);
        return;
      }
      case OpKind.IOC: {
        const side = r.int(0, 1);
        out.side[i] = side;
        out.priceTicks[i] = side === 0 ? market.markTicks + m.iocCrossTicks : market.markTicks - m.iocCrossTicks;
        out.sizeLots[i] = r.int(1, m.maxIocLots);
        return;
      }
      case OpKind.CANCEL: {
        const row = r.int(0, this.#eligible(mi) - 1);
        out.target[i] = live.planIdx[row];
        out.side[i] = live.side[row];
        out.priceTicks[i] = live.price[row];
        live.planIdx.splice(row, 1);
        live.side.splice(row, 1);
        live.price.splice(row, 1);
        live.placedAt.splice(row, 1);
        return;
      }
      case OpKind.MODIFY: {
        const row = r.int(0, this.#eligible(mi) - 1);
        const side = live.side[row];
        let price = this.#restPrice(mi, side);
        if (price === live.price[row]) price = side === 0 ? price - 1 : price + 1;
        out.target[i] = live.planIdx[row];
        out.side[i] = side;
        out.priceTicks[i] = price;
        live.price[row] = price;
        return;
      }
    }
  }
}

/** Rows of connection c when a process's `total` ops go round-robin over `connections` connections. */
export const rowsOfConnection = (total: number, connections: number, c: number): number => (c < total ? Math.floor((total - 1 - c) / connections) + 1 : 0);

/** What a generator reports of its planners after a prepare: realised mix per kind, kind conversions, live orders. */
export function plannedMix(planners: readonly ConnectionPlanner[]): { realisedMix: number[]; conversions: number; live: number } {
  const realisedMix = [0, 0, 0, 0];
  let conversions = 0;
  let live = 0;
  for (const p of planners) {
    p.realised.forEach((v, i) => (realisedMix[i] += v));
    conversions += p.conversions;
    for (const n of p.liveCounts()) live += n;
  }
  return { realisedMix, conversions, live };
}
