/**
 * `perpd replay --verify`: replays the journal from genesis (or from a snapshot) and
 * checks the state hash at every published hash and every snapshot point on the way;
 * then checks each snapshot record on its own (it restores and hashes to what it
 * recorded). Read-only: it never writes to the journal.
 */
import { performance } from 'node:perf_hooks';
import { ExchangeState } from './exchange-state.js';
import { JournalStore } from './journal-store.js';
import { collectCheckpoints, recover } from './recovery.js';
import { listSnapshotSeqs, loadSnapshot } from './snapshots.js';

export interface VerifyOptions {
  /** 'genesis' (default) or the seq of a snapshot to start from. */
  from?: 'genesis' | number;
  /** Also restore and hash every snapshot record (default true). */
  checkSnapshots?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  from: string;
  commands: number;
  events: number;
  eventsVerified: number;
  hashesVerified: number;
  /** Hash records and snapshots beyond the journal's end. */
  hashesNotReached: number;
  snapshotsChecked: number;
  lastSeq: number;
  lastEventCursor: number;
  finalHash: string;
  /** The state a restart recovers to: finalHash after settling the unsettled events (equal to it when there are none). */
  recoveredHash: string;
  /** Regenerated events the journal does not have (settled and journaled at the next start). */
  unsettledEvents: number;
  replayMs: number;
  commandsPerSecond: number;
  problems: string[];
}

export async function verifyJournal(dataDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const store = JournalStore.open(dataDir, { readOnly: true });
  const problems: string[] = [];
  const report: VerifyReport = {
    ok: false,
    from: opts.from === undefined || opts.from === 'genesis' ? 'genesis' : `snapshot ${opts.from}`,
    commands: 0,
    events: 0,
    eventsVerified: 0,
    hashesVerified: 0,
    hashesNotReached: 0,
    snapshotsChecked: 0,
    lastSeq: 0,
    lastEventCursor: 0,
    finalHash: '',
    recoveredHash: '',
    unsettledEvents: 0,
    replayMs: 0,
    commandsPerSecond: 0,
    problems,
  };
  try {
    const engine = store.info.engine;
    const t0 = performance.now();
    try {
      const { replayer, report: r } = await recover(store, engine, { from: opts.from ?? 'genesis', verifyHashes: true });
      report.commands = r.replayed.commands;
      report.events = r.replayed.events;
      report.eventsVerified = r.replayed.eventsVerified;
      report.hashesVerified = r.hashesVerified;
      report.hashesNotReached = r.hashesNotReached;
      report.lastSeq = r.lastSeq;
      report.lastEventCursor = r.lastEventCursor;
      report.unsettledEvents = r.unsettledEvents;
      report.finalHash = replayer.state.hashes().exchange;
      replayer.state.settleQueued();
      report.recoveredHash = r.unsettledEvents > 0 ? replayer.state.hashes().exchange : report.finalHash;
    } catch (err) {
      problems.push((err as Error).message);
    }
    report.replayMs = performance.now() - t0;
    report.commandsPerSecond = report.replayMs > 0 ? Math.round((report.commands / report.replayMs) * 1000) : 0;
    if (opts.checkSnapshots !== false) {
      const recorded = new Map(collectCheckpoints(store, true).filter((c) => c.snapshotSeq !== undefined).map((c) => [c.snapshotSeq!, c.exchange]));
      for (const seq of listSnapshotSeqs(store)) {
        try {
          const { info, parts } = await loadSnapshot(store, seq);
          const hash = ExchangeState.fromSnapshot(engine, parts).hashes().exchange;
          if (hash !== info.hashes.exchange) problems.push(`snapshot ${seq}: restores to hash ${hash}, recorded ${info.hashes.exchange}`);
          else if (recorded.get(seq) !== hash) problems.push(`snapshot ${seq}: header and body disagree`);
          report.snapshotsChecked++;
        } catch (err) {
          problems.push(`snapshot ${seq}: ${(err as Error).message}`);
        }
      }
    }
    report.ok = problems.length === 0;
    return report;
  } finally {
    await store.close();
  }
}
