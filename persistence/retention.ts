/**
 * Journal retention (docs/durability.md, "Retention"). The newest `keepSnapshots`
 * snapshots are kept; the oldest kept one is the horizon: every journal entry at or
 * before its cut (commands ≤ its seq, event-log records ≤ its event cursor,
 * published hashes ≤ its seq) and every older snapshot is no longer needed to
 * recover, and is
 *
 *   keep     left alone (the default: `perpd replay --verify` can start at genesis);
 *   prune    deleted;
 *   archive  copied into a second journal at `archiveDir` (same format, readable by
 *            the same tools), made durable there, then deleted here.
 *
 * Recovery never needs anything before the horizon; replay from genesis then needs
 * the archive. Runs off the hot path in chunks of write transactions of its own.
 */
import type { Database } from 'lmdb';
import { JournalStore } from './journal-store.js';
import { listSnapshotSeqs, readSnapshotInfo } from './snapshots.js';

export type RetentionMode = 'keep' | 'prune' | 'archive';

export interface RetentionPolicy {
  mode: RetentionMode;
  /** Snapshots to keep (≥ 1). */
  keepSnapshots: number;
  /** Data directory of the archive journal (mode 'archive'). */
  archiveDir?: string;
}

export interface RetentionReport {
  /** The horizon: the oldest kept snapshot's cut (0/0 when nothing was due). */
  horizonSeq: number;
  horizonEventCursor: number;
  /** Records in the blocks removed (the block straddling the horizon stays; in archive mode it is also copied). */
  commands: number;
  events: number;
  hashes: number;
  snapshots: number;
  archivedTo?: string;
}

const CHUNK = 5_000;

/** Moves plain keyed entries (hashes, snapshots) with key ≤ `end`. */
async function moveKeys(from: Database<unknown, number>, to: Database<unknown, number> | undefined, end: number, counter: (n: number) => void): Promise<void> {
  for (;;) {
    const entries = [...from.getRange({ end: end + 1, limit: CHUNK })];
    if (entries.length === 0) return;
    if (to) {
      await to.batch(() => {
        for (const { key, value } of entries) void to.put(key, value);
      });
      await to.flushed;
    }
    await from.batch(() => {
      for (const { key } of entries) void from.remove(key);
    });
    counter(entries.length);
  }
}

/**
 * Blocks (records.ts) of a log up to `horizon`: every block that starts at or before
 * it is copied to the archive; those that also END at or before it are deleted. The
 * block straddling the horizon stays (recovery from the horizon snapshot reads it).
 */
async function moveBlocks(from: Database<Buffer, number>, to: Database<Buffer, number> | undefined, horizon: number, counter: (records: number) => void): Promise<void> {
  let start = 0;
  for (;;) {
    const entries = [...from.getRange({ start, end: horizon + 1, limit: CHUNK })];
    if (entries.length === 0) return;
    if (to) {
      await to.batch(() => {
        for (const { key, value } of entries) void to.put(key, value);
      });
      await to.flushed;
    }
    const whole = entries.filter(({ key, value }) => key + value.readUInt32LE(8) - 1 <= horizon);
    await from.batch(() => {
      for (const { key } of whole) void from.remove(key);
    });
    counter(whole.reduce((n, { value }) => n + value.readUInt32LE(8), 0));
    start = entries[entries.length - 1].key + 1;
  }
}

export async function applyRetention(store: JournalStore, policy: RetentionPolicy): Promise<RetentionReport> {
  if (!Number.isSafeInteger(policy.keepSnapshots) || policy.keepSnapshots < 1) throw new RangeError('keepSnapshots must be an integer ≥ 1');
  const report: RetentionReport = { horizonSeq: 0, horizonEventCursor: 0, commands: 0, events: 0, hashes: 0, snapshots: 0 };
  const seqs = listSnapshotSeqs(store);
  if (policy.mode === 'keep' || seqs.length <= policy.keepSnapshots) return report;
  const horizon = readSnapshotInfo(store, seqs[policy.keepSnapshots - 1]);
  report.horizonSeq = horizon.seq;
  report.horizonEventCursor = horizon.eventCursor;
  let archive: JournalStore | undefined;
  if (policy.mode === 'archive') {
    if (!policy.archiveDir) throw new Error('retention mode "archive" needs archiveDir');
    archive = JournalStore.open(policy.archiveDir, { engine: store.info.engine, createdBy: `archive of ${store.path}` });
    report.archivedTo = archive.path;
  }
  try {
    await moveBlocks(store.commands, archive?.commands, horizon.seq, (n) => (report.commands += n));
    await moveBlocks(store.events, archive?.events, horizon.eventCursor, (n) => (report.events += n));
    await moveKeys(store.hashes as Database<unknown, number>, archive?.hashes as Database<unknown, number> | undefined, horizon.seq - 1, (n) => (report.hashes += n));
    await moveKeys(store.snapshots as Database<unknown, number>, archive?.snapshots as Database<unknown, number> | undefined, horizon.seq - 1, (n) => (report.snapshots += n));
    await store.root.flushed;
    return report;
  } finally {
    await archive?.close();
  }
}
