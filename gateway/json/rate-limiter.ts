/**
 * Per-key token buckets with Hyperliquid-style request weights. A key is a user
 * address ("0x…") for signed actions and user-keyed queries, or a client IP for
 * anonymous queries. A request of weight w is admitted when the key's bucket holds
 * at least w tokens; buckets refill continuously at `refillPerMinute` up to
 * `capacity`. Refusing changes nothing but the answer.
 *
 * Weights (Hyperliquid's): info l2Book, allMids, clearinghouseState, orderStatus: 2;
 * other info requests: 20; an exchange action: 1 + floor(batchLength / 40).
 *
 * Bounded: at most `maxKeys` buckets. Over the bound, buckets that have refilled to
 * capacity (equivalent to absent) are dropped first, then the least recently used.
 */

export interface RateLimitOptions {
  capacity: number;
  refillPerMinute: number;
  maxKeys: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = { capacity: 1_200, refillPerMinute: 1_200, maxKeys: 100_000 };

/**
 * Signed actions whose signature recovers to nobody we know (a damaged signature, an
 * unknown signer), per client IP. Recovering a signer is the costliest step of a
 * request and comes before any per-user limit, so without this one address could make
 * the gateway thread recover garbage as fast as it can send it. Over the budget an IP
 * is refused (HTTP 429) before recovery. Generous, so a client behind a shared NAT with
 * a bug is not locked out for long: 600 per minute, refilled continuously.
 */
export const DEFAULT_FAILED_SIGNER_LIMITS: RateLimitOptions = { capacity: 600, refillPerMinute: 600, maxKeys: 100_000 };

const LIGHT_INFO = new Set(['l2Book', 'allMids', 'clearinghouseState', 'orderStatus']);

export function infoWeight(type: string): number {
  return LIGHT_INFO.has(type) ? 2 : 20;
}

export function actionWeight(batchLength: number): number {
  return 1 + Math.floor(batchLength / 40);
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  readonly #o: RateLimitOptions;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions = DEFAULT_RATE_LIMITS) {
    this.#o = options;
  }

  /** Takes `weight` tokens and returns 0, or returns how many ms until they would be available (nothing taken). */
  tryTake(key: string, weight: number, nowMs: number): number {
    const o = this.#o;
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= o.maxKeys) this.#shrink(nowMs);
      b = { tokens: o.capacity, atMs: nowMs };
    } else {
      this.#buckets.delete(key);
      this.#refill(b, nowMs);
    }
    this.#buckets.set(key, b);
    if (b.tokens >= weight) {
      b.tokens -= weight;
      return 0;
    }
    return Math.ceil(((weight - b.tokens) * 60_000) / o.refillPerMinute);
  }

  /** Milliseconds until `weight` tokens are available (0: available now); takes nothing. */
  waitMs(key: string, weight: number, nowMs: number): number {
    const b = this.#buckets.get(key);
    if (b === undefined) return 0;
    this.#refill(b, nowMs);
    return b.tokens >= weight ? 0 : Math.ceil(((weight - b.tokens) * 60_000) / this.#o.refillPerMinute);
  }

  #refill(b: Bucket, nowMs: number): void {
    const o = this.#o;
    if (nowMs > b.atMs) {
      b.tokens = Math.min(o.capacity, b.tokens + ((nowMs - b.atMs) * o.refillPerMinute) / 60_000);
      b.atMs = nowMs;
    }
  }

  #shrink(nowMs: number): void {
    for (const [k, b] of this.#buckets) {
      this.#refill(b, nowMs);
      if (b.tokens >= this.#o.capacity) this.#buckets.delete(k);
    }
    while (this.#buckets.size >= this.#o.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
