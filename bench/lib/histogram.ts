/**
 * An HDR-style log-linear histogram (after Gil Tene's HdrHistogram): fixed memory,
 * constant-time `record`, a bounded relative error, and counts that can be sent to
 * another process and merged there.
 *
 * Layout. Values are non-negative integers in the caller's unit (the e2e benchmark
 * records nanoseconds). With `significantDigits` d, each power-of-two range
 * [2^k, 2^(k+1)) above the linear start is split into `subBucketHalfCount` equal
 * sub-buckets, where subBucketCount = 2^ceil(log2(2 × 10^d)) (256 for d = 2) and
 * the half count is 128. So a value is stored in a bucket whose width is at most
 * 1/128 of the value: any reported value is within 0.79% (< 1%, "2 significant
 * digits") of the true one. Values below `subBucketCount × 2^unitMagnitude` are
 * exact (up to the unit, 2^floor(log2(lowest))).
 *
 * Memory: (bucketCount + 1) × subBucketHalfCount Float64 counts. The default range
 * 1 ns .. 60 s at 2 digits is 29 buckets → 3,840 counts = 30 KiB.
 *
 * Percentiles. `valueAtPercentile(p)` walks the counts to the first index whose
 * cumulative count reaches ceil(p/100 × total) (nearest rank) and returns the
 * HIGHEST value equivalent to that bucket (like HdrHistogram's Java version), never
 * above the exact recorded maximum. So a reported percentile is ≥ the true one and
 * at most 1/128 above it. `max` and `min` are exact.
 *
 * Out of range: a value above `highest` is counted at `highest` and in `saturated`
 * (the report says so); negative values and NaN are counted as 0 in `clamped`.
 */

export interface HistogramOptions {
  /** Smallest value that must be told apart from 0; sets the unit (power of two ≤ it). Default 1. */
  lowest?: number;
  /** Largest value stored exactly to precision; larger ones saturate. Default 60e9 (60 s in ns). */
  highest?: number;
  /** 1..5; default 2. */
  significantDigits?: number;
}

/** What crosses a process boundary: the configuration plus sparse [index, count] pairs. */
export interface SerializedHistogram {
  lowest: number;
  highest: number;
  significantDigits: number;
  total: number;
  min: number;
  max: number;
  sum: number;
  saturated: number;
  clamped: number;
  /** Flat [index0, count0, index1, count1, …] of the non-zero counts. */
  counts: number[];
}

export interface PercentileSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** floor(log2(v)) for an integer v ≥ 1, exact above 2^31 too. */
function msb(v: number): number {
  if (v < 0x80000000) return 31 - Math.clz32(v);
  let m = Math.floor(Math.log2(v));
  if (2 ** m > v) m--;
  else if (2 ** (m + 1) <= v) m++;
  return m;
}

export class Histogram {
  readonly lowest: number;
  readonly highest: number;
  readonly significantDigits: number;
  readonly #unitMagnitude: number;
  readonly #subBucketHalfCountMagnitude: number;
  readonly #subBucketCount: number;
  readonly #subBucketHalfCount: number;
  /** msb of (subBucketCount − 1) × 2^unitMagnitude: small values land in bucket 0. */
  readonly #maskMsb: number;
  readonly bucketCount: number;
  readonly counts: Float64Array;
  total = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  saturated = 0;
  clamped = 0;

  constructor(options: HistogramOptions = {}) {
    const lowest = options.lowest ?? 1;
    const highest = options.highest ?? 60e9;
    const digits = options.significantDigits ?? 2;
    if (!Number.isInteger(lowest) || lowest < 1) throw new RangeError('lowest must be an integer ≥ 1');
    if (!(highest >= 2 * lowest) || !Number.isSafeInteger(highest)) throw new RangeError('highest must be a safe integer ≥ 2 × lowest');
    if (!Number.isInteger(digits) || digits < 1 || digits > 5) throw new RangeError('significantDigits must be 1..5');
    this.lowest = lowest;
    this.highest = highest;
    this.significantDigits = digits;
    this.#unitMagnitude = msb(lowest);
    const subBucketCountMagnitude = Math.ceil(Math.log2(2 * 10 ** digits));
    this.#subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
    this.#subBucketCount = 2 ** subBucketCountMagnitude;
    this.#subBucketHalfCount = this.#subBucketCount / 2;
    this.#maskMsb = this.#unitMagnitude + subBucketCountMagnitude - 1;
    let smallestUntrackable = this.#subBucketCount * 2 ** this.#unitMagnitude;
    let buckets = 1;
    while (smallestUntrackable <= highest) {
      smallestUntrackable *= 2;
      buckets++;
    }
    this.bucketCount = buckets;
    this.counts = new Float64Array((buckets + 1) * this.#subBucketHalfCount);
  }

  /** Index into `counts` of an integer value in [0, highest]. */
  indexOf(value: number): number {
    // msb(value | subBucketMask) without 32-bit operators (values may exceed 2^32).
    const m = Math.max(value >= 1 ? msb(value) : 0, this.#maskMsb);
    const bucketIndex = m - this.#unitMagnitude - this.#subBucketHalfCountMagnitude;
    const subBucketIndex = Math.floor(value / 2 ** (bucketIndex + this.#unitMagnitude));
    return (bucketIndex + 1) * this.#subBucketHalfCount + (subBucketIndex - this.#subBucketHalfCount);
  }

  /** Smallest value stored at `index`. */
  lowestAt(index: number): number {
    let bucketIndex = Math.floor(index / this.#subBucketHalfCount) - 1;
    let subBucketIndex = (index % this.#subBucketHalfCount) + this.#subBucketHalfCount;
    if (bucketIndex < 0) {
      subBucketIndex -= this.#subBucketHalfCount;
      bucketIndex = 0;
    }
    return subBucketIndex * 2 ** (bucketIndex + this.#unitMagnitude);
  }

  /** Largest value stored at `index` (the next index's lowest − 1 unit of 1). */
  highestAt(index: number): number {
    const bucketIndex = Math.max(0, Math.floor(index / this.#subBucketHalfCount) - 1);
    return this.lowestAt(index) + 2 ** (bucketIndex + this.#unitMagnitude) - 1;
  }

  /** Records `value` (rounded to an integer) `count` times. No allocation. */
  record(value: number, count = 1): void {
    let v = Math.round(value);
    if (!(v >= 0)) {
      v = 0;
      this.clamped += count;
    } else if (v > this.highest) {
      v = this.highest;
      this.saturated += count;
    }
    this.counts[this.indexOf(v)] += count;
    this.total += count;
    this.sum += v * count;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Nearest-rank percentile (p in [0, 100]), reported as its bucket's highest value, capped at max. 0 when empty. */
  valueAtPercentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= rank) return Math.min(this.highestAt(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  summary(): PercentileSummary {
    return {
      count: this.total,
      min: this.total ? this.min : 0,
      mean: this.mean(),
      p50: this.valueAtPercentile(50),
      p90: this.valueAtPercentile(90),
      p99: this.valueAtPercentile(99),
      p999: this.valueAtPercentile(99.9),
      max: this.max,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.min = Infinity;
    this.max = 0;
    this.sum = 0;
    this.saturated = 0;
    this.clamped = 0;
  }

  /** Adds another histogram's counts (same lowest / highest / digits). */
  add(other: Histogram | SerializedHistogram): void {
    const h = other instanceof Histogram ? other.serialize() : other;
    if (h.lowest !== this.lowest || h.highest !== this.highest || h.significantDigits !== this.significantDigits) {
      throw new RangeError(`cannot merge histograms of different layouts (${h.lowest}/${h.highest}/${h.significantDigits} into ${this.lowest}/${this.highest}/${this.significantDigits})`);
    }
    for (let i = 0; i < h.counts.length; i += 2) this.counts[h.counts[i]] += h.counts[i + 1];
    if (h.total > 0) {
      this.min = Math.min(this.min, h.min);
      this.max = Math.max(this.max, h.max);
    }
    this.total += h.total;
    this.sum += h.sum;
    this.saturated += h.saturated;
    this.clamped += h.clamped;
  }

  serialize(): SerializedHistogram {
    const counts: number[] = [];
    const c = this.counts;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) counts.push(i, c[i]);
    return {
      lowest: this.lowest,
      highest: this.highest,
      significantDigits: this.significantDigits,
      total: this.total,
      min: this.total ? this.min : 0,
      max: this.max,
      sum: this.sum,
      saturated: this.saturated,
      clamped: this.clamped,
      counts,
    };
  }

  static deserialize(s: SerializedHistogram): Histogram {
    const h = new Histogram({ lowest: s.lowest, highest: s.highest, significantDigits: s.significantDigits });
    h.add(s);
    return h;
  }

  /** Merges serialized histograms of one layout (e.g. one per generator process). */
  static merge(parts: readonly SerializedHistogram[], options?: HistogramOptions): Histogram {
    const first = parts[0];
    const h = new Histogram(first ? { lowest: first.lowest, highest: first.highest, significantDigits: first.significantDigits } : options);
    for (const p of parts) h.add(p);
    return h;
  }
}
