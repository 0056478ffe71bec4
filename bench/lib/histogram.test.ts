import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from '../../engine/util/prng.js';
import { Histogram, type SerializedHistogram } from './histogram.js';

/** Exact nearest-rank percentile of sorted values. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Log-uniform integers between lo and hi (seeded). */
function logUniform(seed: number, n: number, lo: number, hi: number): number[] {
  const r = new Prng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round(lo * (hi / lo) ** r.next()));
  return out;
}

const PERCENTILES = [1, 25, 50, 90, 99, 99.9, 99.99, 100];

describe('Histogram layout', () => {
  it('holds 1 ns .. 60 s at 2 significant digits in 3,840 counts (30 KiB)', () => {
    const h = new Histogram();
    assert.equal(h.bucketCount, 29);
    assert.equal(h.counts.length, 3840);
  });

  it('stores values below the sub-bucket count exactly', () => {
    const h = new Histogram();
    for (let v = 0; v < 256; v++) {
      const i = h.indexOf(v);
      assert.equal(h.lowestAt(i), v);
      assert.equal(h.highestAt(i), v);
    }
  });

  it('puts every value in a bucket that contains it and is at most 1/128 of it wide', () => {
    const h = new Histogram();
    const values = [...logUniform(1, 20_000, 256, 60e9), 256, 511, 512, 1023, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 35 - 1, 60e9];
    for (const v of values) {
      const i = h.indexOf(v);
      const lo = h.lowestAt(i);
      const hi = h.highestAt(i);
      assert.ok(lo <= v && v <= hi, `${v} not in [${lo}, ${hi}]`);
      assert.ok((hi - lo + 1) / lo <= 1 / 128 + 1e-12, `bucket of ${v} is [${lo}, ${hi}]`);
    }
  });

  it('has consecutive, non-overlapping buckets', () => {
    const h = new Histogram();
    for (let i = 1; i < h.counts.length; i++) {
      if (h.lowestAt(i) === 0) continue;
      assert.equal(h.lowestAt(i), h.highestAt(i - 1) + 1, `index ${i}`);
    }
  });

  it('honours a coarser unit (lowest = 1000): values below it share bucket 0 slots of 512', () => {
    const h = new Histogram({ lowest: 1000, highest: 3_600_000_000, significantDigits: 3 });
    const i = h.indexOf(700);
    assert.equal(h.lowestAt(i), 512);
    assert.equal(h.highestAt(i), 1023);
  });
});

describe('Histogram percentiles', () => {
  it('reports each percentile at or above the exact one and within 0.79% of it', () => {
    for (const seed of [7, 8, 9]) {
      const values = logUniform(seed, 50_000, 1_000, 60e9);
      const h = new Histogram();
      for (const v of values) h.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      for (const p of PERCENTILES) {
        const exact = exactPercentile(sorted, p);
        const got = h.valueAtPercentile(p);
        assert.ok(got >= exact, `p${p}: ${got} < exact ${exact}`);
        assert.ok(got <= exact * (1 + 1 / 128), `p${p}: ${got} more than 1/128 above exact ${exact}`);
      }
      assert.equal(h.max, sorted[sorted.length - 1]);
      assert.equal(h.min, sorted[0]);
      assert.equal(h.total, values.length);
    }
  });

  it('is exact for a small integer distribution', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    assert.equal(h.valueAtPercentile(50), 50);
    assert.equal(h.valueAtPercentile(99), 99);
    assert.equal(h.valueAtPercentile(99.9), 100);
    assert.equal(h.mean(), 50.5);
  });

  it('never reports a percentile above the recorded maximum', () => {
    const h = new Histogram();
    h.record(1_000_001);
    assert.equal(h.valueAtPercentile(50), 1_000_001);
    assert.equal(h.valueAtPercentile(100), 1_000_001);
  });

  it('records a count of one value at once', () => {
    const h = new Histogram();
    h.record(5_000, 99);
    h.record(9_000_000, 1);
    assert.equal(h.total, 100);
    assert.equal(h.valueAtPercentile(99), 5_023); // 4096..8191 is split into buckets 32 wide: [4992, 5023]
    assert.equal(h.valueAtPercentile(100), 9_000_000);
  });

  it('answers 0 when empty', () => {
    const h = new Histogram();
    assert.deepEqual(h.summary(), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  it('saturates values above highest and clamps negatives, counting both', () => {
    const h = new Histogram({ highest: 1_000_000 });
    h.record(5e9);
    h.record(-3);
    h.record(Number.NaN);
    assert.equal(h.saturated, 1);
    assert.equal(h.clamped, 2);
    assert.equal(h.max, 1_000_000);
    assert.equal(h.min, 0);
    assert.equal(h.total, 3);
  });
});

describe('Histogram merge across processes', () => {
  it('gives the same counts as one histogram of every value, through JSON', () => {
    const values = logUniform(42, 30_000, 500, 5e9);
    const whole = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    values.forEach((v, i) => {
      whole.record(v);
      parts[i % 3].record(v);
    });
    const wire = parts.map((p) => JSON.parse(JSON.stringify(p.serialize())) as SerializedHistogram);
    const merged = Histogram.merge(wire);
    assert.deepEqual(Array.from(merged.counts), Array.from(whole.counts));
    assert.equal(merged.total, whole.total);
    assert.equal(merged.min, whole.min);
    assert.equal(merged.max, whole.max);
    assert.equal(merged.sum, whole.sum);
    assert.deepEqual(merged.summary(), whole.summary());
  });

  it('round-trips through serialize / deserialize', () => {
    const h = new Histogram();
    for (const v of logUniform(3, 1000, 1, 1e7)) h.record(v);
    assert.deepEqual(Histogram.deserialize(h.serialize()).summary(), h.summary());
  });

  it('serializes sparsely (only non-zero counts)', () => {
    const h = new Histogram();
    h.record(10);
    h.record(10);
    h.record(1e6);
    assert.equal(h.serialize().counts.length, 4);
  });

  it('refuses to merge histograms of different layouts', () => {
    const a = new Histogram();
    const b = new Histogram({ significantDigits: 3 });
    assert.throws(() => a.add(b), /different layouts/);
  });

  it('ignores an empty part when merging min and max', () => {
    const a = new Histogram();
    a.record(77);
    a.add(new Histogram());
    assert.equal(a.min, 77);
    assert.equal(a.max, 77);
  });
});
