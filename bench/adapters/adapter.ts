import type { OpStream } from '../workloads/op-stream.js';

/**
 * Drives one order-book implementation with an OpStream. A benchmark process holds
 * exactly one adapter class, so `step` stays monomorphic and inlines into the loop.
 */
export interface BookAdapter {
  /** "perpd-fast", "perpd-reference", "nodejs-order-book". */
  readonly name: string;
  /** Drops the current book and starts an empty one (a fresh engine per repetition). */
  reset(): void;
  /** Applies op `i` of the stream. */
  step(i: number): void;
  /** Sanity counters since the last reset (rejects/errors should be 0). */
  counters(): AdapterCounters;
}

export interface AdapterCounters {
  fills: number;
  rejects: number;
  resting: number;
}

export type AdapterFactory = (stream: OpStream) => Promise<BookAdapter>;
