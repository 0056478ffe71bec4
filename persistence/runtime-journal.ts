/**
 * The journal as the threaded runtime uses it (gateway/daemon.ts): one object that
 *
 *   open()          opens <dataDir>/journal, recovers the state (recovery.ts),
 *                   settles and journals the events the journal lacked, and waits
 *                   until that is durable;
 *   ledger          the recovered ledger: the runtime's R1/R2 stage uses it as is;
 *   marketParts()   the recovered markets as snapshot bytes, for the workers to load;
 *   resume          the seq and timestamp the sequencer continues after;
 *   appendCommand   the runtime's onSequenced hook (stage 3, before the ring push);
 *   publisher(p)    wraps the runtime's publication handler: journals every settled
 *                   event (the drain runs settlement first, so this is the order the
 *                   ledger applied them) and holds all output until the journal's
 *                   acknowledged watermark covers it (DurablePublisher);
 *   failure         set once a commit failed: the daemon must stop accepting;
 *   maybeSnapshot() the periodic snapshot (and state-hash publication) of the running
 *                   system, see `startCut`.
 */
import type { Command } from '../engine/command.js';
import type { ExchangeSnapshotParts } from '../engine/exchange-snapshot.js';
import type { Ledger } from '../engine/ledger/ledger.js';
import type { EventStreamHandler } from '../engine/ring/event-codec.js';
import { DurablePublisher, type PublishHandler } from './durable-publisher.js';
import { JournalEventTap } from './event-capture.js';
import type { ExchangeState } from './exchange-state.js';
import { JournalStore, type EngineConfig } from './journal-store.js';
import { JournalWriter, type JournalWriteError, type JournalMode } from './journal-writer.js';
import { recover, type RecoveryReport } from './recovery.js';
import { InlineBuilder, type SnapshotBuilder } from './snapshot-builder.js';
import { buildSnapshotRecord, readSnapshotInfoFromRecord, type SnapshotCut } from './snapshots.js';
import { applyRetention, type RetentionPolicy } from './retention.js';
import type { MarketImage } from '../engine/book/fast-market-snapshot.js';
import type { ExchangeHashes } from '../engine/exchange.js';

/** What the snapshot cut needs from the worker pool (gateway/runtime/worker-pool.ts). */
export interface SnapshotRequester {
  readonly workerCount: number;
  /** Pushes a SNAPSHOT record to every worker ring; false (nothing pushed) when a ring is full. */
  requestSnapshot(cutSeq: number): boolean;
}

/** A published state hash or a written snapshot, for logs and metrics. */
export interface CutResult {
  seq: number;
  eventCursor: number;
  hashes: ExchangeHashes;
  /** False when the cut only published the state hash. */
  snapshotWritten: boolean;
  /** How long the cut took from request to queued record. */
  ms: number;
}

interface PendingCut {
  cut: SnapshotCut;
  ledger: Uint8Array;
  writeSnapshot: boolean;
  startedMs: number;
  images: { marketId: number; image: MarketImage }[];
  workersWithImages: number;
  marks: number;
}

export interface RuntimeJournalOptions {
  dataDir: string;
  engine: EngineConfig;
  journal: { mode: JournalMode; groupCommitMaxRecords: number; groupCommitMaxDelayMicros: number };
  /** Builds snapshots (default: in this thread). */
  builder?: SnapshotBuilder;
  /** After recovery, write a snapshot when at least this many commands were replayed (default 100,000; 0 = never). */
  snapshotAfterReplayOf?: number;
  minFreeDiskBytes?: number;
  onFailure?: (err: JournalWriteError) => void;
  /** Metrics: each acknowledged group's record count and commit-start → acknowledgement time. */
  onGroupAcknowledged?: (records: number, commitMicros: number) => void;
  createdBy?: string;
  /** Periodic cuts of the running system (0 = never): a snapshot every N commands / M ms, the state hash every K commands. */
  snapshotEveryCommands?: number;
  snapshotEveryMs?: number;
  hashEveryCommands?: number;
  /** After each snapshot is durable (mode 'keep' = never). */
  retention?: RetentionPolicy;
  /** Each cut, once its record is queued (the daemon logs it: the published state hash). */
  onCut?: (r: CutResult) => void;
  /** A cut that failed in the background (reported; matching goes on). */
  onCutError?: (err: Error) => void;
}

export class RuntimeJournal {
  readonly store: JournalStore;
  readonly writer: JournalWriter;
  readonly recovery: RecoveryReport;
  readonly ledger: Ledger;
  readonly tap: JournalEventTap;
  /** State hash right after recovery (the leftover events settled): what `perpd replay` computes as `recoveredHash`. */
  recoveredHash = '';
  #state: ExchangeState | undefined;
  #publisher: DurablePublisher | undefined;
  readonly #builder: SnapshotBuilder;
  readonly #o: RuntimeJournalOptions;
  #pendingCut: PendingCut | undefined;
  #lastSnapshotSeq: number;
  #lastSnapshotMs = Date.now();
  #lastHashSeq: number;
  /** Cuts completed (snapshots written or hashes published). */
  cuts = 0;

  private constructor(o: RuntimeJournalOptions, store: JournalStore, state: ExchangeState, report: RecoveryReport) {
    this.#o = o;
    this.store = store;
    this.recovery = report;
    this.#lastSnapshotSeq = report.snapshot?.seq ?? 0;
    this.#lastHashSeq = report.lastSeq;
    this.#state = state;
    this.ledger = state.ledger;
    this.#builder = o.builder ?? new InlineBuilder();
    this.writer = new JournalWriter(store, {
      ...o.journal,
      minFreeDiskBytes: o.minFreeDiskBytes,
      onDurable: (seq, cursor) => this.#publisher?.release(seq, cursor),
      onFailure: o.onFailure,
      onGroupAcknowledged: o.onGroupAcknowledged,
    });
    this.tap = new JournalEventTap(this.writer);
  }

  static async open(o: RuntimeJournalOptions): Promise<RuntimeJournal> {
    const store = JournalStore.open(o.dataDir, { engine: o.engine, createdBy: o.createdBy ?? 'perpd daemon' });
    try {
      const { replayer, report } = await recover(store, o.engine, { compressor: o.builder });
      const j = new RuntimeJournal(o, store, replayer.state, report);
      const state = replayer.state;
      if (state.queuedEvents() > 0) state.settleQueued((rec, off) => void j.writer.appendMarketEventRecord(rec, off));
      j.recoveredHash = state.hashes().exchange;
      const threshold = o.snapshotAfterReplayOf ?? 100_000;
      if (threshold > 0 && report.replayed.commands >= threshold) {
        // A long replay now means a long one at the next start too: cut a snapshot here (nothing is in flight).
        const cut = { seq: j.writer.lastSeq, eventCursor: j.writer.lastEventCursor, tsUs: report.lastTsUs };
        j.writer.appendSnapshot(cut.seq, await buildSnapshotRecord(cut, state.captureSnapshot(), o.engine, j.#builder));
      }
      await j.writer.flush();
      return j;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Seq and timestamp the sequencer continues after. */
  get resume(): { lastSeq: number; lastTsUs: number } {
    return { lastSeq: this.writer.lastSeq, lastTsUs: this.recovery.lastTsUs };
  }

  /**
   * The recovered markets as snapshot bytes (for the market workers to load), once:
   * afterwards the main thread drops its copies of the markets (the ledger stays).
   */
  takeMarketParts(): ExchangeSnapshotParts['markets'] {
    const state = this.#state;
    if (!state) throw new Error('RuntimeJournal.takeMarketParts: already taken');
    const parts = state.snapshot().markets;
    this.#state = undefined;
    return parts;
  }

  /** Commands appended but not yet acknowledgeable (the admission bound, journal.maxUnackedCommands). */
  get unackedCommands(): number {
    return this.writer.lastSeq - this.writer.ackedSeq;
  }

  get failure(): JournalWriteError | undefined {
    return this.writer.failure;
  }

  /** The runtime's onSequenced hook. Throws the JournalWriteError once the journal failed. */
  appendCommand(cmd: Command): void {
    this.writer.appendCommand(cmd);
  }

  /** Wraps the runtime's publication handler (see the module comment). Call once. */
  publisher(inner: PublishHandler): PublishHandler {
    if (this.#publisher) throw new Error('RuntimeJournal.publisher: already wrapped');
    const w = this.writer;
    const held = new DurablePublisher(inner, () => ({ seq: w.lastSeq, eventCursor: w.lastEventCursor }), { seq: w.ackedSeq, eventCursor: w.ackedEventCursor });
    this.#publisher = held;
    return new JournalThenHold(this.tap, held, (cutSeq) => this.onSnapshotMark(cutSeq));
  }

  /**
   * Starts a snapshot or state-hash cut when the policy says one is due (call it
   * now and then, e.g. every second). Returns true if a cut started.
   */
  maybeSnapshot(pool: SnapshotRequester): boolean {
    const o = this.#o;
    const seq = this.writer.lastSeq;
    const bySeq = !!o.snapshotEveryCommands && seq - this.#lastSnapshotSeq >= o.snapshotEveryCommands;
    const byTime = !!o.snapshotEveryMs && seq > this.#lastSnapshotSeq && Date.now() - this.#lastSnapshotMs >= o.snapshotEveryMs;
    if (bySeq || byTime) return this.startCut(pool, true);
    if (o.hashEveryCommands && seq - this.#lastHashSeq >= o.hashEveryCommands) return this.startCut(pool, false);
    return false;
  }

  /**
   * A cut of the running system at the current position (S = last seq, E = last
   * event cursor), docs/durability.md "In the threaded runtime": the ledger is
   * serialised here and now; every worker gets a SNAPSHOT record behind the commands
   * already queued and copies its markets when it reaches it (its only pause), then
   * marks its event stream. Once every worker's copies arrived AND every worker's
   * mark has been drained (so every event of commands ≤ S has been journaled), the
   * background builder encodes, hashes and compresses, and the snapshot record (or,
   * for a hash-only cut, just the state hash at (S, E)) is appended. Returns false
   * when a cut is in progress, the journal failed, or a ring is full (try later).
   */
  startCut(pool: SnapshotRequester, writeSnapshot: boolean): boolean {
    if (this.#pendingCut || this.writer.failure) return false;
    const cut: SnapshotCut = { seq: this.writer.lastSeq, eventCursor: this.writer.lastEventCursor, tsUs: this.writer.lastTsUs || this.recovery.lastTsUs };
    const ledger = this.ledger.snapshot();
    if (!pool.requestSnapshot(cut.seq)) return false;
    this.#pendingCut = { cut, ledger, writeSnapshot, startedMs: Date.now(), images: [], workersWithImages: 0, marks: 0 };
    this.#expectedWorkers = pool.workerCount;
    if (writeSnapshot) {
      this.#lastSnapshotSeq = cut.seq;
      this.#lastSnapshotMs = Date.now();
    }
    this.#lastHashSeq = cut.seq;
    return true;
  }

  #expectedWorkers = 0;

  /** WorkerPool onSnapshotImages. */
  onSnapshotImages(cutSeq: number, images: { marketId: number; image: MarketImage }[]): void {
    const p = this.#pendingCut;
    if (!p || p.cut.seq !== cutSeq) return;
    p.images.push(...images);
    p.workersWithImages++;
    this.#maybeFinishCut();
  }

  /** A worker's SNAPSHOT_MARK came through the drain (after its earlier events were settled and journaled). */
  onSnapshotMark(cutSeq: number): void {
    const p = this.#pendingCut;
    if (!p || p.cut.seq !== cutSeq) return;
    p.marks++;
    this.#maybeFinishCut();
  }

  #maybeFinishCut(): void {
    const p = this.#pendingCut;
    if (!p || p.workersWithImages < this.#expectedWorkers || p.marks < this.#expectedWorkers) return;
    const o = this.#o;
    const markets = [...p.images].sort((a, b) => a.marketId - b.marketId);
    const done = p.writeSnapshot
      ? buildSnapshotRecord(p.cut, { ledger: p.ledger, markets }, o.engine, this.#builder).then(async (record) => {
          this.writer.appendSnapshot(p.cut.seq, record);
          const info = readSnapshotInfoFromRecord(record);
          this.writer.appendStateHashAt({ seq: p.cut.seq, eventCursor: p.cut.eventCursor, ...info.hashes });
          return info.hashes;
        })
      : this.#builder.hash(o.engine, { ledger: p.ledger, markets }).then((hashes) => {
          this.writer.appendStateHashAt({ seq: p.cut.seq, eventCursor: p.cut.eventCursor, ...hashes });
          return hashes;
        });
    done
      .then(async (hashes) => {
        this.cuts++;
        o.onCut?.({ seq: p.cut.seq, eventCursor: p.cut.eventCursor, hashes, snapshotWritten: p.writeSnapshot, ms: Date.now() - p.startedMs });
        if (p.writeSnapshot && o.retention && o.retention.mode !== 'keep') {
          await this.writer.flush();
          await applyRetention(this.store, o.retention);
        }
      })
      .catch((err: unknown) => o.onCutError?.(err as Error))
      .finally(() => {
        this.#pendingCut = undefined;
      });
  }

  /** Flushes and closes the journal (after the runtime stopped). */
  async close(): Promise<void> {
    try {
      if (!this.writer.failure) await this.writer.flush();
    } finally {
      await this.#builder.close();
      await this.store.close();
    }
  }
}

/** Journals each settled event, then hands it to the holding publisher. */
class JournalThenHold implements PublishHandler {
  constructor(
    private readonly tap: EventStreamHandler,
    private readonly held: DurablePublisher,
    private readonly onCutMark: (cutSeq: number) => void,
  ) {}
  setContext(marketId: number, causeSeq: number): void {
    this.tap.setContext(marketId, causeSeq);
    this.held.setContext(marketId, causeSeq);
  }
  onDone(code: number): void {
    this.held.onDone(code);
  }
  onReject(seq: number, orderId: number, accountId: number, code: number, side: number, preheldLots: number): void {
    this.tap.onReject(seq, orderId, accountId, code, side, preheldLots);
    this.held.onReject(seq, orderId, accountId, code, side, preheldLots);
  }
  onAccept(orderId: number, accountId: number, side: number, priceTicks: number, sizeLots: number, flags: number, isTrigger: boolean): void {
    this.held.onAccept(orderId, accountId, side, priceTicks, sizeLots, flags, isTrigger);
  }
  onFill(mo: number, ma: number, to: number, ta: number, ts: number, p: number, q: number, mr: number, tr: number, mf: number, tf: number): void {
    this.tap.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
    this.held.onFill(mo, ma, to, ta, ts, p, q, mr, tr, mf, tf);
  }
  onCancel(orderId: number, accountId: number, side: number, remainingLots: number, reason: number, flags: number): void {
    this.tap.onCancel(orderId, accountId, side, remainingLots, reason, flags);
    this.held.onCancel(orderId, accountId, side, remainingLots, reason, flags);
  }
  onRest(orderId: number, accountId: number, side: number, priceTicks: number, remainingLots: number): void {
    this.held.onRest(orderId, accountId, side, priceTicks, remainingLots);
  }
  onModify(o: number, a: number, s: number, p: number, oldR: number, newR: number, pre: number, f: number, rq: boolean): void {
    this.tap.onModify(o, a, s, p, oldR, newR, pre, f, rq);
    this.held.onModify(o, a, s, p, oldR, newR, pre, f, rq);
  }
  onReduce(orderId: number, accountId: number, side: number, oldRemainingLots: number, newRemainingLots: number, flags: number): void {
    this.tap.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
    this.held.onReduce(orderId, accountId, side, oldRemainingLots, newRemainingLots, flags);
  }
  onTrigger(orderId: number, accountId: number, markPriceTicks: number): void {
    this.tap.onTrigger(orderId, accountId, markPriceTicks);
    this.held.onTrigger(orderId, accountId, markPriceTicks);
  }
  onLevel(side: number, priceTicks: number, totalLots: number, orderCount: number): void {
    this.held.onLevel(side, priceTicks, totalLots, orderCount);
  }
  onMark(markPriceTicks: number): void {
    this.held.onMark(markPriceTicks);
  }
  onDrainEnd(): void {
    this.held.onDrainEnd();
  }
  onSnapshotMark(cutSeq: number): void {
    this.onCutMark(cutSeq);
  }
}
