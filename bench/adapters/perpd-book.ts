import { existsSync } from 'node:fs';
import { Command, Op } from '../../engine/command.js';
import type { MarketEngine, MarketEngineFactory } from '../../engine/market-engine.js';
import { makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../../engine/market-spec.js';
import { OrderType, StpMode, TimeInForce } from '../../engine/types.js';
import { BAND_PPM, MID_TICKS } from '../workloads/generator.js';
import { BookOp, type OpStream, PlaceKind } from '../workloads/op-stream.js';
import type { BookAdapter, AdapterCounters } from './adapter.js';
import { CountingSink } from './counting-sink.js';

/**
 * The engines this adapter can drive. Loaded by path at run time (not a static
 * import) so the bench compiles while an engine module is still being written.
 */
const ENGINES = {
  fast: { module: '../../engine/book/fast-market.js', export: 'createFastMarket' },
  reference: { module: '../../engine/reference/reference-market.js', export: 'createReferenceMarket' },
} as const;
export type PerpdEngineKind = keyof typeof ENGINES;

export function perpdEngineAvailable(kind: PerpdEngineKind): boolean {
  return existsSync(new URL(ENGINES[kind].module, import.meta.url));
}

export async function loadPerpdEngine(kind: PerpdEngineKind): Promise<MarketEngineFactory> {
  const e = ENGINES[kind];
  if (!perpdEngineAvailable(kind)) throw new Error(`perpd ${kind} engine not built: ${new URL(e.module, import.meta.url).pathname} is missing`);
  const mod = (await import(e.module)) as Record<string, unknown>;
  const factory = mod[e.export];
  if (typeof factory !== 'function') throw new Error(`${e.module} does not export ${e.export}`);
  return factory as MarketEngineFactory;
}

/**
 * A BTC-like market whose limits never get in the benchmark's way: ±50% band around
 * the mark (every workload price is within a few thousand ticks of MID), the largest
 * open-order limit the spec validator allows (1,000,000 per account), PRD tiers.
 */
export function benchMarketSpec(): MarketSpec {
  return makeMarketSpec({
    marketId: 0,
    symbol: 'BENCH-PERP',
    tickSize: '0.1',
    lotSize: '0.00001',
    minOrderLots: 1,
    maxOrderLots: 50_000_000,
    maxPositionLots: 100_000_000,
    maxPriceTicks: 10_000_000,
    makerFeePpm: 200,
    takerFeePpm: 500,
    priceBandPpm: BAND_PPM,
    maxOpenOrdersPerAccount: 1_000_000,
    tiers: prdLeverageTiers(),
    initialMarkPriceTicks: MID_TICKS,
  });
}

/**
 * Drives a perpd MarketEngine through ONE preallocated Command whose fields are
 * overwritten per op (seq = i + 1, and a PLACE's order id = its seq, so ids strictly
 * increase). No allocation per op in the adapter. Sink: CountingSink.
 */
export class PerpdBookAdapter implements BookAdapter {
  readonly name: string;
  readonly #cmd = new Command();
  readonly #spec = benchMarketSpec();
  #sink = new CountingSink();
  #engine: MarketEngine;

  constructor(
    kind: PerpdEngineKind,
    private readonly factory: MarketEngineFactory,
    private readonly s: OpStream,
  ) {
    this.name = `perpd-${kind}`;
    this.#engine = factory(this.#spec, this.#sink);
    const c = this.#cmd;
    c.marketId = this.#spec.marketId;
    c.stpMode = StpMode.EXPIRE_TAKER;
  }

  reset(): void {
    this.#sink = new CountingSink();
    this.#engine = this.factory(this.#spec, this.#sink);
  }

  step(i: number): void {
    const s = this.s;
    const c = this.#cmd;
    c.seq = i + 1;
    c.tsUs = i + 1;
    c.orderId = s.orderId[i];
    c.accountId = s.account[i];
    c.side = s.side[i];
    c.priceTicks = s.price[i];
    const op = s.op[i];
    if (op === BookOp.PLACE) {
      const kind = s.kind[i];
      c.op = Op.PLACE;
      c.orderType = kind === PlaceKind.MARKET ? OrderType.MARKET : OrderType.LIMIT;
      c.tif = kind === PlaceKind.GTC ? TimeInForce.GTC : TimeInForce.IOC;
      c.sizeLots = s.size[i];
      c.preheldLots = s.size[i];
    } else if (op === BookOp.CANCEL) {
      c.op = Op.CANCEL;
    } else {
      c.op = Op.MODIFY;
      c.sizeLots = 0; // keep the remaining size: a pure price move
      c.preheldLots = 0;
    }
    this.#engine.process(c);
  }

  counters(): AdapterCounters {
    return { fills: this.#sink.fills, rejects: this.#sink.rejects, resting: this.#engine.liveOrderCount() };
  }
}

export async function createPerpdAdapter(kind: PerpdEngineKind, stream: OpStream): Promise<PerpdBookAdapter> {
  return new PerpdBookAdapter(kind, await loadPerpdEngine(kind), stream);
}
