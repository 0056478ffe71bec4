/**
 * Appends to the journal with group commit (docs/durability.md, "Group commit and
 * acknowledgements").
 *
 * Appends are synchronous and cheap: the record is encoded straight into the group's
 * command block or event block (records.ts). A group commit writes each block as ONE
 * LMDB value, plus any state-hash and snapshot records, in ONE write transaction (one
 * explicit `batch()`): durability costs one put per log, one checksum per block and
 * one commit (and, in sync mode, one fsync) per group, not per record. At most one commit is in flight: records
 * appended meanwhile form the next group, which starts the moment the previous one
 * commits. This is what makes the durable journal always a gap-free PREFIX of the
 * appended sequence even when a commit fails (a later group can never commit around
 * a failed one).
 *
 * A group starts when no commit is in flight and
 *   - `groupCommitMaxRecords` records are queued (immediately, inside the append), or
 *   - the delay elapsed: `groupCommitMaxDelayMicros` below 1000 means "at the end of
 *     the current event-loop turn" (setImmediate; timers have 1 ms resolution),
 *     otherwise a timer of that many µs, or
 *   - someone awaits `flush()`.
 *
 * Acknowledgement threshold (the `onDurable` callback, `ackedSeq`, `flush()`):
 *   sync   after the group's fsync completed (lmdb-js `flushed`): survives power loss.
 *   async  after the group's commit completed (visible; written to the OS page cache
 *          with write(2), fsync follows within about one fsync time): survives a
 *          process crash (kill -9), may lose the last ~ms of acknowledged records on
 *          an OS crash or power loss.
 *
 * A failed commit (disk full, I/O error) poisons the writer: every later append
 * throws the JournalWriteError, pending `flush()` promises reject, `onFailure` is
 * called once. Records of the failed group were not persisted and must never be
 * acknowledged; the daemon stops accepting and must be restarted (recovery rebuilds
 * state from the durable prefix).
 */
import { statfsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Database } from 'lmdb';
import type { Command } from '../engine/command.js';
import { encodeCommand } from '../engine/ring/command-codec.js';
import type { JournalStore, StateHashRecord } from './journal-store.js';
import { BLOCK_HEADER_BYTES, BlockKind, COMMAND_SLOTS, EventRecordKind, MARKET_EVENT_SLOTS, R1_EFFECT_SLOTS, sealBlock } from './records.js';

export type JournalMode = 'sync' | 'async';

export interface JournalWriterOptions {
  mode: JournalMode;
  groupCommitMaxRecords: number;
  groupCommitMaxDelayMicros: number;
  /** After each group becomes acknowledgeable (see the module comment): the highest seq and event cursor it covers. */
  onDurable?: (seq: number, eventCursor: number) => void;
  /** Once, when a commit fails. */
  onFailure?: (err: JournalWriteError) => void;
  /** After each group is acknowledged: its record count and the time from the start of its commit to its acknowledgement (metrics). */
  onGroupAcknowledged?: (records: number, commitMicros: number) => void;
  /** Stop (fail) before a commit when the file system has less free space than this; 0 disables. Default 64 MiB. */
  minFreeDiskBytes?: number;
}

export const DEFAULT_MIN_FREE_DISK_BYTES = 64 * 2 ** 20;

export class JournalWriteError extends Error {
  readonly code = 'PERPD_JOURNAL_WRITE_FAILED';
  constructor(
    message: string,
    readonly lastDurableSeq: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'JournalWriteError';
  }
}

export interface JournalWriterStats {
  /** Group commits completed. */
  commits: number;
  /** Records in those commits. */
  records: number;
  largestGroup: number;
}

/**
 * The blocks of one log in one group, laid out back to back in one buffer (with a
 * Float64Array view); it doubles when full. A block closes when the next record would
 * take it past MAX_BLOCK_BYTES. Once sealed the buffer belongs to LMDB until its
 * group commits; then it goes back to the pool.
 */
class BlockBuilder {
  buf: Buffer;
  f64: Float64Array;
  /** Next free slot (doubles). */
  slot = 0;
  /** Records in all blocks. */
  count = 0;
  /** Per block: first slot (its 16-byte header), first key, record count. */
  readonly starts: number[] = [];
  readonly firstKeys: number[] = [];
  readonly counts: number[] = [];

  constructor(buf: Buffer) {
    this.buf = buf;
    this.f64 = new Float64Array(buf.buffer, buf.byteOffset, buf.length >> 3);
  }

  /** Slot index of room for a record of `slots` doubles with key `key` (read `f64` after calling: it may grow). */
  add(slots: number, key: number): number {
    const n = this.starts.length;
    if (n === 0 || (this.slot + slots - this.starts[n - 1]) * 8 > MAX_BLOCK_BYTES) {
      this.starts.push(this.#reserve(BLOCK_HEADER_BYTES / 8));
      this.firstKeys.push(key);
      this.counts.push(0);
    }
    this.counts[this.counts.length - 1]++;
    this.count++;
    return this.#reserve(slots);
  }

  #reserve(slots: number): number {
    const at = this.slot;
    if ((at + slots) * 8 > this.buf.length) {
      let bytes = this.buf.length * 2;
      while ((at + slots) * 8 > bytes) bytes *= 2;
      const b = Buffer.allocUnsafeSlow(bytes);
      this.buf.copy(b, 0, 0, at * 8);
      this.buf = b;
      this.f64 = new Float64Array(b.buffer, b.byteOffset, bytes >> 3);
    }
    this.slot = at + slots;
    return at;
  }

  /** Seals every block (header + CRC) and hands each to `put` with its first key. */
  sealAll(kind: number, put: (key: number, block: Buffer) => void): void {
    const n = this.starts.length;
    for (let b = 0; b < n; b++) {
      const from = this.starts[b] * 8;
      const to = b + 1 < n ? this.starts[b + 1] * 8 : this.slot * 8;
      const bytes = this.buf.subarray(from, to);
      sealBlock(bytes, kind, this.counts[b]);
      put(this.firstKeys[b], bytes);
    }
  }
}

/**
 * Largest block value. LMDB stores a value up to about half a page inside the page;
 * larger ones go to overflow pages, which need contiguous free space (the file grows
 * when the free list is fragmented) and, on a failed write, trip an lmdb-js bug: its
 * error message is formatted into a 100-byte buffer that multi-page writes overflow
 * (mdb.c, "Attempting to write page…"), corrupting the heap. 1,900 bytes = 13
 * commands or 14 events per block: one put per ~13 records.
 */
const MAX_BLOCK_BYTES = 1_900;

/**
 * MDB_APPEND: block keys only ever increase, so LMDB may fill each leaf page to the
 * end instead of splitting it in the middle (without it the log takes twice the space).
 * lmdb-js takes the flag in an options object its typings do not declare.
 */
const APPEND = { append: true } as unknown as number;

/** 128 KiB: about 850 commands. Buffers up to 4 MiB are recycled. */
const BLOCK_BYTES = 128 * 1024;
const POOL_MAX = 8;
const POOLED_MAX_BYTES = 4 * 1024 * 1024;

class Group {
  readonly commands: BlockBuilder;
  readonly events: BlockBuilder;
  /** Other records (state hashes, snapshots), one put each. */
  readonly dbs: Database<unknown, number>[] = [];
  readonly keys: number[] = [];
  readonly values: unknown[] = [];
  lastSeq = 0;
  lastEventCursor = 0;
  /** performance.now() when its commit started. */
  startedMs = 0;
  constructor(
    readonly id: number,
    take: () => Buffer,
  ) {
    this.commands = new BlockBuilder(take());
    this.events = new BlockBuilder(take());
  }
  get size(): number {
    return this.commands.count + this.events.count + this.keys.length;
  }
}

interface Waiter {
  groupId: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class JournalWriter {
  readonly store: JournalStore;
  readonly mode: JournalMode;
  readonly stats: JournalWriterStats = { commits: 0, records: 0, largestGroup: 0 };
  readonly #opts: JournalWriterOptions;
  readonly #maxRecords: number;
  #lastSeq: number;
  #lastTsUs = 0;
  #lastEventCursor: number;
  #ackedSeq: number;
  #ackedEventCursor: number;
  #ackedGroupId = 0;
  #startedGroupId = 0;
  #staging: Group;
  readonly #pool: Buffer[] = [];
  readonly #take = (): Buffer => this.#pool.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
  #inFlight = false;
  #scheduled = false;
  #failure: JournalWriteError | undefined;
  #diskCheckedAtMs = -Infinity;
  readonly #waiters: Waiter[] = [];
  readonly #onTimer = (): void => {
    this.#scheduled = false;
    this.#maybeStartCommit();
  };

  constructor(store: JournalStore, opts: JournalWriterOptions) {
    if (store.readOnly) throw new Error('JournalWriter: the store is read-only');
    if (!Number.isSafeInteger(opts.groupCommitMaxRecords) || opts.groupCommitMaxRecords < 1) throw new RangeError('groupCommitMaxRecords must be an integer ≥ 1');
    this.store = store;
    this.mode = opts.mode;
    this.#opts = opts;
    this.#maxRecords = opts.groupCommitMaxRecords;
    this.#lastSeq = store.lastSeq();
    this.#lastEventCursor = store.lastEventCursor();
    this.#ackedSeq = this.#lastSeq;
    this.#ackedEventCursor = this.#lastEventCursor;
    this.#staging = new Group(1, this.#take);
  }

  /** Last seq appended (queued or durable). */
  get lastSeq(): number {
    return this.#lastSeq;
  }
  /** Timestamp of the last appended command (0 if none since open). */
  get lastTsUs(): number {
    return this.#lastTsUs;
  }
  get lastEventCursor(): number {
    return this.#lastEventCursor;
  }
  /** Highest seq that may be acknowledged under the mode (durable in sync mode, committed in async). */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }
  get ackedEventCursor(): number {
    return this.#ackedEventCursor;
  }
  /** Records queued for the next group commit. */
  get queuedRecords(): number {
    return this.#staging.size;
  }
  /** True while appended records are not all acknowledgeable yet. */
  get hasUnacked(): boolean {
    return this.#staging.size > 0 || this.#ackedGroupId < this.#startedGroupId;
  }
  get failure(): JournalWriteError | undefined {
    return this.#failure;
  }

  // ------------------------------------------------------------------ appends

  /** Appends a sequenced command; seqs must be consecutive. Throws the JournalWriteError once the journal failed. */
  appendCommand(cmd: Command): void {
    this.#mustBeWritable();
    if (cmd.seq !== this.#lastSeq + 1) throw new Error(`journal: seq ${cmd.seq} appended after ${this.#lastSeq} (seqs must be consecutive)`);
    const b = this.#staging.commands;
    const i = b.add(COMMAND_SLOTS, cmd.seq); // before reading b.f64: add may grow the buffer
    encodeCommand(cmd, b.f64, i);
    this.#lastSeq = cmd.seq;
    this.#lastTsUs = cmd.tsUs;
    this.#staged();
  }

  /**
   * Appends one market event (the 14-slot layout of engine/ring/event-codec.ts:
   * type, marketId, causeSeq, then the sink call's 11 arguments), placed after the
   * last appended command. Returns its event cursor.
   */
  appendMarketEvent(
    type: number,
    marketId: number,
    causeSeq: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    a4: number,
    a5: number,
    a6: number,
    a7: number,
    a8: number,
    a9: number,
    a10: number,
  ): number {
    this.#mustBeWritable();
    const cursor = ++this.#lastEventCursor;
    const b = this.#staging.events;
    const i = b.add(MARKET_EVENT_SLOTS, cursor);
    const f = b.f64;
    f[i] = EventRecordKind.MARKET_EVENT;
    f[i + 1] = this.#lastSeq;
    f[i + 2] = type;
    f[i + 3] = marketId;
    f[i + 4] = causeSeq;
    f[i + 5] = a0;
    f[i + 6] = a1;
    f[i + 7] = a2;
    f[i + 8] = a3;
    f[i + 9] = a4;
    f[i + 10] = a5;
    f[i + 11] = a6;
    f[i + 12] = a7;
    f[i + 13] = a8;
    f[i + 14] = a9;
    f[i + 15] = a10;
    this.#staged();
    return cursor;
  }

  /** Appends a 14-slot event record copied from `src` at `offset` (slot index). */
  appendMarketEventRecord(src: Float64Array, offset: number): number {
    const s = src;
    const o = offset;
    return this.appendMarketEvent(s[o], s[o + 1], s[o + 2], s[o + 3], s[o + 4], s[o + 5], s[o + 6], s[o + 7], s[o + 8], s[o + 9], s[o + 10], s[o + 11], s[o + 12], s[o + 13]);
  }

  /** A command R1 refused but that changed the ledger (demo-mode account creation): replay re-runs R1 on it. */
  appendR1Effect(code: number, cmd: Command): number {
    this.#mustBeWritable();
    const cursor = ++this.#lastEventCursor;
    const b = this.#staging.events;
    const i = b.add(R1_EFFECT_SLOTS, cursor);
    b.f64[i] = EventRecordKind.R1_EFFECT;
    b.f64[i + 1] = this.#lastSeq;
    b.f64[i + 2] = code;
    encodeCommand(cmd, b.f64, i + 3);
    this.#staged();
    return cursor;
  }

  /** Publishes a state hash at the current position (its seq must be the last appended). */
  appendStateHash(record: StateHashRecord): void {
    this.#mustBeWritable();
    if (record.seq !== this.#lastSeq || record.eventCursor !== this.#lastEventCursor) {
      throw new Error(`journal: state hash at (${record.seq}, ${record.eventCursor}) but the journal is at (${this.#lastSeq}, ${this.#lastEventCursor})`);
    }
    this.#stageValue(this.store.hashes as Database<unknown, number>, record.seq, record);
  }

  /**
   * Publishes a state hash computed in the background for an earlier position (a
   * runtime cut): keyed by its seq like any other; replay checks it when it stands
   * exactly on (seq, eventCursor).
   */
  appendStateHashAt(record: StateHashRecord): void {
    this.#mustBeWritable();
    if (record.seq > this.#lastSeq || record.eventCursor > this.#lastEventCursor) throw new Error(`journal: state hash at (${record.seq}, ${record.eventCursor}) lies beyond the journal`);
    this.#stageValue(this.store.hashes as Database<unknown, number>, record.seq, record);
  }

  /** Queues an encoded snapshot record (snapshot-codec.ts) under its seq. */
  appendSnapshot(seq: number, record: Uint8Array): void {
    this.#mustBeWritable();
    this.#stageValue(this.store.snapshots, seq, Buffer.from(record.buffer, record.byteOffset, record.byteLength));
  }

  /** Resolves once everything appended so far is acknowledgeable (per the mode); rejects if the journal failed. */
  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const target = this.#staging.size > 0 ? this.#staging.id : this.#startedGroupId;
    if (target <= this.#ackedGroupId) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ groupId: target, resolve, reject }));
    this.#maybeStartCommit();
    return done;
  }

  // ----------------------------------------------------------------- internals

  #mustBeWritable(): void {
    if (this.#failure) throw this.#failure;
  }

  #stageValue(db: Database<unknown, number>, key: number, value: unknown): void {
    const g = this.#staging;
    g.dbs.push(db);
    g.keys.push(key);
    g.values.push(value);
    this.#staged();
  }

  #staged(): void {
    if (this.#staging.size >= this.#maxRecords) this.#maybeStartCommit();
    else if (!this.#scheduled) this.#schedule();
  }

  #schedule(): void {
    this.#scheduled = true;
    const micros = this.#opts.groupCommitMaxDelayMicros;
    if (micros < 1000) setImmediate(this.#onTimer);
    else setTimeout(this.#onTimer, micros / 1000);
  }

  #maybeStartCommit(): void {
    if (this.#inFlight || this.#failure) return;
    const g = this.#staging;
    if (g.size === 0) return;
    g.lastSeq = this.#lastSeq;
    g.lastEventCursor = this.#lastEventCursor;
    this.#staging = new Group(g.id + 1, this.#take);
    this.#inFlight = true;
    this.#startedGroupId = g.id;
    g.startedMs = performance.now();
    let commit: Promise<boolean> & { flushed?: Promise<void> };
    try {
      this.#mustHaveDiskSpace();
      const { commands, events } = this.store;
      commit = this.store.root.batch(() => {
        g.commands.sealAll(BlockKind.COMMAND_BLOCK, (key, block) => void commands.put(key, block, APPEND));
        g.events.sealAll(BlockKind.EVENT_BLOCK, (key, block) => void events.put(key, block, APPEND));
        for (let i = 0; i < g.keys.length; i++) void g.dbs[i].put(g.keys[i], g.values[i]);
      });
    } catch (err) {
      this.#fail(g, err);
      return;
    }
    commit.then(
      () => this.#onCommitted(g, commit.flushed ?? commit),
      (err: unknown) => this.#fail(g, err),
    );
  }

  /**
   * The disk-space guard: refuses to start a commit when the journal's file system has
   * less than `minFreeDiskBytes` free (checked at most every 100 ms). Stopping here,
   * with a clear error, beats running LMDB into ENOSPC (see MAX_BLOCK_BYTES).
   */
  #mustHaveDiskSpace(): void {
    const min = this.#opts.minFreeDiskBytes ?? DEFAULT_MIN_FREE_DISK_BYTES;
    if (min <= 0) return;
    const now = performance.now();
    if (now - this.#diskCheckedAtMs < 100) return;
    this.#diskCheckedAtMs = now;
    const st = statfsSync(this.store.path);
    const free = st.bavail * st.bsize;
    if (free < min) {
      throw new Error(`the disk holding ${this.store.path} is almost full: ${Math.floor(free / 2 ** 20)} MiB free, below the ${Math.floor(min / 2 ** 20)} MiB reserve (minFreeDiskBytes)`);
    }
  }

  #onCommitted(g: Group, flushed: Promise<unknown>): void {
    if (this.#failure) return;
    this.#inFlight = false;
    this.stats.commits++;
    this.stats.records += g.size;
    if (g.size > this.stats.largestGroup) this.stats.largestGroup = g.size;
    for (const b of [g.commands, g.events]) if (this.#pool.length < POOL_MAX && b.buf.length <= POOLED_MAX_BYTES) this.#pool.push(b.buf);
    if (this.mode === 'async') this.#ack(g);
    else
      flushed.then(
        () => this.#ack(g),
        (err: unknown) => this.#fail(g, err),
      );
    // Records queued while this group was in flight have waited long enough.
    if (this.#staging.size > 0) this.#maybeStartCommit();
  }

  #ack(g: Group): void {
    if (this.#failure || g.id <= this.#ackedGroupId) return;
    this.#ackedGroupId = g.id;
    this.#opts.onGroupAcknowledged?.(g.size, (performance.now() - g.startedMs) * 1000);
    if (g.lastSeq > this.#ackedSeq) this.#ackedSeq = g.lastSeq;
    if (g.lastEventCursor > this.#ackedEventCursor) this.#ackedEventCursor = g.lastEventCursor;
    this.#opts.onDurable?.(this.#ackedSeq, this.#ackedEventCursor);
    while (this.#waiters.length > 0 && this.#waiters[0].groupId <= g.id) this.#waiters.shift()!.resolve();
  }

  #fail(g: Group, err: unknown): void {
    if (this.#failure) return;
    // lmdb-js rejects with "Commit failed (see commitError for details)" and keeps the
    // real cause (ENOSPC, EIO, MDB_MAP_FULL…) in a second, already-rejected promise.
    const detail = err as { message?: string; commitError?: Promise<unknown> };
    const failure = new JournalWriteError(
      `journal commit of ${g.size} records (seq up to ${g.lastSeq}) failed: ${detail?.message ?? String(err)}. ` +
        `Nothing after seq ${this.#ackedSeq} is durable; perpd stops accepting commands. Free disk space (or fix the I/O error) and restart: recovery resumes from the journal.`,
      this.#ackedSeq,
      err,
    );
    this.#failure = failure; // from here on every append throws
    this.#inFlight = false;
    const notify = (): void => {
      for (const w of this.#waiters.splice(0)) w.reject(failure);
      this.#opts.onFailure?.(failure);
    };
    if (detail?.commitError && typeof detail.commitError.then === 'function') {
      detail.commitError.then(notify, (cause: unknown) => {
        failure.message += ` Cause: ${(cause as Error)?.message ?? String(cause)}.`;
        notify();
      });
    } else notify();
  }
}
