/**
 * The JSON benchmark's orders as Hyperliquid-dialect signed actions, prepared before
 * a step is timed (docs/api-json.md): one action per planned op, signed with the
 * SDK's own `signL1Action` (@nktkas/hyperliquid/signing, viem key wallet), serialised
 * and laid out as the bytes to send — a WebSocket `post` text frame (`wsPostFrame`)
 * or an HTTP `POST /exchange` request (`httpExchangeFrame`). Signing costs ~0.75 ms
 * per action on these machines, so it must never happen while a step runs.
 *
 * Op → action (the plan comes from ./workload.ts, the same mix as e2e-binary):
 *   PLACE   order [{a, b, p, s, r: false, t: {limit: {tif: "Gtc"}}, c: cloid}], grouping "na"
 *   IOC     order [{a, b, p, s, r: false, t: {limit: {tif: "Ioc"}}}]
 *   CANCEL  cancelByCloid [{asset, cloid}] of the target (its oid is only known once it
 *           was answered, and a signed action cannot be changed at send time)
 *   MODIFY  modify {oid: cloid of the target, order: same side, new price, same size, same cloid}
 * Keys are in the SDK's order (what its valibot schemas produce), so the JSON sent is
 * what ExchangeClient would send; the tests check that.
 *
 * Prices: Hyperliquid refuses a non-integer price with more than 5 significant figures
 * (and perpd refuses one off the tick grid). Near $100,000 (BTC) that leaves whole
 * dollars, 10 ticks of 0.1; near $3,500 (ETH) 0.1 = 10 ticks; near $150 (SOL) 0.01 =
 * 10 ticks. The planner works in those price steps (`priceStepTicks`), and every
 * price and size is checked against the market's grid (gateway/json/market-grid.ts)
 * while preparing: the daemon refuses none for its price or size.
 *
 * Nonces (`NoncePlan`): per connection (one signer), the nonces of a step are
 * first, first + 1, … with first = max(prepare time in ms + 1, last nonce + 1). They
 * increase in send order on one connection (the daemon handles a connection's
 * messages in order), so each is above every earlier one: unique and above the
 * smallest of the 100 highest (Hyperliquid's rule); they are after the daemon's start
 * (perpd's rule), and within (now − 2 days, now + 1 day) as long as a step has fewer
 * than 86.4 M ops per connection.
 */
import { signL1Action } from '@nktkas/hyperliquid/signing';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { MarketSpec } from '../../engine/market-spec.js';
import { JSON_EXCHANGE_PATH, type JsonApiLimits } from '../../gateway/json/json-api.js';
import { MarketGrid } from '../../gateway/json/market-grid.js';
import { httpRequest } from './raw-http.js';
import { clientFrame, Opcode } from './raw-ws.js';
import { writeCloid } from './step-frames.js';
import { OpKind, type PlannedOps, type WorkloadMarket } from './workload.js';

/**
 * The daemon's JSON API limits for the benchmark (DaemonOptions.jsonApi): the
 * per-address rate limit (default 1,200 weight a minute) and the pending posts per
 * connection (default 100) are raised out of the way, so what is measured is the
 * gateway's work, not its refusals.
 */
export const JSON_BENCH_LIMITS: Partial<JsonApiLimits> = {
  rate: { capacity: 1e9, refillPerMinute: 1e9, maxKeys: 100_000 },
  maxPendingPostsPerConnection: 1_000_000,
};

/** A market as the JSON benchmark plans it: prices in steps of `priceStepTicks` ticks. */
export interface JsonMarket {
  grid: MarketGrid;
  /** Ticks per price step: the finest grid on which every price within the band has ≤ 5 significant figures. */
  priceStepTicks: number;
  /** The initial mark in price steps (what ./workload.ts plans around). */
  markSteps: number;
}

/**
 * The finest price step (in ticks) on which every price up to the band's top has at
 * most 5 significant figures or is an integer, and at most 6 − szDecimals decimals.
 */
export function priceStepTicks(spec: MarketSpec): number {
  const grid = new MarketGrid(spec);
  const top = Number(grid.pxOf(Math.ceil(spec.initialMarkPriceTicks * (1 + spec.priceBandPpm / 1e6))));
  const intDigits = Math.floor(Math.log10(top)) + 1;
  const decimals = Math.min(Math.max(0, 5 - intDigits), grid.maxPriceDecimals);
  // step = 10^-decimals in price units = 10^(tick.scale − decimals) / tick.units ticks
  const exp = grid.tick.scale - decimals;
  const num = exp >= 0 ? 10n ** BigInt(exp) : 0n;
  if (num === 0n || num % grid.tick.units !== 0n) return 1; // the tick itself is coarser than the figures allow
  return Number(num / grid.tick.units);
}

export function jsonMarkets(specs: readonly MarketSpec[], markets: readonly WorkloadMarket[]): JsonMarket[] {
  return markets.map((m) => {
    const spec = specs.find((s) => s.marketId === m.marketId);
    if (!spec) throw new Error(`market ${m.marketId}: no spec (the JSON benchmark knows the demo markets)`);
    const step = priceStepTicks(spec);
    return { grid: new MarketGrid(spec), priceStepTicks: step, markSteps: Math.round(m.markTicks / step) };
  });
}

/** The markets in price steps, for ConnectionPlanner. */
export const plannerMarkets = (ms: readonly JsonMarket[]): WorkloadMarket[] => ms.map((m) => ({ marketId: m.grid.marketId, markTicks: m.markSteps }));

/** Nonces of one signer, step after step (see the header). */
export class NoncePlan {
  #last = 0;

  /** Reserves `count` consecutive nonces; returns the first. */
  take(count: number, nowMs: number): number {
    const first = Math.max(nowMs + 1, this.#last + 1);
    this.#last = first + count - 1;
    return first;
  }

  get last(): number {
    return this.#last;
  }
}

/** "0x" + 32 hex digits: the cloid of a connection's planned order (tag, plan index), as the binary benchmark's. */
export function cloidHex(connectionTag: number, planIdx: number): `0x${string}` {
  const b = new Uint8Array(16);
  writeCloid(b, 0, connectionTag, planIdx);
  return `0x${Buffer.from(b).toString('hex')}`;
}

type OrderWire = { a: number; b: boolean; p: string; s: string; r: boolean; t: { limit: { tif: 'Gtc' | 'Ioc' } }; c?: `0x${string}` };
export type BenchAction =
  | { type: 'order'; orders: OrderWire[]; grouping: 'na' }
  | { type: 'cancelByCloid'; cancels: { asset: number; cloid: `0x${string}` }[] }
  | { type: 'modify'; oid: `0x${string}`; order: OrderWire };

/**
 * Builds the actions of one connection's plan rows. Keeps, across steps, the size of
 * each live resting order (a modify names the size; the plan keeps it unchanged).
 */
export class ActionBuilder {
  readonly #markets: Map<number, JsonMarket>;
  readonly #tag: number;
  readonly #sizeOf = new Map<number, number>();

  constructor(markets: readonly JsonMarket[], connectionTag: number) {
    this.#markets = new Map(markets.map((m) => [m.grid.marketId, m]));
    this.#tag = connectionTag;
  }

  action(plan: PlannedOps, i: number): BenchAction {
    const m = this.#markets.get(plan.marketId[i]);
    if (!m) throw new Error(`unknown market ${plan.marketId[i]}`);
    const kind = plan.kind[i];
    const planIdx = plan.base + i;
    const target = plan.target[i];
    const wire = (sizeLots: number, tif: 'Gtc' | 'Ioc', cloid?: `0x${string}`): OrderWire => {
      const o: OrderWire = { a: m.grid.marketId, b: plan.side[i] === 0, p: mustPrice(m, plan.priceTicks[i]), s: mustSize(m, sizeLots), r: false, t: { limit: { tif } } };
      if (cloid) o.c = cloid;
      return o;
    };
    switch (kind) {
      case OpKind.PLACE:
        this.#sizeOf.set(planIdx, plan.sizeLots[i]);
        return { type: 'order', orders: [wire(plan.sizeLots[i], 'Gtc', cloidHex(this.#tag, planIdx))], grouping: 'na' };
      case OpKind.IOC:
        return { type: 'order', orders: [wire(plan.sizeLots[i], 'Ioc')], grouping: 'na' };
      case OpKind.CANCEL:
        this.#sizeOf.delete(target);
        return { type: 'cancelByCloid', cancels: [{ asset: m.grid.marketId, cloid: cloidHex(this.#tag, target) }] };
      case OpKind.MODIFY: {
        const size = this.#sizeOf.get(target);
        if (size === undefined) throw new Error(`modify of plan index ${target}: not a live order of this connection`);
        const cloid = cloidHex(this.#tag, target);
        return { type: 'modify', oid: cloid, order: wire(size, 'Gtc', cloid) };
      }
    }
    throw new Error(`unknown op kind ${kind}`);
  }
}

/** A price in steps → its decimal string, checked against the market's grid. */
function mustPrice(m: JsonMarket, steps: number): string {
  const ticks = steps * m.priceStepTicks;
  const px = m.grid.pxOf(ticks);
  const back = m.grid.tryPriceTicks(px);
  if (!back.ok || back.value !== ticks) throw new Error(`price ${px} (${m.grid.coin}) would be refused: ${back.ok ? 'round trip' : back.error}`);
  return px;
}

function mustSize(m: JsonMarket, lots: number): string {
  const sz = m.grid.szOf(lots);
  const back = m.grid.trySizeLots(sz);
  if (!back.ok || back.value !== lots) throw new Error(`size ${sz} (${m.grid.coin}) would be refused: ${back.ok ? 'round trip' : back.error}`);
  return sz;
}

/** The body of a signed action (POST /exchange, or a WebSocket post's payload), keys in the SDK's order. */
export interface ExchangePayload {
  action: BenchAction;
  signature: { r: string; s: string; v: number };
  nonce: number;
}

/** Lays out one signed action as the bytes sent for it; `id` is the op's plan index + 1. */
export type Framing = (id: number, payload: ExchangePayload) => Buffer;

/** The WebSocket `post` message `{method: "post", id, request: {type: "action", payload}}` as a whole client text frame (what the SDK's WebSocketTransport sends). */
export const wsPostFrame: Framing = (id, payload) => clientFrame(Buffer.from(JSON.stringify({ method: 'post', id, request: { type: 'action', payload } })), Opcode.TEXT);

/** `POST /exchange` with the payload as its body (what the SDK's HttpTransport sends), for a keep-alive connection. */
export const httpExchangeFrame =
  (host: string): Framing =>
  (_id, payload) =>
    httpRequest(JSON_EXCHANGE_PATH, Buffer.from(JSON.stringify(payload)), host);

/** One connection's step: every op's bytes (a whole WebSocket frame or HTTP request), back to back. Row j = plan index base + j. */
export interface JsonStepMessages {
  base: number;
  count: number;
  kind: Uint8Array;
  bytes: Buffer;
  /** Row j's bytes are bytes[off[j], off[j + 1]). */
  off: Uint32Array;
  /** Nonces used: [firstNonce, firstNonce + count). */
  firstNonce: number;
}

/** Builds, signs and lays out one connection's planned ops (untimed). */
export async function signStep(plan: PlannedOps, builder: ActionBuilder, wallet: PrivateKeyAccount, nonces: NoncePlan, nowMs: number, frame: Framing = wsPostFrame): Promise<JsonStepMessages> {
  const n = plan.count;
  const firstNonce = nonces.take(n, nowMs);
  const parts: Buffer[] = [];
  const off = new Uint32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const action = builder.action(plan, i);
    const nonce = firstNonce + i;
    const signature = await signL1Action({ wallet, action, nonce });
    const bytes = frame(plan.base + i + 1, { action, signature, nonce });
    parts.push(bytes);
    off[i] = at;
    at += bytes.length;
  }
  off[n] = at;
  return { base: plan.base, count: n, kind: plan.kind, bytes: Buffer.concat(parts, at), off, firstNonce };
}
