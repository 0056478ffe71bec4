import { RingBuffer } from 'ringbuf.js';

/**
 * A single-producer single-consumer ring of fixed-size Float64 records in a
 * SharedArrayBuffer (ringbuf.js underneath).
 *
 * Records are pushed whole or not at all: `tryPush` checks the free space first,
 * and a full ring returns false (the caller turns that into OVERLOADED or waits; a
 * record is never half-written or dropped silently). Wake-ups are separate (see
 * Doorbell) so one consumer can sleep on several rings.
 */
export interface RecordRingHandle {
  data: SharedArrayBuffer;
  recordLength: number;
}

export class RecordRing {
  readonly recordLength: number;
  readonly capacityRecords: number;
  readonly handle: RecordRingHandle;
  readonly #ring: RingBuffer;

  /** Creates a ring holding `capacityRecords` records of `recordLength` Float64 each. */
  static create(capacityRecords: number, recordLength: number): RecordRing {
    // ringbuf.js keeps one element free to tell full from empty.
    const data = RingBuffer.getStorageForCapacity(capacityRecords * recordLength + 1, Float64Array);
    return new RecordRing({ data, recordLength });
  }

  /** Attaches to a ring created elsewhere (e.g. in another thread). */
  constructor(handle: RecordRingHandle) {
    this.handle = handle;
    this.recordLength = handle.recordLength;
    this.#ring = new RingBuffer(handle.data, Float64Array);
    this.capacityRecords = Math.floor(this.#ring.capacity() / this.recordLength);
  }

  /** Records that can be pushed right now. */
  freeRecords(): number {
    return Math.floor(this.#ring.availableWrite() / this.recordLength);
  }

  /** Records waiting to be popped. */
  pendingRecords(): number {
    return Math.floor(this.#ring.availableRead() / this.recordLength);
  }

  /** Pushes one record (the first recordLength elements of `record`); false when full. */
  tryPush(record: Float64Array): boolean {
    if (this.#ring.availableWrite() < this.recordLength) return false;
    this.#ring.push(record, this.recordLength);
    return true;
  }

  /** Pushes `count` consecutive records from `records`; returns how many fit (whole records only). */
  pushMany(records: Float64Array, count: number): number {
    const fit = Math.min(count, this.freeRecords());
    if (fit > 0) this.#ring.push(records, fit * this.recordLength);
    return fit;
  }

  /** Pops up to `max` records into `out` (which must hold max × recordLength); returns the count. */
  popMany(out: Float64Array, max: number): number {
    const n = Math.min(max, this.pendingRecords());
    if (n > 0) this.#ring.pop(out, n * this.recordLength);
    return n;
  }
}

/**
 * Wake-ups for a consumer thread. Waiting strategy (docs/runtime.md): the consumer
 * spins briefly, then announces it is parking (`parked = 1`), re-checks its rings,
 * and sleeps on the doorbell word (`Atomics.wait` in workers, `Atomics.waitAsync`
 * on the main thread, which must not block). A producer rings only when the
 * consumer announced parking, so a busy consumer costs one atomic load per batch.
 *
 * Control words (Int32 in a SAB): [0] doorbell counter, [1] parked flag.
 */
export class Doorbell {
  readonly sab: SharedArrayBuffer;
  readonly #words: Int32Array;

  static create(): Doorbell {
    return new Doorbell(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  }

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.#words = new Int32Array(sab);
  }

  /** Producer: wake the consumer if it is parked. Call after a push batch. */
  ring(): void {
    if (Atomics.load(this.#words, 1) !== 0) {
      Atomics.add(this.#words, 0, 1);
      Atomics.notify(this.#words, 0);
    }
  }

  /** Consumer (worker thread): sleep until rung or timeout, unless `hasWork()` already. */
  park(timeoutMs: number, hasWork: () => boolean): void {
    const bell = Atomics.load(this.#words, 0);
    Atomics.store(this.#words, 1, 1);
    if (!hasWork()) Atomics.wait(this.#words, 0, bell, timeoutMs);
    Atomics.store(this.#words, 1, 0);
  }

  /** Consumer (main thread): resolves when rung or after timeout, unless `hasWork()` already. */
  async parkAsync(timeoutMs: number, hasWork: () => boolean): Promise<void> {
    const bell = Atomics.load(this.#words, 0);
    Atomics.store(this.#words, 1, 1);
    if (!hasWork()) {
      const res = Atomics.waitAsync(this.#words, 0, bell, timeoutMs);
      if (res.async) await res.value;
    }
    Atomics.store(this.#words, 1, 0);
  }
}
