/**
 * Rebuilding engine state from the journal (docs/durability.md, "Recovery"):
 *
 *   1. Take the newest snapshot that is whole: its record checks out (CRC, version),
 *      it restores, and the restored state hashes to what was recorded with it. A
 *      snapshot that fails is reported and the next older one is tried; with none,
 *      start from genesis (which needs the journal from seq 1).
 *   2. Replay the journal after the snapshot's cut in the total order (replayer.ts),
 *      checking every published state hash on the way. A corrupt or truncated
 *      record stops recovery with a JournalCorruptError naming the last good seq;
 *      it is never skipped.
 *   3. Hand back the state. Events the markets regenerated that the journal does not
 *      have yet (the gateway had not settled or not persisted them before the crash)
 *      are still queued: the caller settles them and journals them before it accepts
 *      anything new (JournaledExchange.open, the daemon).
 */
import { performance } from 'node:perf_hooks';
import type { EngineConfig, JournalStore, StateHashRecord } from './journal-store.js';
import { JournalReader } from './journal-reader.js';
import { ExchangeState } from './exchange-state.js';
import { Replayer, type HashCheckpoint } from './replayer.js';
import { listSnapshotSeqs, loadSnapshot, readSnapshotInfo, type SnapshotInfo } from './snapshots.js';
import type { SnapshotBuilder } from './snapshot-builder.js';

export interface RecoveryOptions {
  /** 'latest' (default): newest whole snapshot; 'genesis': ignore snapshots; a number: that snapshot or fail. */
  from?: 'latest' | 'genesis' | number;
  /** Check published state hashes and the hashes of snapshots passed on the way (default true). */
  verifyHashes?: boolean;
  /** Stop at this position instead of the journal's end (tools, archives). */
  stopAt?: { seq: number; eventCursor: number };
  compressor?: SnapshotBuilder;
}

export interface RecoveryReport {
  /** The snapshot started from (undefined = genesis). */
  snapshot?: SnapshotInfo;
  /** Snapshots that were tried and refused, newest first, with the reason. */
  rejectedSnapshots: { seq: number; reason: string }[];
  replayed: { commands: number; events: number; eventsVerified: number; r1Effects: number };
  hashesVerified: number;
  /** Hash records the replay could not check (beyond the journal's end). */
  hashesNotReached: number;
  lastSeq: number;
  lastEventCursor: number;
  lastTsUs: number;
  /** Regenerated events waiting to be settled and journaled. */
  unsettledEvents: number;
  snapshotLoadMs: number;
  replayMs: number;
}

export class NoUsableStartError extends Error {
  readonly code = 'PERPD_NO_USABLE_START';
  constructor(message: string) {
    super(message);
    this.name = 'NoUsableStartError';
  }
}

/** Published state hashes and snapshot hashes, ascending by position, as replay checkpoints. */
export function collectCheckpoints(store: JournalStore, includeSnapshots: boolean): HashCheckpoint[] {
  const out: HashCheckpoint[] = [];
  for (const { value } of store.hashes.getRange({})) {
    const r = value as StateHashRecord;
    out.push({ source: 'published state hash', seq: r.seq, eventCursor: r.eventCursor, exchange: r.exchange, ledger: r.ledger, markets: r.markets });
  }
  if (includeSnapshots) {
    for (const seq of listSnapshotSeqs(store)) {
      try {
        const info = readSnapshotInfo(store, seq);
        out.push({ source: `snapshot ${seq}`, snapshotSeq: seq, seq: info.seq, eventCursor: info.eventCursor, exchange: info.hashes.exchange, ledger: info.hashes.ledger, markets: info.hashes.markets });
      } catch {
        // a damaged snapshot record has no trustworthy hash; recovery reports it when it tries it
      }
    }
  }
  return out.sort((a, b) => a.seq - b.seq || a.eventCursor - b.eventCursor);
}

async function tryStartFromSnapshot(
  store: JournalStore,
  engine: EngineConfig,
  seq: number,
  compressor: SnapshotBuilder | undefined,
): Promise<{ state: ExchangeState; info: SnapshotInfo }> {
  const { info, parts } = await loadSnapshot(store, seq, compressor);
  const state = ExchangeState.fromSnapshot(engine, parts);
  const hashes = state.hashes();
  if (hashes.exchange !== info.hashes.exchange) throw new Error(`restored state hashes to ${hashes.exchange}, the snapshot recorded ${info.hashes.exchange}`);
  return { state, info };
}

export async function recover(store: JournalStore, engine: EngineConfig, opts: RecoveryOptions = {}): Promise<{ replayer: Replayer; report: RecoveryReport }> {
  const reader = new JournalReader(store);
  const from = opts.from ?? 'latest';
  const rejected: { seq: number; reason: string }[] = [];
  const t0 = performance.now();
  let start: { state: ExchangeState; info?: SnapshotInfo } | undefined;
  if (from !== 'genesis') {
    const lastSeq = store.lastSeq();
    const candidates = typeof from === 'number' ? [from] : listSnapshotSeqs(store).filter((s) => s <= lastSeq);
    for (const seq of candidates) {
      try {
        start = await tryStartFromSnapshot(store, engine, seq, opts.compressor);
        break;
      } catch (err) {
        if (typeof from === 'number') throw err;
        rejected.push({ seq, reason: (err as Error).message });
      }
    }
  }
  if (start === undefined) {
    const first = reader.firstSeq();
    if (first > 1) {
      throw new NoUsableStartError(
        `cannot recover: the journal starts at seq ${first} (older entries were pruned) and no snapshot is usable` +
          (rejected.length ? ` (${rejected.map((r) => `snapshot ${r.seq}: ${r.reason}`).join('; ')})` : ''),
      );
    }
    start = { state: new ExchangeState(engine) };
  }
  const t1 = performance.now();
  const position = start.info ? { seq: start.info.seq, eventCursor: start.info.eventCursor } : { seq: 0, eventCursor: 0 };
  const replayer = new Replayer(start.state, position);
  replayer.lastTsUs = start.info?.tsUs ?? 0;
  // A snapshot refused above has no trustworthy hash: its record, not the journal, is damaged.
  const refused = new Set(rejected.map((r) => r.seq));
  const checkpoints = opts.verifyHashes === false ? [] : collectCheckpoints(store, true).filter((cp) => cp.snapshotSeq === undefined || !refused.has(cp.snapshotSeq));
  const notReached = replayer.run(reader, checkpoints, opts.stopAt);
  const lastSeq = opts.stopAt?.seq ?? store.lastSeq();
  const lastCursor = opts.stopAt?.eventCursor ?? store.lastEventCursor();
  const missed = notReached.filter((cp) => cp.seq <= lastSeq && cp.eventCursor <= lastCursor);
  if (missed.length > 0) {
    throw new NoUsableStartError(`the journal never reached the position of ${missed[0].source} (seq ${missed[0].seq}, event ${missed[0].eventCursor}): the logs do not interleave as recorded`);
  }
  const t2 = performance.now();
  const s = replayer.stats;
  return {
    replayer,
    report: {
      snapshot: start.info,
      rejectedSnapshots: rejected,
      replayed: { commands: s.commands, events: s.events, eventsVerified: s.eventsVerified, r1Effects: s.r1Effects },
      hashesVerified: s.checkpointsVerified,
      hashesNotReached: notReached.length,
      lastSeq: replayer.seq,
      lastEventCursor: replayer.eventCursor,
      lastTsUs: replayer.lastTsUs,
      unsettledEvents: replayer.state.queuedEvents(),
      snapshotLoadMs: t1 - t0,
      replayMs: t2 - t1,
    },
  };
}
