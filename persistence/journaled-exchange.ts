/**
 * The whole pipeline on one thread, journaled: the single-threaded counterpart of
 * the runtime (gateway/runtime/engine-runtime.ts), used by the durability tests,
 * the journal benchmark and as the reference the runtime integration follows.
 *
 * submit(cmd), in stage order:
 *   1. refuse at once if the journal has failed (nothing changes);
 *   2. R1 (ledger). A refusal that changed the ledger anyway (demo-mode account
 *      creation on first contact) is journaled as an R1_EFFECT record;
 *   3. sequencing: seq = last + 1, tsUs (never backwards), PLACE order id = seq;
 *   4. journal append of the command;
 *   5. markets (M); their journaled events are appended to the journal, then settled
 *      into the ledger (R2), in order;
 *   6. every `hashEveryCommands`: the state hash is published (journal + callback);
 *      every `snapshotEveryCommands` or `snapshotEveryMicros` of command time: a
 *      snapshot is cut here and compressed and written in the background.
 *
 * A command's acknowledgement is `flush()` (or the writer's onDurable callback):
 * nothing may be reported to a client before its group commit is acknowledgeable.
 */
import { Code } from '../engine/codes.js';
import { Op, type Command } from '../engine/command.js';
import type { ExchangeHashes } from '../engine/exchange.js';
import { ExchangeState } from './exchange-state.js';
import { JournalStore, type EngineConfig, type StateHashRecord } from './journal-store.js';
import { JournalWriter, type JournalMode } from './journal-writer.js';
import { recover, type RecoveryOptions, type RecoveryReport } from './recovery.js';
import { buildSnapshotRecord, type SnapshotCut } from './snapshots.js';
import type { SnapshotBuilder } from './snapshot-builder.js';

export interface JournaledExchangeOptions {
  dataDir: string;
  engine: EngineConfig;
  journal: { mode: JournalMode; groupCommitMaxRecords: number; groupCommitMaxDelayMicros: number };
  /** Publish the state hash every this many commands (0 = never). */
  hashEveryCommands?: number;
  /** Snapshot every this many commands (0 = never). */
  snapshotEveryCommands?: number;
  /** Snapshot when this much command time passed since the last one (0 = never). */
  snapshotEveryMicros?: number;
  /** Required for snapshots. */
  compressor?: SnapshotBuilder;
  recovery?: RecoveryOptions;
  onStateHash?: (record: StateHashRecord) => void;
  onDurable?: (seq: number, eventCursor: number) => void;
  onFailure?: (err: Error) => void;
}

export class JournaledExchange {
  readonly store: JournalStore;
  readonly writer: JournalWriter;
  readonly state: ExchangeState;
  readonly recovery: RecoveryReport;
  readonly #o: JournaledExchangeOptions;
  #lastTsUs: number;
  #commandsSinceHash = 0;
  #commandsSinceSnapshot = 0;
  #lastSnapshotTsUs: number;
  #snapshotting: Promise<void> | undefined;
  /** Snapshots written, and failures of the background part (reported, never fatal to matching). */
  snapshotsWritten = 0;
  snapshotErrors: Error[] = [];
  readonly #emit = (rec: Float64Array, o: number): void => {
    this.writer.appendMarketEventRecord(rec, o);
  };

  private constructor(o: JournaledExchangeOptions, store: JournalStore, state: ExchangeState, report: RecoveryReport) {
    this.#o = o;
    this.store = store;
    this.state = state;
    this.recovery = report;
    this.writer = new JournalWriter(store, {
      ...o.journal,
      onDurable: o.onDurable,
      onFailure: o.onFailure,
    });
    this.#lastTsUs = report.lastTsUs;
    this.#lastSnapshotTsUs = report.snapshot?.tsUs ?? report.lastTsUs;
  }

  /**
   * Opens the journal under `dataDir` (creating it), recovers the state, settles and
   * journals the events the journal did not have yet, and waits until that is
   * acknowledgeable. Then it is ready for `submit`.
   */
  static async open(o: JournaledExchangeOptions): Promise<JournaledExchange> {
    const store = JournalStore.open(o.dataDir, { engine: o.engine, createdBy: 'perpd JournaledExchange' });
    try {
      const { replayer, report } = await recover(store, o.engine, { compressor: o.compressor, ...o.recovery });
      const jx = new JournaledExchange(o, store, replayer.state, report);
      if (jx.state.queuedEvents() > 0) {
        jx.state.settleQueued(jx.#emit);
        await jx.writer.flush();
      }
      return jx;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get lastSeq(): number {
    return this.writer.lastSeq;
  }

  /** Runs one command through the pipeline; returns its code (R1's refusal, or the market's / ledger's result). */
  submit(cmd: Command, tsUs: number): number {
    const w = this.writer;
    if (w.failure) return Code.JOURNAL_UNAVAILABLE;
    const state = this.state;
    const r1 = state.preTrade(cmd);
    if (r1 !== Code.OK) {
      if (state.lastRejectChangedLedger) w.appendR1Effect(r1, cmd);
      return r1;
    }
    cmd.seq = w.lastSeq + 1;
    if (tsUs > this.#lastTsUs) this.#lastTsUs = tsUs;
    cmd.tsUs = this.#lastTsUs;
    if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
    w.appendCommand(cmd);
    const code = state.route(cmd);
    state.settleQueued(this.#emit);
    this.#afterCommand(cmd.tsUs);
    return code;
  }

  #afterCommand(tsUs: number): void {
    const o = this.#o;
    if (o.hashEveryCommands && ++this.#commandsSinceHash >= o.hashEveryCommands) {
      this.#commandsSinceHash = 0;
      this.publishStateHash();
    }
    this.#commandsSinceSnapshot++;
    const byCount = o.snapshotEveryCommands !== undefined && o.snapshotEveryCommands > 0 && this.#commandsSinceSnapshot >= o.snapshotEveryCommands;
    const byTime = o.snapshotEveryMicros !== undefined && o.snapshotEveryMicros > 0 && tsUs - this.#lastSnapshotTsUs >= o.snapshotEveryMicros;
    if ((byCount || byTime) && this.#snapshotting === undefined && o.compressor) void this.snapshotNow();
  }

  /** Computes and journals the state hash at the current position. */
  publishStateHash(hashes: ExchangeHashes = this.state.hashes()): StateHashRecord {
    const record: StateHashRecord = { seq: this.writer.lastSeq, eventCursor: this.writer.lastEventCursor, ...hashes };
    this.writer.appendStateHash(record);
    this.#o.onStateHash?.(record);
    return record;
  }

  /**
   * Cuts a snapshot now (synchronous: serialise + hash), then compresses and queues
   * it for the journal in the background. Resolves once it is queued; `flush()`
   * makes it durable. Concurrent calls share the one in progress.
   */
  snapshotNow(): Promise<void> {
    if (this.#snapshotting) return this.#snapshotting;
    const compressor = this.#o.compressor;
    if (!compressor) return Promise.reject(new Error('snapshots need a compressor'));
    // The cut (synchronous): array copies and the ledger's bytes; encoding, hashing
    // and compression run in the background.
    const cut: SnapshotCut = { seq: this.writer.lastSeq, eventCursor: this.writer.lastEventCursor, tsUs: this.#lastTsUs };
    const captured = this.state.captureSnapshot();
    this.#commandsSinceSnapshot = 0;
    this.#lastSnapshotTsUs = this.#lastTsUs;
    const done = buildSnapshotRecord(cut, captured, this.#o.engine, compressor)
      .then((record) => {
        this.writer.appendSnapshot(cut.seq, record);
        this.snapshotsWritten++;
      })
      .catch((err: unknown) => {
        this.snapshotErrors.push(err as Error);
      })
      .finally(() => {
        this.#snapshotting = undefined;
      });
    this.#snapshotting = done;
    return done;
  }

  /** Resolves when everything submitted so far is acknowledgeable (per the journal mode). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Waits for a snapshot in progress, flushes, closes the journal. */
  async close(): Promise<void> {
    await this.#snapshotting;
    try {
      if (!this.writer.failure) await this.writer.flush();
    } finally {
      await this.store.close();
    }
  }
}
