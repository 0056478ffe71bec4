/**
 * Exact integer `a × b / d` for safe integers, with an explicit rounding direction.
 *
 * Money math multiplies a notional (up to 2^50 micros by the market-spec bound) by
 * a rate in ppm (up to 1e6 ≈ 2^20), so the product can exceed 2^53 and a plain
 * `a * b / d` in doubles would silently lose low bits. These functions are exact:
 *
 * - Fast path: when `a × b` is a safe integer (the double product of two safe
 *   integers is exact whenever the true product is ≤ 2^53 − 1, and rounding is
 *   monotone, so `Number.isSafeInteger(a * b)` is a correct test), the quotient is
 *   `(p − p % d) / d`: `%` on doubles is exact, `p − p % d` is an exact multiple of
 *   `d`, so the division is exact too. No float rounding is involved anywhere.
 * - Slow path: BigInt, taken only when `|a × b| > 2^53 − 1` (e.g. a notional above
 *   ~$9,000 × 1e6 / ratePpm). It allocates; it is never on the matching loop, only
 *   on the ledger's margin checks of large positions.
 *
 * All three throw a RangeError (a broken invariant, hence `must…`) when an argument
 * is not a safe integer, when `d ≤ 0`, or when the result is not a safe integer.
 */

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

function mustArgs(fn: string, a: number, b: number, d: number): void {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(d) || d <= 0) {
    throw new RangeError(`${fn}(${a}, ${b}, ${d}): arguments must be safe integers with d > 0`);
  }
}

/** Rounding modes of the slow path: -1 floor, 0 trunc, +1 ceil. */
function slowMulDiv(fn: string, a: number, b: number, d: number, mode: -1 | 0 | 1): number {
  const p = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  let q = p / bd; // BigInt division truncates toward zero
  const r = p % bd; // same sign as p
  if (mode < 0 && r < 0n) q -= 1n;
  else if (mode > 0 && r > 0n) q += 1n;
  if (q > MAX_SAFE_BIG || q < -MAX_SAFE_BIG) throw new RangeError(`${fn}(${a}, ${b}, ${d}): result ${q} is not a safe integer`);
  return Number(q);
}

/** trunc(a × b / d): rounds toward zero. */
export function mustMulDivTrunc(a: number, b: number, d: number): number {
  mustArgs('mustMulDivTrunc', a, b, d);
  const p = a * b;
  if (!Number.isSafeInteger(p)) return slowMulDiv('mustMulDivTrunc', a, b, d, 0);
  const q = (p - (p % d)) / d;
  return q === 0 ? 0 : q; // normalise -0
}

/** floor(a × b / d): rounds toward −∞. */
export function mustMulDivFloor(a: number, b: number, d: number): number {
  mustArgs('mustMulDivFloor', a, b, d);
  const p = a * b;
  if (!Number.isSafeInteger(p)) return slowMulDiv('mustMulDivFloor', a, b, d, -1);
  const r = p % d;
  const q = (p - r) / d - (r < 0 ? 1 : 0);
  return q === 0 ? 0 : q;
}

/** ceil(a × b / d): rounds toward +∞. */
export function mustMulDivCeil(a: number, b: number, d: number): number {
  mustArgs('mustMulDivCeil', a, b, d);
  const p = a * b;
  if (!Number.isSafeInteger(p)) return slowMulDiv('mustMulDivCeil', a, b, d, 1);
  const r = p % d;
  const q = (p - r) / d + (r > 0 ? 1 : 0);
  return q === 0 ? 0 : q;
}

/** a + b, throwing when the sum is not a safe integer (sums of balances in the ledger). */
export function mustAddSafe(a: number, b: number): number {
  const s = a + b;
  if (!Number.isSafeInteger(s)) throw new RangeError(`mustAddSafe(${a}, ${b}): sum is not a safe integer`);
  return s;
}
