/**
 * Candles from trades, per market and interval, for `candleSnapshot`. Intervals are
 * the fixed-length ones Hyperliquid names (1m … 1w; "1M" has no fixed length and is
 * not offered); candles are aligned to the Unix epoch in UTC. Each series keeps the
 * last `maxCandles` candles (Hyperliquid answers at most 5,000).
 */

export const CANDLE_INTERVAL_MS: Readonly<Record<string, number>> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
};

export const MAX_CANDLES_PER_SERIES = 5_000;

/** One candle in engine units. */
export interface Candle {
  openMs: number;
  openTicks: number;
  highTicks: number;
  lowTicks: number;
  closeTicks: number;
  /** Traded size in lots (saturates at 2^53 − 1, far beyond any real day). */
  volumeLots: number;
  /** Traded notional in quote micros (saturating likewise). */
  notionalMicros: number;
  trades: number;
}

class Series {
  readonly candles: Candle[] = [];
  constructor(readonly intervalMs: number) {}

  add(tsMs: number, priceTicks: number, lots: number, notionalMicros: number, maxCandles: number): void {
    const openMs = tsMs - (tsMs % this.intervalMs);
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.openMs === openMs) {
      if (priceTicks > last.highTicks) last.highTicks = priceTicks;
      if (priceTicks < last.lowTicks) last.lowTicks = priceTicks;
      last.closeTicks = priceTicks;
      last.volumeLots = saturatingAdd(last.volumeLots, lots);
      last.notionalMicros = saturatingAdd(last.notionalMicros, notionalMicros);
      last.trades++;
      return;
    }
    if (last !== undefined && openMs < last.openMs) return; // timestamps never go back (sequencer clock); guard anyway
    this.candles.push({ openMs, openTicks: priceTicks, highTicks: priceTicks, lowTicks: priceTicks, closeTicks: priceTicks, volumeLots: lots, notionalMicros, trades: 1 });
    if (this.candles.length > maxCandles) this.candles.splice(0, this.candles.length - maxCandles);
  }
}

export class CandleStore {
  readonly #series = new Map<number, Map<string, Series>>();
  readonly #maxCandles: number;

  constructor(marketIds: readonly number[], maxCandles = MAX_CANDLES_PER_SERIES) {
    this.#maxCandles = maxCandles;
    for (const m of marketIds) {
      const byInterval = new Map<string, Series>();
      for (const [name, ms] of Object.entries(CANDLE_INTERVAL_MS)) byInterval.set(name, new Series(ms));
      this.#series.set(m, byInterval);
    }
  }

  addTrade(marketId: number, tsMs: number, priceTicks: number, lots: number, notionalMicros: number): void {
    const byInterval = this.#series.get(marketId);
    if (!byInterval) return;
    for (const s of byInterval.values()) s.add(tsMs, priceTicks, lots, notionalMicros, this.#maxCandles);
  }

  /** Candles whose open time lies in [startMs, endMs], oldest first. */
  range(marketId: number, interval: string, startMs: number, endMs: number): readonly Candle[] {
    const s = this.#series.get(marketId)?.get(interval);
    if (!s) return [];
    return s.candles.filter((c) => c.openMs >= startMs && c.openMs <= endMs);
  }
}

function saturatingAdd(a: number, b: number): number {
  const s = a + b;
  return s > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : s;
}
