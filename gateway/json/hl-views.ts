/**
 * Hyperliquid response shapes built from perpd state. Every number that is money,
 * a price or a size is rendered from integers (micros, ticks, lots) as an exact
 * decimal string; ratios shown for information (average and entry prices, return
 * on equity) are truncated at a stated number of decimals.
 */
import type { AccountView } from '../../engine/ledger/ledger.js';
import { maxLeverageFor } from '../../engine/risk/tiers.js';
import { Side } from '../../engine/types.js';
import type { Candle } from './candles.js';
import { formatMicros, formatRatio, formatScaled, pow10 } from './decimal.js';
import type { Level, LevelBook } from './level-book.js';
import type { MarketGrid } from './market-grid.js';

export const L2_LEVELS_PER_SIDE = 20;

/** `meta`: the universe (asset index = position in the list = marketId order) and margin tables. */
export function metaView(grids: readonly MarketGrid[]): Record<string, unknown> {
  return {
    universe: grids.map((g) => ({
      szDecimals: g.szDecimals,
      name: g.coin,
      maxLeverage: maxLeverageFor(g.spec.tiers),
      marginTableId: g.marketId + 1,
      onlyIsolated: true,
      marginMode: 'strictIsolated',
    })),
    marginTables: grids.map((g) => [
      g.marketId + 1,
      {
        description: `${g.spec.symbol} tiers`,
        marginTiers: g.spec.tiers.map((t, i) => ({
          lowerBound: i === 0 ? '0' : formatMicros(g.spec.tiers[i - 1].maxNotionalMicros),
          maxLeverage: Math.floor(1_000_000 / t.imPpm),
        })),
      },
    ]),
    collateralToken: 0,
  };
}

/** Mid of best bid and ask, exact (one more decimal than the tick when odd); undefined with an empty side. */
export function midPx(book: LevelBook, g: MarketGrid): string | undefined {
  const bid = book.best(Side.BUY);
  const ask = book.best(Side.SELL);
  if (!bid || !ask) return undefined;
  return formatRatio(BigInt(bid.priceTicks + ask.priceTicks) * g.tick.units, 2n * pow10(g.tick.scale), g.tick.scale + 1);
}

export interface DayStats {
  prevDayTicks: number;
  dayBaseLots: number;
  dayNtlMicros: number;
}

/** Rolling 24 h statistics from 1 h candles (open of the first candle in the window; mark when none). */
export function dayStats(hourly: readonly Candle[], markTicks: number): DayStats {
  let dayBaseLots = 0;
  let dayNtlMicros = 0;
  for (const c of hourly) {
    dayBaseLots += c.volumeLots;
    dayNtlMicros += c.notionalMicros;
  }
  return { prevDayTicks: hourly.length > 0 ? hourly[0].openTicks : markTicks, dayBaseLots, dayNtlMicros: Math.min(dayNtlMicros, Number.MAX_SAFE_INTEGER) };
}

/** One asset context of `metaAndAssetCtxs` (no funding or oracle yet: funding 0, oracle = mark). */
export function assetCtxView(g: MarketGrid, markTicks: number, mid: string | undefined, openInterestLots: number, day: DayStats): Record<string, unknown> {
  const mark = g.pxOf(markTicks);
  return {
    prevDayPx: g.pxOf(day.prevDayTicks),
    dayNtlVlm: formatMicros(day.dayNtlMicros),
    markPx: mark,
    midPx: mid ?? null,
    funding: '0',
    openInterest: g.szOf(openInterestLots),
    premium: '0',
    oraclePx: mark,
    impactPxs: null,
    dayBaseVlm: g.szOf(day.dayBaseLots),
  };
}

/**
 * Aggregates best-first levels to `nSigFigs` significant figures (bucket
 * mantissa × 10^(magnitude − nSigFigs + 1); bids round down, asks up), as
 * Hyperliquid's l2Book does; null = full precision. Returns at most `maxLevels`.
 */
export function aggregateLevels(levels: readonly Level[], side: number, g: MarketGrid, nSigFigs: number | null, mantissa: number | null, maxLevels: number): { px: string; sz: string; n: number }[] {
  const out: { px: string; sz: string; n: number }[] = [];
  const scale = g.tick.scale;
  let curUnits = -1n;
  let curLots = 0;
  let curCount = 0;
  const flush = (): void => {
    if (curCount > 0) out.push({ px: formatScaled(curUnits, scale), sz: g.szOf(curLots), n: curCount });
  };
  for (const l of levels) {
    let units = BigInt(l.priceTicks) * g.tick.units; // price × 10^scale
    if (nSigFigs !== null) {
      const magnitude = units.toString().length - 1; // of the units
      const exp = magnitude - nSigFigs + 1;
      if (exp > 0 || (mantissa !== null && mantissa > 1 && exp >= 0)) {
        const bucket = BigInt(mantissa ?? 1) * pow10(Math.max(0, exp));
        const floor = (units / bucket) * bucket;
        units = side === Side.BUY || floor === units ? floor : floor + bucket;
      }
    }
    if (units !== curUnits) {
      flush();
      if (out.length >= maxLevels) return out;
      curUnits = units;
      curLots = 0;
      curCount = 0;
    }
    curLots += l.totalLots;
    curCount += l.orderCount;
  }
  flush();
  return out.slice(0, maxLevels);
}

export function l2BookView(book: LevelBook, g: MarketGrid, nowMs: number, nSigFigs: number | null, mantissa: number | null): Record<string, unknown> {
  const side = (s: number): { px: string; sz: string; n: number }[] => {
    const levels = nSigFigs === null ? book.top(s, L2_LEVELS_PER_SIDE) : book.top(s, Number.MAX_SAFE_INTEGER);
    return aggregateLevels(levels, s, g, nSigFigs, mantissa, L2_LEVELS_PER_SIDE);
  };
  return { coin: g.coin, time: nowMs, levels: [side(Side.BUY), side(Side.SELL)] };
}

export function bboView(book: LevelBook, g: MarketGrid, nowMs: number): Record<string, unknown> {
  const lvl = (l: Level | undefined): { px: string; sz: string; n: number } | null => (l ? { px: g.pxOf(l.priceTicks), sz: g.szOf(l.totalLots), n: l.orderCount } : null);
  return { coin: g.coin, time: nowMs, bbo: [lvl(book.best(Side.BUY)), lvl(book.best(Side.SELL))] };
}

export function candleView(c: Candle, g: MarketGrid, interval: string, intervalMs: number): Record<string, unknown> {
  return {
    t: c.openMs,
    T: c.openMs + intervalMs - 1,
    s: g.coin,
    i: interval,
    o: g.pxOf(c.openTicks),
    c: g.pxOf(c.closeTicks),
    h: g.pxOf(c.highTicks),
    l: g.pxOf(c.lowTicks),
    v: g.szOf(c.volumeLots),
    n: c.trades,
  };
}

const ZERO_SUMMARY = { accountValue: '0', totalNtlPos: '0', totalRawUsd: '0', totalMarginUsed: '0' };

/**
 * `clearinghouseState` from the ledger's account view. perpd margins every position
 * in isolation, so each position reports leverage {type: "isolated"}; the cross
 * summary holds only free collateral. Definitions (micros):
 *   accountValue   = free + Σ (margin + orderMargin + uPnL)
 *   totalNtlPos    = Σ |lots × mark × k|
 *   totalRawUsd    = free + Σ (margin + orderMargin − cost)
 *   totalMarginUsed = Σ (margin + orderMargin)
 *   withdrawable   = free
 */
export function clearinghouseView(view: AccountView | undefined, grids: ReadonlyMap<number, MarketGrid>, nowMs: number): Record<string, unknown> {
  if (view === undefined) {
    return { marginSummary: ZERO_SUMMARY, crossMarginSummary: ZERO_SUMMARY, crossMaintenanceMarginUsed: '0', withdrawable: '0', assetPositions: [], time: nowMs };
  }
  let accountValue = BigInt(view.freeMicros);
  let totalNtl = 0n;
  let rawUsd = BigInt(view.freeMicros);
  let marginUsed = 0n;
  const assetPositions: Record<string, unknown>[] = [];
  for (const p of view.positions) {
    const g = grids.get(p.marketId);
    if (!g) continue;
    const held = BigInt(p.marginMicros) + BigInt(p.orderMarginMicros);
    accountValue += held + BigInt(p.unrealizedPnlMicros);
    rawUsd += held - BigInt(p.costMicros);
    marginUsed += held;
    if (p.lots === 0) continue;
    const value = BigInt(Math.abs(p.lots)) * BigInt(p.markPriceTicks) * BigInt(g.spec.quoteMicrosPerTickLot);
    totalNtl += value;
    const leverage = Math.round(1_000_000 / p.userImPpm);
    const initialMargin = (BigInt(Math.abs(p.costMicros)) * BigInt(p.userImPpm)) / 1_000_000n;
    assetPositions.push({
      type: 'oneWay',
      position: {
        coin: g.coin,
        szi: g.szOf(p.lots),
        leverage: { type: 'isolated', value: leverage, rawUsd: formatMicros(p.marginMicros - p.costMicros) },
        entryPx: g.pxOfMicrosPerLots(BigInt(Math.abs(p.costMicros)), BigInt(Math.abs(p.lots))),
        positionValue: formatMicros(value),
        unrealizedPnl: formatMicros(p.unrealizedPnlMicros),
        returnOnEquity: initialMargin > 0n ? formatRatio(BigInt(p.unrealizedPnlMicros), initialMargin, 6) : '0',
        liquidationPx: p.liquidationPriceTicks > 0 ? g.pxOf(p.liquidationPriceTicks) : null,
        marginUsed: formatMicros(Math.max(0, p.marginMicros + p.unrealizedPnlMicros)),
        maxLeverage: maxLeverageFor(g.spec.tiers),
        cumFunding: { allTime: '0', sinceOpen: '0', sinceChange: '0' },
      },
    });
  }
  const free = formatMicros(view.freeMicros);
  return {
    marginSummary: { accountValue: formatMicros(accountValue), totalNtlPos: formatMicros(totalNtl), totalRawUsd: formatMicros(rawUsd), totalMarginUsed: formatMicros(marginUsed) },
    crossMarginSummary: { accountValue: free, totalNtlPos: '0', totalRawUsd: free, totalMarginUsed: '0' },
    crossMaintenanceMarginUsed: '0',
    withdrawable: formatMicros(view.withdrawableMicros),
    assetPositions,
    time: nowMs,
  };
}
