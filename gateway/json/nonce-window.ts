/**
 * Hyperliquid's nonce rule, per signer (a user or an agent address):
 *
 *   1. the nonce lies within (now − 2 days, now + 1 day);
 *   2. it is not among the signer's stored nonces (the 100 highest seen);
 *   3. it is above the smallest of them once 100 are stored.
 *
 * perpd adds one rule because the set lives in memory: a nonce must also be above
 * `floorMs` (the daemon's start time), so a request signed before a restart cannot
 * be replayed after it. Bounded: 100 numbers per signer, and signers are only
 * created for known users and agents (`maxSigners`, least recently used evicted;
 * an evicted signer falls back to the floor rule, which is then its last-use time).
 */

export const NONCE_SET_SIZE = 100;
export const NONCE_PAST_WINDOW_MS = 2 * 24 * 3600 * 1000;
export const NONCE_FUTURE_WINDOW_MS = 24 * 3600 * 1000;

export class NonceWindow {
  readonly #sets = new Map<string, number[]>(); // ascending, ≤ NONCE_SET_SIZE
  readonly #evictedFloor = new Map<string, number>();
  readonly #floorMs: number;
  readonly #maxSigners: number;

  constructor(options: { floorMs: number; maxSigners?: number }) {
    this.#floorMs = options.floorMs;
    this.#maxSigners = options.maxSigners ?? 1_000_000;
  }

  /** Why `nonce` is refused for `signer` at `nowMs`, or undefined when it may be used. Changes nothing. */
  check(signer: string, nonce: number, nowMs: number): string | undefined {
    if (!Number.isSafeInteger(nonce) || nonce <= 0) return `Invalid nonce: ${nonce} is not a positive integer.`;
    if (nonce <= nowMs - NONCE_PAST_WINDOW_MS || nonce >= nowMs + NONCE_FUTURE_WINDOW_MS) {
      return `Invalid nonce: ${nonce} is outside the allowed window (now − 2 days, now + 1 day); use the current time in milliseconds.`;
    }
    const floor = Math.max(this.#floorMs, this.#evictedFloor.get(signer) ?? 0);
    if (nonce <= floor) return `Invalid nonce: ${nonce} is not after ${floor} (the server's start or the signer's last use); sign again with a fresh nonce.`;
    const set = this.#sets.get(signer);
    if (set === undefined) return undefined;
    if (binarySearch(set, nonce) >= 0) return `Invalid nonce: duplicate nonce ${nonce} for signer ${signer}; a nonce can be used once.`;
    if (set.length >= NONCE_SET_SIZE && nonce < set[0]) return `Invalid nonce: ${nonce} is below ${set[0]}, the smallest of the last ${NONCE_SET_SIZE} nonces of ${signer}.`;
    return undefined;
  }

  /** Records a nonce that passed `check` (the request is being executed). */
  use(signer: string, nonce: number): void {
    let set = this.#sets.get(signer);
    if (set === undefined) {
      if (this.#sets.size >= this.#maxSigners) this.#evictOldest();
      set = [];
    } else {
      this.#sets.delete(signer); // re-insert: Map order is least recently used first
    }
    this.#sets.set(signer, set);
    const at = -binarySearch(set, nonce) - 1;
    set.splice(at, 0, nonce);
    if (set.length > NONCE_SET_SIZE) set.shift();
  }

  #evictOldest(): void {
    const [signer, set] = this.#sets.entries().next().value as [string, number[]];
    this.#sets.delete(signer);
    this.#evictedFloor.set(signer, set[set.length - 1]);
    if (this.#evictedFloor.size > this.#maxSigners) this.#evictedFloor.delete(this.#evictedFloor.keys().next().value as string);
  }

  get signerCount(): number {
    return this.#sets.size;
  }
}

/** Index of `x` in ascending `a`, or −(insertion point) − 1. */
function binarySearch(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else if (a[mid] > x) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}
