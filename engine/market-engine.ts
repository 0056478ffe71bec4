import type { Command } from './command.js';
import type { MarketEventSink } from './events.js';
import type { MarketSpec } from './market-spec.js';

/** One price level of an L2 view. */
export interface L2Level {
  priceTicks: number;
  totalLots: number;
  orderCount: number;
}

/** A live order as seen from outside (queries, tests). */
export interface OrderView {
  orderId: number;
  accountId: number;
  side: number;
  orderType: number;
  tif: number;
  flags: number;
  stpMode: number;
  priceTicks: number;
  remainingLots: number;
  filledLots: number;
  tsUs: number;
  cloid: [number, number, number, number];
  /** Trigger orders only (0 otherwise). */
  triggerKind: number;
  triggerPriceTicks: number;
  /** Order id of the OCO partner, 0 if none. */
  ocoOrderId: number;
}

/**
 * What every market engine implementation offers: the fast book (`engine/book/`)
 * and the naive reference book (`engine/reference/`). Semantics, validation order
 * and the exact sequence of sink calls are specified in docs/matching.md.
 *
 * Ops handled: PLACE, CANCEL, CANCEL_BY_CLOID, CANCEL_ALL, MODIFY, SET_MARK_PRICE,
 * SET_MARKET_STATUS. Order ids (= the PLACE command's seq) must strictly increase.
 */
export interface MarketEngine {
  readonly spec: MarketSpec;
  /** Applies one command; returns a Code (OK, or the reject code also sent to the sink). */
  process(cmd: Command): number;
  /** Canonical state hash (docs/matching.md, "State hash"). */
  stateHash(): string;
  /** Throws an Error describing the first broken invariant. O(state); for tests. */
  validateInternalState(): void;
  positionLots(accountId: number): number;
  markPriceTicks(): number;
  status(): number;
  bestBid(): number; // 0 if none
  bestAsk(): number; // 0 if none
  /** Levels from best outward, at most `depth`. */
  l2(side: number, depth: number): L2Level[];
  /** Live orders of an account (resting and triggers), in order id order. */
  openOrders(accountId: number): OrderView[];
  order(orderId: number): OrderView | undefined;
  /** Number of live orders (resting + triggers). */
  liveOrderCount(): number;
}

export type MarketEngineFactory = (spec: MarketSpec, sink: MarketEventSink) => MarketEngine;
