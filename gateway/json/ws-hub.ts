import type { WebSocket } from 'uWebSockets.js';
import { tryNormalizeAddress } from '../accounts/address-store.js';
import { bboView, l2BookView } from './hl-views.js';
import type { JsonPushSink, JsonRouter } from './json-router.js';
import type { MarketGrid } from './market-grid.js';
import { InfoHandler } from './info-handler.js';

/** What uWS keeps per JSON WebSocket. */
export interface JsonSocketData {
  conn: JsonConnection | undefined;
  ip: string;
}

/** One subscription, normalized. */
export interface Subscription {
  key: string;
  type: string;
  /** As the client sent it (echoed in subscriptionResponse). */
  raw: Record<string, unknown>;
  marketId: number;
  user: string;
  nSigFigs: number | null;
  mantissa: number | null;
}

/** One JSON WebSocket connection. */
export class JsonConnection {
  readonly subs = new Map<string, Subscription>();
  pendingPosts = 0;
  closed = false;
  constructor(
    readonly id: number,
    readonly ws: WebSocket<JsonSocketData>,
    readonly ip: string,
  ) {}

  /** Sends a text message; false when the socket is gone. */
  send(msg: unknown): boolean {
    if (this.closed) return false;
    this.ws.send(JSON.stringify(msg), false, false);
    return true;
  }

  buffered(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }
}

interface MarketSubs {
  l2: Set<Subscription & { conn: JsonConnection }>;
  trades: Set<JsonConnection>;
  bbo: Set<JsonConnection>;
  lastVersion: number;
  lastBbo: string;
}

interface UserSubs {
  orderUpdates: Set<JsonConnection>;
  userFills: Set<JsonConnection>;
  userEvents: Set<JsonConnection>;
}

export const SUBSCRIPTION_TYPES = ['l2Book', 'trades', 'bbo', 'allMids', 'orderUpdates', 'userFills', 'userEvents'] as const;

/**
 * Subscriptions of the JSON WebSocket (Hyperliquid's channels) and the pushes:
 *
 *  - user channels (orderUpdates, userFills, user) and trades are pushed at the end
 *    of each drain batch (JsonRouter buffers them); they are never dropped;
 *  - l2Book, bbo and allMids are pushed on a coarse clock (`tickMarketData`, every
 *    ~100 ms) for markets whose book changed, as full snapshots the way Hyperliquid
 *    does, and skipped for a connection over `maxBackpressureBytes` (it gets the
 *    next snapshot when it has caught up: nothing to resynchronise).
 */
export class WsHub implements JsonPushSink {
  readonly #markets = new Map<number, MarketSubs>();
  readonly #users = new Map<string, UserSubs>();
  readonly #allMids = new Set<JsonConnection>();
  #lastMids = '';
  readonly #byCoin = new Map<string, MarketGrid>();
  readonly #grids = new Map<number, MarketGrid>();

  constructor(
    grids: readonly MarketGrid[],
    readonly router: JsonRouter,
    readonly info: InfoHandler,
    /** Address → account id, without creating one (userFills snapshots). */
    readonly accountOf: (address: string) => number | undefined,
    readonly maxBackpressureBytes: number,
  ) {
    for (const g of grids) {
      this.#byCoin.set(g.coin, g);
      this.#grids.set(g.marketId, g);
      this.#markets.set(g.marketId, { l2: new Set(), trades: new Set(), bbo: new Set(), lastVersion: 0, lastBbo: '' });
    }
  }

  /** Normalizes a subscription request; a string says why it is invalid. */
  parse(raw: unknown): Subscription | string {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'expected an object with a "type"';
    const r = raw as Record<string, unknown>;
    const type = r.type;
    const base = { raw: r, marketId: -1, user: '', nSigFigs: null, mantissa: null };
    switch (type) {
      case 'l2Book':
      case 'trades':
      case 'bbo': {
        const g = typeof r.coin === 'string' ? this.#byCoin.get(r.coin) : undefined;
        if (!g) return `unknown coin ${JSON.stringify(r.coin)}`;
        if (type !== 'l2Book') return { ...base, type, marketId: g.marketId, key: `${type}:${g.coin}` };
        const p = InfoHandler.l2Params(r);
        if (typeof p === 'string') return p;
        return { ...base, type, marketId: g.marketId, nSigFigs: p.nSigFigs, mantissa: p.mantissa, key: `l2Book:${g.coin}:${p.nSigFigs}:${p.mantissa}` };
      }
      case 'allMids':
        if (r.dex !== undefined && r.dex !== '' && r.dex !== null) return `unknown dex ${JSON.stringify(r.dex)}`;
        return { ...base, type, key: 'allMids' };
      case 'orderUpdates':
      case 'userFills':
      case 'userEvents': {
        const user = tryNormalizeAddress(r.user);
        if (!user) return '"user" must be an address';
        return { ...base, type, user, key: `${type}:${user}` };
      }
    }
    return `unsupported subscription type ${JSON.stringify(type)}; perpd serves ${SUBSCRIPTION_TYPES.join(', ')}`;
  }

  /** Registers a (new, parsed) subscription and sends its initial snapshot, if the channel has one. */
  add(conn: JsonConnection, s: Subscription, nowMs: number): void {
    conn.subs.set(s.key, s);
    const g = this.#grids.get(s.marketId);
    switch (s.type) {
      case 'l2Book': {
        this.#markets.get(s.marketId)!.l2.add(Object.assign(s, { conn }));
        conn.send({ channel: 'l2Book', data: l2BookView(this.router.market(s.marketId)!.book, g!, nowMs, s.nSigFigs, s.mantissa) });
        return;
      }
      case 'trades':
        this.#markets.get(s.marketId)!.trades.add(conn);
        return;
      case 'bbo':
        this.#markets.get(s.marketId)!.bbo.add(conn);
        conn.send({ channel: 'bbo', data: bboView(this.router.market(s.marketId)!.book, g!, nowMs) });
        return;
      case 'allMids':
        this.#allMids.add(conn);
        conn.send({ channel: 'allMids', data: { mids: this.info.allMids() } });
        return;
    }
    const u = this.#userSubs(s.user, true)!;
    if (s.type === 'orderUpdates') u.orderUpdates.add(conn);
    else if (s.type === 'userEvents') u.userEvents.add(conn);
    else {
      u.userFills.add(conn);
      const accountId = this.accountOf(s.user);
      const fills = accountId === undefined ? [] : this.router.fillsOf(accountId).slice(-2_000).reverse();
      conn.send({ channel: 'userFills', data: { user: s.user, fills, isSnapshot: true } });
    }
  }

  remove(conn: JsonConnection, key: string): boolean {
    const s = conn.subs.get(key);
    if (!s) return false;
    conn.subs.delete(key);
    const m = this.#markets.get(s.marketId);
    switch (s.type) {
      case 'l2Book':
        m?.l2.delete(s as Subscription & { conn: JsonConnection });
        break;
      case 'trades':
        m?.trades.delete(conn);
        break;
      case 'bbo':
        m?.bbo.delete(conn);
        break;
      case 'allMids':
        this.#allMids.delete(conn);
        break;
      default: {
        const u = this.#users.get(s.user);
        if (!u) break;
        (s.type === 'orderUpdates' ? u.orderUpdates : s.type === 'userFills' ? u.userFills : u.userEvents).delete(conn);
        if (u.orderUpdates.size + u.userFills.size + u.userEvents.size === 0) this.#users.delete(s.user);
      }
    }
    return true;
  }

  removeAll(conn: JsonConnection): void {
    for (const key of [...conn.subs.keys()]) this.remove(conn, key);
  }

  #userSubs(address: string, create: boolean): UserSubs | undefined {
    let u = this.#users.get(address);
    if (!u && create) this.#users.set(address, (u = { orderUpdates: new Set(), userFills: new Set(), userEvents: new Set() }));
    return u;
  }

  // ------------------------------------------------------------ JsonPushSink

  wantsUser(address: string): boolean {
    return this.#users.has(address);
  }

  wantsTrades(marketId: number): boolean {
    return (this.#markets.get(marketId)?.trades.size ?? 0) > 0;
  }

  pushOrderUpdates(address: string, updates: readonly object[]): void {
    const u = this.#users.get(address);
    if (!u) return;
    for (const c of u.orderUpdates) c.send({ channel: 'orderUpdates', data: updates });
  }

  pushUserFills(address: string, fills: readonly object[]): void {
    const u = this.#users.get(address);
    if (!u) return;
    for (const c of u.userFills) c.send({ channel: 'userFills', data: { user: address, fills } });
    for (const c of u.userEvents) c.send({ channel: 'user', data: { fills } });
  }

  pushTrades(marketId: number, trades: readonly object[]): void {
    const m = this.#markets.get(marketId);
    if (!m) return;
    for (const c of m.trades) c.send({ channel: 'trades', data: trades });
  }

  // ------------------------------------------------------------ market data clock

  /** Pushes l2Book / bbo of markets whose book changed, and allMids when a mid changed. */
  tickMarketData(nowMs: number): void {
    let anyChange = false;
    for (const [marketId, m] of this.#markets) {
      const book = this.router.market(marketId)!.book;
      if (book.version === m.lastVersion) continue;
      m.lastVersion = book.version;
      anyChange = true;
      const g = this.#grids.get(marketId)!;
      const views = new Map<string, unknown>();
      for (const s of m.l2) {
        if (s.conn.buffered() > this.maxBackpressureBytes) continue;
        const aggKey = `${s.nSigFigs}:${s.mantissa}`;
        let msg = views.get(aggKey);
        if (msg === undefined) views.set(aggKey, (msg = { channel: 'l2Book', data: l2BookView(book, g, nowMs, s.nSigFigs, s.mantissa) }));
        s.conn.send(msg);
      }
      if (m.bbo.size > 0) {
        const view = bboView(book, g, nowMs);
        const key = JSON.stringify(view.bbo);
        if (key !== m.lastBbo) {
          m.lastBbo = key;
          for (const c of m.bbo) if (c.buffered() <= this.maxBackpressureBytes) c.send({ channel: 'bbo', data: view });
        }
      }
    }
    if (anyChange && this.#allMids.size > 0) {
      const mids = this.info.allMids();
      const key = JSON.stringify(mids);
      if (key !== this.#lastMids) {
        this.#lastMids = key;
        for (const c of this.#allMids) if (c.buffered() <= this.maxBackpressureBytes) c.send({ channel: 'allMids', data: { mids } });
      }
    }
  }
}
