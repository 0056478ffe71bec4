/**
 * Every market engine implementation under test. Scenario tests loop over this list;
 * the differential test compares `engineFactories[0]` (the reference) with each of
 * the others.
 */
import { createFastMarket } from '../../engine/book/fast-market.js';
import type { MarketEngineFactory } from '../../engine/market-engine.js';
import { createReferenceMarket } from '../../engine/reference/reference-market.js';

export const engineFactories: { name: string; create: MarketEngineFactory }[] = [
  { name: 'reference', create: createReferenceMarket },
  { name: 'fast', create: createFastMarket },
];
