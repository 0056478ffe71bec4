import type { MarketSpec } from '../../engine/market-spec.js';
import { mustMulDivTrunc } from '../../engine/risk/mul-div.js';
import { notionalMicros } from '../../engine/risk/notional.js';

/**
 * Position size and cost basis of tracked accounts, replayed from fills with the
 * ledger's own rule (engine/ledger/fill-settlement.ts, step 2), so each fill's
 * realized PnL ("closedPnl") can be reported exactly:
 *
 *   closing c = min(q, |s|) lots against the position:
 *     kr = (c = |s|) ? K : trunc(K·c/|s|),  realized = sign(s)·c·P·k − kr
 *   opening the rest: K += dir·(q − c)·P·k
 *
 * The caller compares the mirrored size with the ledger's after every fill and
 * resynchronises on a difference (it then reports that fill's PnL as 0).
 */
export class PositionMirror {
  readonly #lots = new Map<number, number>();
  readonly #cost = new Map<number, number>();

  static key(accountId: number, marketId: number): number {
    return accountId * 65_536 + marketId;
  }

  lots(accountId: number, marketId: number): number {
    return this.#lots.get(PositionMirror.key(accountId, marketId)) ?? 0;
  }

  set(accountId: number, marketId: number, lots: number, costMicros: number): void {
    const k = PositionMirror.key(accountId, marketId);
    if (lots === 0) {
      this.#lots.delete(k);
      this.#cost.delete(k);
    } else {
      this.#lots.set(k, lots);
      this.#cost.set(k, costMicros);
    }
  }

  /** Applies one side of a fill (dir +1 buy, −1 sell); returns the size before and the realized PnL in micros. */
  applyFill(accountId: number, spec: MarketSpec, dir: number, q: number, priceTicks: number): { startLots: number; realizedMicros: number } {
    const k = PositionMirror.key(accountId, spec.marketId);
    const startLots = this.#lots.get(k) ?? 0;
    let s = startLots;
    let cost = this.#cost.get(k) ?? 0;
    let open = q;
    let realizedMicros = 0;
    if (s !== 0 && Math.sign(s) !== dir) {
      const abs = Math.abs(s);
      const c = q < abs ? q : abs;
      const kr = c === abs ? cost : mustMulDivTrunc(cost, c, abs);
      realizedMicros = Math.sign(s) * notionalMicros(c, priceTicks, spec) - kr;
      cost -= kr;
      s += dir * c;
      open = q - c;
    }
    if (open > 0) {
      s += dir * open;
      cost += dir * notionalMicros(open, priceTicks, spec);
    }
    this.set(accountId, spec.marketId, s, s === 0 ? 0 : cost);
    return { startLots, realizedMicros: realizedMicros === 0 ? 0 : realizedMicros };
  }
}
