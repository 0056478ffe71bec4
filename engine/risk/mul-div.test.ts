import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mustAddSafe, mustMulDivCeil, mustMulDivFloor, mustMulDivTrunc } from './mul-div.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** Reference in BigInt: floor / ceil / trunc of a·b/d. */
function ref(a: number, b: number, d: number): { floor: number; ceil: number; trunc: number } {
  const p = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  const t = p / bd;
  const r = p % bd;
  return { trunc: Number(t), floor: Number(r < 0n ? t - 1n : t), ceil: Number(r > 0n ? t + 1n : t) };
}

describe('mustMulDiv rounding', () => {
  const cases: Array<{ name: string; a: number; b: number; d: number; floor: number; ceil: number; trunc: number }> = [
    { name: 'an exact quotient is the same in every mode', a: 6, b: 5, d: 3, floor: 10, ceil: 10, trunc: 10 },
    { name: 'a positive fraction floors down and ceils up', a: 7, b: 1, d: 2, floor: 3, ceil: 4, trunc: 3 },
    { name: 'a negative fraction floors away from zero and truncates toward it', a: -7, b: 1, d: 2, floor: -4, ceil: -3, trunc: -3 },
    { name: 'a small negative result truncates to 0, not -0', a: -1, b: 1, d: 3, floor: -1, ceil: 0, trunc: 0 },
    { name: 'zero times anything is 0', a: 0, b: -5, d: 7, floor: 0, ceil: 0, trunc: 0 },
    { name: '$100,000 notional at 5% is exactly $5,000', a: 100_000_000_000, b: 50_000, d: 1_000_000, floor: 5_000_000_000, ceil: 5_000_000_000, trunc: 5_000_000_000 },
    { name: 'a 2^50 notional times 999,999 ppm takes the exact slow path', a: 2 ** 50, b: 999_999, d: 1_000_000, ...ref(2 ** 50, 999_999, 1_000_000) },
    { name: 'the slow path rounds a negative product toward -infinity on floor', a: -(2 ** 50) - 1, b: 333_333, d: 1_000_000, ...ref(-(2 ** 50) - 1, 333_333, 1_000_000) },
    { name: 'a product just above 2^53 is still exact', a: 2 ** 27 + 1, b: 2 ** 26 + 3, d: 7, ...ref(2 ** 27 + 1, 2 ** 26 + 3, 7) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(mustMulDivFloor(c.a, c.b, c.d), c.floor);
      assert.equal(mustMulDivCeil(c.a, c.b, c.d), c.ceil);
      assert.equal(mustMulDivTrunc(c.a, c.b, c.d), c.trunc);
      assert.ok(!Object.is(mustMulDivTrunc(c.a, c.b, c.d), -0));
    });
  }

  it('agrees with BigInt on a sweep of large operands near the fast/slow boundary', () => {
    const as = [1, 3, 999_983, 2 ** 26 - 1, 2 ** 26, 2 ** 33 + 7, 2 ** 50 - 3, MAX];
    const bs = [1, 7, 999_999, 1_000_000, 2 ** 20 + 1, 2 ** 27 - 1];
    const ds = [1, 3, 1_000_000, 999_999_937];
    for (const a of as) {
      for (const sa of [1, -1]) {
        for (const b of bs) {
          for (const d of ds) {
            const want = ref(sa * a, b, d);
            const safe = (v: number) => Number.isSafeInteger(v);
            if (!safe(want.floor) || !safe(want.ceil)) continue;
            assert.equal(mustMulDivFloor(sa * a, b, d), want.floor, `floor ${sa * a}*${b}/${d}`);
            assert.equal(mustMulDivCeil(sa * a, b, d), want.ceil, `ceil ${sa * a}*${b}/${d}`);
            assert.equal(mustMulDivTrunc(sa * a, b, d), want.trunc, `trunc ${sa * a}*${b}/${d}`);
          }
        }
      }
    }
  });
});

describe('mustMulDiv overflow guards', () => {
  const bad: Array<{ name: string; a: number; b: number; d: number }> = [
    { name: 'a result above 2^53 - 1 throws instead of rounding', a: MAX, b: 2, d: 1 },
    { name: 'a result below -(2^53 - 1) throws', a: -MAX, b: 3, d: 2 },
    { name: 'a non-integer argument throws', a: 1.5, b: 2, d: 1 },
    { name: 'an unsafe argument throws', a: 2 ** 53, b: 1, d: 1 },
    { name: 'a zero divisor throws', a: 1, b: 1, d: 0 },
    { name: 'a negative divisor throws', a: 1, b: 1, d: -1 },
    { name: 'NaN throws', a: Number.NaN, b: 1, d: 1 },
  ];
  for (const c of bad) {
    it(c.name, () => {
      assert.throws(() => mustMulDivFloor(c.a, c.b, c.d), RangeError);
      assert.throws(() => mustMulDivCeil(c.a, c.b, c.d), RangeError);
      assert.throws(() => mustMulDivTrunc(c.a, c.b, c.d), RangeError);
    });
  }
  it('mustAddSafe adds safe integers and throws past 2^53 - 1', () => {
    assert.equal(mustAddSafe(MAX - 1, 1), MAX);
    assert.throws(() => mustAddSafe(MAX, 1), RangeError);
    assert.throws(() => mustAddSafe(-MAX, -1), RangeError);
  });
});
