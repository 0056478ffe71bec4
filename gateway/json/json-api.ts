/**
 * The JSON gateway in Hyperliquid's dialect (docs/api-json.md), composed:
 *
 *   JsonRouter      publication handler: command outcomes, orders, fills, books, candles
 *   AddressAccounts addresses and agents → accounts (AccountDirectory's address index)
 *   InfoHandler     POST /info
 *   ExchangeHandler POST /exchange (signature, nonce, rate limit, execution)
 *   WsHub           WS /ws subscriptions and pushes
 *   JsonEndpoint    the uWS routes
 *
 * Construction happens in two steps because of the daemon's wiring order: the
 * router must exist before the runtime (it is one of the runtime's publication
 * handlers), the rest needs the runtime and the account directory (`attach`).
 */
import type { Logger } from 'pino';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Ledger } from '../../engine/ledger/ledger.js';
import type { MarketSpec } from '../../engine/market-spec.js';
import type { AccountDirectory } from '../accounts/account-directory.js';
import { AddressAccounts } from './address-accounts.js';
import { ExchangeHandler } from './exchange-handler.js';
import { InfoHandler } from './info-handler.js';
import { JsonEndpoint } from './json-endpoint.js';
import { JsonRouter } from './json-router.js';
import { MarketGrid } from './market-grid.js';
import { NonceWindow } from './nonce-window.js';
import { OrderExecutor, type CommandRuntime } from './order-executor.js';
import { DEFAULT_FAILED_SIGNER_LIMITS, DEFAULT_RATE_LIMITS, RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { CancelSchedule } from './schedule-cancel.js';
import { WsHub } from './ws-hub.js';

export const JSON_INFO_PATH = '/info';
export const JSON_EXCHANGE_PATH = '/exchange';
export const JSON_WS_PATH = '/ws';

/** Tunables (tests lower them); the defaults are Hyperliquid-like. */
export interface JsonApiLimits {
  rate: RateLimitOptions;
  /** Per client IP: signed actions that recover to no known user or agent (rate-limiter.ts). */
  failedSigners: RateLimitOptions;
  /** Longest wait for the engine's answer to a command. */
  requestTimeoutMs: number;
  /** Finished orders kept per account for orderStatus. */
  maxOrderHistory: number;
  /** Fills kept per account for userFills. */
  maxFillsPerAccount: number;
  /** Period of l2Book / bbo / allMids pushes. */
  marketDataIntervalMs: number;
  /** WebSocket `post` requests in flight per connection. */
  maxPendingPostsPerConnection: number;
}

export const DEFAULT_JSON_API_LIMITS: JsonApiLimits = {
  rate: DEFAULT_RATE_LIMITS,
  failedSigners: DEFAULT_FAILED_SIGNER_LIMITS,
  requestTimeoutMs: 10_000,
  maxOrderHistory: 1_000,
  maxFillsPerAccount: 2_000,
  marketDataIntervalMs: 100,
  maxPendingPostsPerConnection: 100,
};

export interface JsonApiOptions {
  markets: readonly MarketSpec[];
  ledger: Ledger;
  logger: Logger;
  limits?: Partial<JsonApiLimits>;
}

export interface JsonApiAttachOptions {
  runtime: CommandRuntime;
  accounts: AccountDirectory;
  maxFrameBytes: number;
  maxSubscriptionsPerConnection: number;
  maxBackpressureBytes: number;
  maxConnections: number;
}

export class JsonApi {
  readonly router: JsonRouter;
  readonly limits: JsonApiLimits;
  readonly #o: JsonApiOptions;
  readonly #grids: MarketGrid[];
  #endpoint: JsonEndpoint | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: JsonApiOptions) {
    this.#o = options;
    this.limits = { ...DEFAULT_JSON_API_LIMITS, ...options.limits, rate: { ...DEFAULT_RATE_LIMITS, ...options.limits?.rate } };
    this.#grids = [...options.markets].sort((a, b) => a.marketId - b.marketId).map((s) => new MarketGrid(s));
    this.router = new JsonRouter({ grids: this.#grids, ledger: options.ledger, maxOrderHistory: this.limits.maxOrderHistory, maxFillsPerAccount: this.limits.maxFillsPerAccount });
  }

  get connectionCount(): number {
    return this.#endpoint?.connectionCount ?? 0;
  }

  /** Builds the handlers and attaches POST /info, POST /exchange and WS /ws to the app. */
  attach(app: TemplatedApp, a: JsonApiAttachOptions): void {
    const { ledger, logger } = this.#o;
    const lim = this.limits;
    const grids = this.#grids;
    const byAsset = new Map(grids.map((g) => [g.marketId, g]));
    const router = this.router;
    const accounts = new AddressAccounts(a.accounts, router);
    const info = new InfoHandler({ grids, router, ledger, accounts });
    const executor = new OrderExecutor({ runtime: a.runtime, router, gridOf: (asset) => byAsset.get(asset), requestTimeoutMs: lim.requestTimeoutMs, nowMs: () => Date.now() });
    const schedule = new CancelSchedule(
      (accountId) => executor.cancelAll(accountId, true),
      (accountId) => logger.warn({ accountId }, 'scheduled cancel could not be queued (ring full); retrying'),
    );
    const limiter = new RateLimiter(lim.rate);
    const exchange = new ExchangeHandler({
      accounts,
      executor,
      schedule,
      nonces: new NonceWindow({ floorMs: Date.now() }),
      limiter,
      failedSigners: new RateLimiter(lim.failedSigners),
      runtime: a.runtime,
      gridExists: (asset) => byAsset.has(asset),
    });
    const hub = new WsHub(grids, router, info, (address) => accounts.accountOf(address), a.maxBackpressureBytes);
    router.setSink(hub);
    this.#endpoint = new JsonEndpoint({
      info,
      exchange,
      hub,
      limiter,
      logger,
      maxFrameBytes: a.maxFrameBytes,
      maxSubscriptionsPerConnection: a.maxSubscriptionsPerConnection,
      maxBackpressureBytes: a.maxBackpressureBytes,
      maxConnections: a.maxConnections,
      maxPendingPostsPerConnection: lim.maxPendingPostsPerConnection,
    });
    this.#endpoint.attach(app, { info: JSON_INFO_PATH, exchange: JSON_EXCHANGE_PATH, ws: JSON_WS_PATH });
    // One coarse clock each: market-data pushes; schedules and request deadlines.
    const md = setInterval(() => hub.tickMarketData(Date.now()), lim.marketDataIntervalMs);
    const housekeeping = setInterval(() => {
      const now = Date.now();
      schedule.tick(now);
      router.sweepExpired(now);
    }, 250);
    md.unref();
    housekeeping.unref();
    this.#timers = [md, housekeeping];
  }

  /** Stops the clocks and closes every JSON WebSocket (shutdown). */
  close(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#endpoint?.closeAll();
  }
}
