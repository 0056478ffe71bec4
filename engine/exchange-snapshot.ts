import { encodeFastMarketSnapshot, restoreFastMarketSnapshot } from './book/fast-market-snapshot.js';
import { FastMarket } from './book/fast-market.js';
import type { Exchange } from './exchange.js';
import type { MarketEngine } from './market-engine.js';

/**
 * Snapshots of engine state, as the parts persistence stores: one byte string per
 * market (engine/book/fast-market-snapshot.ts) and one for the ledger
 * (engine/ledger/ledger-snapshot.ts). Only the fast book can be snapshotted; the
 * reference book exists for differential tests and is never persisted.
 */

export interface MarketSnapshotPart {
  marketId: number;
  bytes: Uint8Array;
}

export interface ExchangeSnapshotParts {
  markets: MarketSnapshotPart[];
  ledger: Uint8Array;
}

export function snapshotMarket(market: MarketEngine): Uint8Array {
  if (!(market instanceof FastMarket)) throw new Error(`market ${market.spec.marketId}: only the fast book can be snapshotted`);
  return encodeFastMarketSnapshot(market);
}

/** Loads a market snapshot into a fresh market of the same spec. */
export function restoreMarket(market: MarketEngine, bytes: Uint8Array): void {
  if (!(market instanceof FastMarket)) throw new Error(`market ${market.spec.marketId}: only the fast book can be restored`);
  restoreFastMarketSnapshot(market, bytes);
}

/** Every market (ascending marketId) and the ledger, at the current point. */
export function snapshotExchange(ex: Exchange): ExchangeSnapshotParts {
  return { markets: ex.markets.map((m) => ({ marketId: m.spec.marketId, bytes: snapshotMarket(m) })), ledger: ex.ledger.snapshot() };
}

/** Loads parts into a FRESH exchange built with the same markets and options. Every market must have a part. */
export function restoreExchange(ex: Exchange, parts: ExchangeSnapshotParts): void {
  if (parts.markets.length !== ex.markets.length) throw new Error(`snapshot has ${parts.markets.length} markets, this exchange ${ex.markets.length}`);
  for (const part of parts.markets) {
    const market = ex.market(part.marketId);
    if (!market) throw new Error(`snapshot has market ${part.marketId}, which this exchange does not`);
    restoreMarket(market, part.bytes);
  }
  ex.ledger.restoreSnapshot(parts.ledger);
}
