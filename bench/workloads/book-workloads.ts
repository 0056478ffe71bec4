import { Generator, MID_TICKS } from './generator.js';
import { OpStream, PlaceKind } from './op-stream.js';

/**
 * Seeded book workloads (bench/README.md describes each mix). A workload is one
 * pre-generated OpStream split into three consecutive parts:
 *
 *   [0, setupOps)                 builds the starting book; applied untimed before each repetition
 *   [setupOps, measuredFrom)      warm-up: applied, never measured (JIT tiers up, book reaches steady state)
 *   [measuredFrom, stream.count)  measured: throughput and latency figures cover these ops only
 *
 * Generation runs before any timing and uses only the seeded Prng (no clock, no Math.random).
 */
export interface BookWorkload {
  name: string;
  summary: string;
  stream: OpStream;
  setupOps: number;
  warmupOps: number;
  measuredFrom: number;
  measuredOps: number;
  /**
   * The baseline (nodejs-order-book, O(level size) per cancel) runs ops
   * [baselineFrom, baselineFrom + baselineOps): fewer ops, and on the slow workloads a
   * shorter warm-up (baselineFrom < measuredFrom) so that its untimed warm-up does not
   * take minutes. Same stream, same mix, the book already at its target size.
   */
  baselineFrom: number;
  baselineOps: number;
  /** Generator's view of the book over the measured part (sanity: does the workload do what it says). */
  shape: {
    restingAtStart: number;
    restingMin: number;
    restingMax: number;
    restingAtEnd: number;
    fillsPerMeasuredOp: number;
    bidLevelsAtEnd: number;
    askLevelsAtEnd: number;
    trackedAtEnd: number;
  };
}

export const BOOK_WORKLOADS = ['exchange-core', 'deep-book', 'match-heavy', 'single-level-deep-queue'] as const;
export type BookWorkloadName = (typeof BOOK_WORKLOADS)[number];

interface Plan {
  summary: string;
  warmup: number;
  measured: number;
  baseline: number;
  /** Warm-up ops of the baseline (default: `warmup`). */
  baselineWarmup?: number;
  tracked?: number[];
  setup(g: Generator): void;
  step(g: Generator): void;
}

/**
 * (a) exchange-core: like exchange-core's own benchmark. ~1k resting orders; per op
 * 9% GTC limit, 3% IOC, 6% cancel, 82% modify-price (move a random resting order to
 * a new price within 40 ticks of its side's best). The resting count is held near 1k
 * by how aggressive orders are: below 1k every GTC rests and 1% of moves cross;
 * above it 60% of GTCs and 15% of moves cross (and take liquidity); below 950 a
 * cancel becomes a passive GTC (the realised mix is stored in book.json).
 */
function exchangeCore(): Plan {
  const target = 1000;
  return {
    summary: '~1k resting; 9% GTC, 3% IOC, 6% cancel, 82% modify-price (some moves cross)',
    warmup: 200_000,
    measured: 3_000_000,
    baseline: 200_000,
    setup(g) {
      for (let i = 0; i < target; i++) {
        const side = i & 1;
        g.place(PlaceKind.GTC, side, g.passivePrice(side, 40), g.lots());
      }
    },
    step(g) {
      const r = g.rng.next();
      const live = g.sim.live;
      const below = live.size < target;
      if (r < 0.09 || live.size < 2 || (r >= 0.12 && r < 0.18 && live.size < target * 0.95)) {
        const side = g.side();
        const passive = below || g.rng.chance(0.4);
        g.place(PlaceKind.GTC, side, passive ? g.passivePrice(side, 40) : g.crossingPrice(side, 3), passive ? g.lots() : g.lots(200));
      } else if (r < 0.12) {
        const side = g.side();
        g.place(PlaceKind.IOC, side, g.crossingPrice(side, 3), g.lots(50));
      } else if (r < 0.18) {
        g.cancel(live.pick(g.rng));
      } else {
        const id = live.pick(g.rng);
        const side = g.sim.side[id];
        g.modify(id, g.rng.chance(below ? 0.01 : 0.15) ? g.crossingPrice(side, 2) : g.passivePrice(side, 40));
      }
    },
  };
}

/**
 * (b) deep-book: ~100k resting orders over ~4k levels (bids MID-1..MID-2000, asks
 * MID+1..MID+2000, denser near the touch), four of them deep queues of ~10k orders
 * (MID±30, MID±120). Per op: 45% GTC place (to a deep queue while those hold < 40k,
 * else a spread level), 30% cancel (half a random order inside a deep queue, half a
 * random order elsewhere), 15% modify-price of a non-deep order to another spread
 * level, 10% market order of 1..60 lots. Place/cancel flip to hold 100k ±2%.
 */
function deepBook(): Plan {
  const target = 100_000;
  const deepPrices = [MID_TICKS - 30, MID_TICKS - 120, MID_TICKS + 30, MID_TICKS + 120];
  const deepTarget = 40_000;
  const spreadPrice = (g: Generator, side: number): number => {
    const off = 1 + Math.floor(g.rng.next() ** 2.5 * 2000);
    const p = side === 0 ? MID_TICKS - off : MID_TICKS + off;
    const opp = g.sim.best(side ^ 1);
    if (opp !== 0 && (side === 0 ? p >= opp : p <= opp)) return g.passivePrice(side, 20);
    return p;
  };
  const deepPlace = (g: Generator): void => {
    let best = deepPrices[0];
    let bestCount = Infinity;
    for (let i = 0; i < deepPrices.length; i++) {
      const side = i < 2 ? 0 : 1;
      const c = g.sim.level(side, deepPrices[i])?.count ?? 0;
      if (c < bestCount) {
        bestCount = c;
        best = deepPrices[i];
      }
    }
    const side = best < MID_TICKS ? 0 : 1;
    const opp = g.sim.best(side ^ 1);
    const crosses = opp !== 0 && (side === 0 ? best >= opp : best <= opp);
    g.place(PlaceKind.GTC, side, crosses ? g.passivePrice(side, 20) : best, g.lots());
  };
  const pickSpread = (g: Generator): number => {
    for (let tries = 0; tries < 64; tries++) {
      const id = g.sim.live.pick(g.rng);
      if (!g.sim.tracked.has(id)) return id;
    }
    return g.sim.live.pick(g.rng);
  };
  return {
    summary: '~100k resting, 4 queues of ~10k; 45% place, 30% cancel (half inside deep queues), 15% modify, 10% market',
    warmup: 50_000,
    measured: 1_000_000,
    baseline: 4_000,
    baselineWarmup: 1_000,
    tracked: deepPrices,
    setup(g) {
      for (let i = 0; i < target; i++) {
        if (g.rng.chance(0.4)) deepPlace(g);
        else {
          const side = g.side();
          g.place(PlaceKind.GTC, side, spreadPrice(g, side), g.lots());
        }
      }
    },
    step(g) {
      const live = g.sim.live.size;
      let r = g.rng.next();
      if (r < 0.75) r = live > target * 1.02 ? 0.6 : live < target * 0.98 ? 0.2 : r;
      if (r < 0.45) {
        if (g.sim.tracked.size < deepTarget) deepPlace(g);
        else {
          const side = g.side();
          g.place(PlaceKind.GTC, side, spreadPrice(g, side), g.lots());
        }
      } else if (r < 0.75) {
        const deep = g.rng.chance(0.5) && g.sim.tracked.size > 0;
        g.cancel(deep ? g.sim.tracked.pick(g.rng) : pickSpread(g));
      } else if (r < 0.9) {
        const id = pickSpread(g);
        g.modify(id, spreadPrice(g, g.sim.side[id]));
      } else {
        g.place(PlaceKind.MARKET, g.side(), 0, g.lots(60));
      }
    },
  };
}

/**
 * (c) match-heavy: a thin book (~15 levels per side, ~150 orders) around a slowly
 * drifting fair price, which aggressive orders keep sweeping (~0.8 fills per op; a
 * side is empty 0.6% of the time). Per op: 85% passive GTC place 1..20 ticks
 * from the fair price (never crossing; replenishes), 5% IOC limit priced at the k-th
 * opposite level (k = 2..5) sized to take every lot up to it, 5% market order sized
 * to sweep k = 2..5 levels, 5% cancel. Places turn into cancels above 600 resting.
 */
function matchHeavy(): Plan {
  const cap = 600;
  let fair = MID_TICKS;
  const passive = (g: Generator, side: number): number => {
    const off = 1 + Math.floor(g.rng.next() * 20);
    const opp = g.sim.best(side ^ 1);
    if (side === 0) return opp !== 0 && fair - off >= opp ? opp - 1 : fair - off;
    return opp !== 0 && fair + off <= opp ? opp + 1 : fair + off;
  };
  return {
    summary: '~15 levels/side, ~150 resting, replenished; 85% passive GTC, 5% IOC + 5% market sweeping 2-5 levels, 5% cancel',
    warmup: 50_000,
    measured: 2_000_000,
    baseline: 100_000,
    setup(g) {
      fair = MID_TICKS;
      for (let lvl = 1; lvl <= 20; lvl++) {
        for (let k = 0; k < 5; k++) {
          g.place(PlaceKind.GTC, 0, MID_TICKS - lvl, g.lots());
          g.place(PlaceKind.GTC, 1, MID_TICKS + lvl, g.lots());
        }
      }
    },
    step(g) {
      if (g.rng.chance(0.02)) fair += g.rng.chance(0.5) ? 1 : -1;
      const r = g.rng.next();
      if (r < 0.85) {
        if (g.sim.live.size > cap) g.cancel(g.sim.live.pick(g.rng));
        else {
          const side = g.side();
          g.place(PlaceKind.GTC, side, passive(g, side), g.lots());
        }
      } else if (r < 0.95) {
        const side = g.side();
        g.sim.walk(side ^ 1, g.rng.int(2, 5));
        if (g.sim.walkLevels === 0) g.place(PlaceKind.GTC, side, passive(g, side), g.lots());
        else if (r < 0.9) g.place(PlaceKind.IOC, side, g.sim.walkPrice, g.sim.walkLots);
        else g.place(PlaceKind.MARKET, side, 0, g.sim.walkLots);
      } else if (g.sim.live.size > 0) {
        g.cancel(g.sim.live.pick(g.rng));
      } else {
        g.place(PlaceKind.GTC, 0, passive(g, 0), g.lots());
      }
    },
  };
}

/**
 * (d) single-level-deep-queue: every resting order is a sell at MID+1: one FIFO queue
 * of ~50k orders. Per op: 48% place at the tail, 48% cancel of a uniformly random
 * order anywhere in the queue, 4% market buy of 1..150 lots (fills from the head).
 * Place/cancel flip to hold 50k ±2%.
 */
function singleLevel(): Plan {
  const target = 50_000;
  const price = MID_TICKS + 1;
  return {
    summary: '1 price level, ~50k orders; 48% place, 48% cancel at a random queue position, 4% market',
    warmup: 20_000,
    measured: 600_000,
    baseline: 1_500,
    baselineWarmup: 300,
    setup(g) {
      for (let i = 0; i < target; i++) g.place(PlaceKind.GTC, 1, price, g.lots());
    },
    step(g) {
      const live = g.sim.live.size;
      let r = g.rng.next();
      if (r < 0.96) r = live > target * 1.02 ? 0.7 : live < target * 0.98 ? 0.1 : r;
      if (r < 0.48) g.place(PlaceKind.GTC, 1, price, g.lots());
      else if (r < 0.96) g.cancel(g.sim.live.pick(g.rng));
      else g.place(PlaceKind.MARKET, 0, 0, g.lots(150));
    },
  };
}

const PLANS: Record<BookWorkloadName, () => Plan> = {
  'exchange-core': exchangeCore,
  'deep-book': deepBook,
  'match-heavy': matchHeavy,
  'single-level-deep-queue': singleLevel,
};

export function isBookWorkload(name: string): name is BookWorkloadName {
  return (BOOK_WORKLOADS as readonly string[]).includes(name);
}

/**
 * Generates a workload. `scale` multiplies the warm-up, measured and baseline op
 * counts (the quick suite uses a fraction); the starting book is never scaled.
 */
export function makeBookWorkload(name: BookWorkloadName, seed: number, scale = 1): BookWorkload {
  const plan = PLANS[name]();
  const warmup = Math.max(1, Math.round(plan.warmup * scale));
  const measured = Math.max(1, Math.round(plan.measured * scale));
  // Capacity: every plan's setup is at most 100k ops.
  const g = new Generator(seed, 200_000 + warmup + measured, plan.tracked);
  plan.setup(g);
  const setupOps = g.count;
  while (g.count < setupOps + warmup) plan.step(g);
  const measuredFrom = g.count;
  const fills0 = g.sim.fills;
  const restingAtStart = g.sim.liveCount;
  let restingMin = restingAtStart;
  let restingMax = restingAtStart;
  while (g.count < measuredFrom + measured) {
    plan.step(g);
    const n = g.sim.liveCount;
    if (n < restingMin) restingMin = n;
    if (n > restingMax) restingMax = n;
  }
  return {
    name,
    summary: plan.summary,
    stream: g.stream,
    setupOps,
    warmupOps: warmup,
    measuredFrom,
    measuredOps: measured,
    baselineFrom: setupOps + Math.min(warmup, plan.baselineWarmup ?? warmup),
    baselineOps: Math.max(1, Math.min(measured, Math.round(plan.baseline * scale))),
    shape: {
      restingAtStart,
      restingMin,
      restingMax,
      restingAtEnd: g.sim.liveCount,
      fillsPerMeasuredOp: Math.round(((g.sim.fills - fills0) / measured) * 1000) / 1000,
      bidLevelsAtEnd: g.sim.levelCount(0),
      askLevelsAtEnd: g.sim.levelCount(1),
      trackedAtEnd: g.sim.tracked.size,
    },
  };
}

/**
 * The memory workload: `n` non-crossing GTC orders over realistic levels (bids
 * MID-1..MID-5000, asks MID+1..MID+5000, denser near the touch: ~10k levels, ~100
 * orders per level on average). Every order rests.
 */
export function makeRestingFill(n: number, seed: number): OpStream {
  const g = new Generator(seed, n);
  for (let i = 0; i < n; i++) {
    const side = i & 1;
    const off = 1 + Math.floor(g.rng.next() ** 2 * 5000);
    g.stream.place(PlaceKind.GTC, side, side === 0 ? MID_TICKS - off : MID_TICKS + off, g.lots(), g.account(side));
  }
  return g.stream;
}
