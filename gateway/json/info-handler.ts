import type { Ledger } from '../../engine/ledger/ledger.js';
import { tryNormalizeAddress } from '../accounts/address-store.js';
import type { AddressAccounts } from './address-accounts.js';
import { CANDLE_INTERVAL_MS } from './candles.js';
import { assetCtxView, candleView, clearinghouseView, dayStats, l2BookView, metaView, midPx } from './hl-views.js';
import type { JsonRouter } from './json-router.js';
import type { MarketGrid } from './market-grid.js';
import { basicOrderView, frontendOrderView } from './order-records.js';

/** Result of an info request: data to send, or an HTTP status and message. */
export type InfoResult = { ok: true; data: unknown } | { ok: false; status: number; error: string };

export const INFO_TYPES = [
  'meta',
  'metaAndAssetCtxs',
  'allMids',
  'l2Book',
  'clearinghouseState',
  'openOrders',
  'frontendOpenOrders',
  'userFills',
  'userFillsByTime',
  'orderStatus',
  'candleSnapshot',
] as const;
const INFO_TYPE_SET = new Set<string>(INFO_TYPES);
/** Hyperliquid answers at most this many fills per query. */
export const MAX_FILLS_PER_QUERY = 2_000;
const CLOID_RE = /^0x[0-9a-fA-F]{32}$/;

export interface InfoHandlerOptions {
  grids: readonly MarketGrid[];
  router: JsonRouter;
  ledger: Ledger;
  accounts: AddressAccounts;
}

const bad = (error: string, status = 422): InfoResult => ({ ok: false, status, error });

/**
 * POST /info (and WebSocket `post` of type "info"): Hyperliquid's info requests
 * that perpd serves. A request naming a `user` opens that user's demo account on
 * first contact in demo mode (module address-accounts.ts).
 */
export class InfoHandler {
  readonly #o: InfoHandlerOptions;
  readonly #byCoin = new Map<string, MarketGrid>();
  readonly #byId = new Map<number, MarketGrid>();

  constructor(options: InfoHandlerOptions) {
    this.#o = options;
    for (const g of options.grids) {
      this.#byCoin.set(g.coin, g);
      this.#byId.set(g.marketId, g);
    }
  }

  /** The `user` of a request, lower-cased, when it names a valid one (rate-limit key). */
  static userOf(req: Record<string, unknown>): string | undefined {
    return tryNormalizeAddress(req.user);
  }

  handle(req: unknown, nowMs: number): InfoResult {
    if (!req || typeof req !== 'object' || Array.isArray(req)) return bad('Failed to deserialize the JSON body: expected an object with a "type".', 400);
    const r = req as Record<string, unknown>;
    const type = r.type;
    if (typeof type !== 'string' || !INFO_TYPE_SET.has(type)) {
      return bad(`Unsupported info request type ${JSON.stringify(type)}; perpd serves: ${INFO_TYPES.join(', ')}.`);
    }
    if (r.dex !== undefined && r.dex !== '' && r.dex !== null) return bad(`Unknown perp dex ${JSON.stringify(r.dex)}: perpd has only the default dex "".`);
    switch (type) {
      case 'meta':
        return { ok: true, data: metaView(this.#o.grids) };
      case 'metaAndAssetCtxs':
        return { ok: true, data: [metaView(this.#o.grids), this.#o.grids.map((g) => this.#assetCtx(g, nowMs))] };
      case 'allMids':
        return { ok: true, data: this.allMids() };
      case 'l2Book':
        return this.#l2Book(r, nowMs);
      case 'candleSnapshot':
        return this.#candles(r);
    }
    const user = tryNormalizeAddress(r.user);
    if (user === undefined) return bad(`"user" must be an address (0x followed by 40 hex characters), got ${JSON.stringify(r.user)}.`);
    const resolved = this.#o.accounts.resolveUser(user, nowMs, true);
    if (resolved.error !== undefined) return bad(resolved.error, resolved.retryAfterMs !== undefined ? 429 : 422);
    const accountId = resolved.accountId;
    switch (type) {
      case 'clearinghouseState':
        return { ok: true, data: clearinghouseView(accountId === undefined ? undefined : this.#o.ledger.accountView(accountId), this.#byId, nowMs) };
      case 'openOrders':
      case 'frontendOpenOrders': {
        const orders = accountId === undefined ? [] : (this.#o.router.ordersOf(accountId)?.liveSorted() ?? []);
        const view = type === 'openOrders' ? basicOrderView : frontendOrderView;
        // Hyperliquid lists the newest first.
        return { ok: true, data: orders.reverse().map((o) => view(o, this.#byId.get(o.marketId)!)) };
      }
      case 'userFills': {
        const fills = accountId === undefined ? [] : this.#o.router.fillsOf(accountId);
        return { ok: true, data: fills.slice(-MAX_FILLS_PER_QUERY).reverse() };
      }
      case 'userFillsByTime': {
        const start = r.startTime;
        const end = r.endTime ?? Number.MAX_SAFE_INTEGER;
        if (!Number.isSafeInteger(start) || (start as number) < 0 || !Number.isSafeInteger(end)) return bad('"startTime" (and "endTime" when given) must be times in ms.');
        const fills = accountId === undefined ? [] : this.#o.router.fillsOf(accountId);
        const picked = fills.filter((f) => (f.time as number) >= (start as number) && (f.time as number) <= (end as number)).slice(0, MAX_FILLS_PER_QUERY);
        return { ok: true, data: r.reversed === true ? picked.reverse() : picked };
      }
      case 'orderStatus':
        return this.#orderStatus(r, accountId);
    }
    return bad(`Unsupported info request type ${type}.`);
  }

  allMids(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const g of this.#o.grids) {
      const md = this.#o.router.market(g.marketId)!;
      out[g.coin] = midPx(md.book, g) ?? g.pxOf(md.lastTradeTicks > 0 ? md.lastTradeTicks : this.#o.router.markTicks(g.marketId));
    }
    return out;
  }

  #assetCtx(g: MarketGrid, nowMs: number): Record<string, unknown> {
    const router = this.#o.router;
    const md = router.market(g.marketId)!;
    const mark = router.markTicks(g.marketId);
    const hourly = router.candles.range(g.marketId, '1h', nowMs - 24 * 3_600_000, nowMs);
    return assetCtxView(g, mark, midPx(md.book, g), md.openInterestLots, dayStats(hourly, mark));
  }

  /** Validated l2Book parameters, or an error. */
  static l2Params(r: Record<string, unknown>): { nSigFigs: number | null; mantissa: number | null } | string {
    const n = r.nSigFigs ?? null;
    const m = r.mantissa ?? null;
    if (n !== null && n !== 2 && n !== 3 && n !== 4 && n !== 5) return `"nSigFigs" must be 2, 3, 4, 5 or null, got ${JSON.stringify(n)}.`;
    if (m !== null && m !== 1 && m !== 2 && m !== 5) return `"mantissa" must be 1, 2, 5 or null, got ${JSON.stringify(m)}.`;
    if (m !== null && n !== 5) return '"mantissa" is only allowed with nSigFigs 5.';
    return { nSigFigs: n as number | null, mantissa: m as number | null };
  }

  gridOfCoin(coin: unknown): MarketGrid | undefined {
    return typeof coin === 'string' ? this.#byCoin.get(coin) : undefined;
  }

  #l2Book(r: Record<string, unknown>, nowMs: number): InfoResult {
    const p = InfoHandler.l2Params(r);
    if (typeof p === 'string') return bad(p);
    const g = this.gridOfCoin(r.coin);
    if (g === undefined) return { ok: true, data: null }; // Hyperliquid answers null for an unknown coin
    return { ok: true, data: l2BookView(this.#o.router.market(g.marketId)!.book, g, nowMs, p.nSigFigs, p.mantissa) };
  }

  #candles(r: Record<string, unknown>): InfoResult {
    const q = r.req as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return bad('"req" must be {coin, interval, startTime, endTime?}.');
    const intervalMs = typeof q.interval === 'string' ? CANDLE_INTERVAL_MS[q.interval] : undefined;
    if (intervalMs === undefined) return bad(`Unsupported candle interval ${JSON.stringify(q.interval)}; perpd serves ${Object.keys(CANDLE_INTERVAL_MS).join(', ')} (not 1M).`);
    const start = q.startTime;
    const end = q.endTime ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(start) || (start as number) < 0 || !Number.isSafeInteger(end)) return bad('"startTime" (and "endTime" when given) must be times in ms.');
    const g = this.gridOfCoin(q.coin);
    if (g === undefined) return { ok: true, data: [] };
    const interval = q.interval as string;
    return { ok: true, data: this.#o.router.candles.range(g.marketId, interval, start as number, end as number).map((c) => candleView(c, g, interval, intervalMs)) };
  }

  #orderStatus(r: Record<string, unknown>, accountId: number | undefined): InfoResult {
    const oid = r.oid;
    const byCloid = typeof oid === 'string' && CLOID_RE.test(oid);
    if (!byCloid && !(Number.isSafeInteger(oid) && (oid as number) >= 0)) return bad('"oid" must be an order id or a cloid (0x followed by 32 hex characters).');
    const orders = accountId === undefined ? undefined : this.#o.router.ordersOf(accountId);
    const rec = byCloid ? orders?.byCloid((oid as string).toLowerCase()) : orders?.byOid(oid as number);
    if (rec === undefined) return { ok: true, data: { status: 'unknownOid' } };
    return { ok: true, data: { status: 'order', order: { order: frontendOrderView(rec, this.#byId.get(rec.marketId)!), status: rec.status, statusTimestamp: rec.statusTimestampMs } } };
  }
}
