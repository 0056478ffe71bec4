/**
 * Applies journal items, in the total order, to an ExchangeState, checking at every
 * step that the engine does what the journal says it did:
 *
 *   command    R1 must pass again and write the same outputs it wrote live
 *              (preheldLots, resolved stpMode, the new account id); then the
 *              market(s) process it and their journaled events are queued.
 *   event      if its cause is after the replay's start, it must equal the oldest
 *              queued event of its market (the market just regenerated it); then it
 *              is settled into the ledger (R2) here, where the gateway settled it.
 *              Events caused before the start (in flight at the snapshot's cut) have
 *              nothing to compare with and are settled as journaled.
 *   r1-effect  R1 must refuse it again with the same code (and change the ledger).
 *
 * Published state hashes (and snapshot hashes) at positions on the way are checked
 * when the replay reaches them.
 */
import { Code, codeName } from '../engine/codes.js';
import { Command } from '../engine/command.js';
import type { ExchangeHashes } from '../engine/exchange.js';
import { ReplayDivergenceError, type ExchangeState } from './exchange-state.js';
import type { JournalItem, JournalReader } from './journal-reader.js';

export { ReplayDivergenceError } from './exchange-state.js';

/** A position in the total order: after command `seq` and event-log record `eventCursor`. */
export interface JournalPosition {
  seq: number;
  eventCursor: number;
}

/** A hash to check when the replay reaches its position. */
export interface HashCheckpoint extends JournalPosition {
  /** Where it comes from, for messages ("state hash", "snapshot"). */
  source: string;
  /** Set when the hash was recorded with a snapshot (the snapshot's seq). */
  snapshotSeq?: number;
  exchange: string;
  ledger?: string;
  markets?: { marketId: number; hash: string }[];
}

export interface ReplayStats {
  commands: number;
  events: number;
  /** Journaled events compared with the regenerated ones. */
  eventsVerified: number;
  r1Effects: number;
  checkpointsVerified: number;
}

export class Replayer {
  readonly state: ExchangeState;
  readonly start: JournalPosition;
  readonly stats: ReplayStats = { commands: 0, events: 0, eventsVerified: 0, r1Effects: 0, checkpointsVerified: 0 };
  seq: number;
  eventCursor: number;
  lastTsUs = 0;
  readonly #c = new Command();

  constructor(state: ExchangeState, start: JournalPosition) {
    this.state = state;
    this.start = { ...start };
    this.seq = start.seq;
    this.eventCursor = start.eventCursor;
  }

  apply(item: JournalItem): void {
    if (item.kind === 'command') this.applyCommand(item.cmd);
    else if (item.kind === 'event') this.applyMarketEvent(item.cursor, item.record);
    else this.applyR1Effect(item.cursor, item.code, item.cmd);
  }

  applyCommand(journaled: Command): void {
    const c = this.#c.copyFrom(journaled);
    const code = this.state.preTrade(c);
    if (code !== Code.OK) throw new ReplayDivergenceError(`seq ${journaled.seq}: R1 refuses it with ${codeName(code)}, but it was sequenced`);
    if (c.preheldLots !== journaled.preheldLots || c.stpMode !== journaled.stpMode || c.accountId !== journaled.accountId) {
      throw new ReplayDivergenceError(
        `seq ${journaled.seq}: R1 wrote preheldLots ${c.preheldLots}, stpMode ${c.stpMode}, accountId ${c.accountId}; ` +
          `the journal has ${journaled.preheldLots}, ${journaled.stpMode}, ${journaled.accountId}`,
      );
    }
    this.state.route(c);
    this.seq = journaled.seq;
    this.lastTsUs = journaled.tsUs;
    this.stats.commands++;
  }

  applyMarketEvent(cursor: number, record: Float64Array): void {
    if (record[2] > this.start.seq) {
      this.state.mustMatchQueued(record, 0, `event cursor ${cursor}`);
      this.stats.eventsVerified++;
    }
    this.state.settleRecord(record, 0);
    this.eventCursor = cursor;
    this.stats.events++;
  }

  applyR1Effect(cursor: number, code: number, journaled: Command): void {
    const c = this.#c.copyFrom(journaled);
    const got = this.state.preTrade(c);
    if (got !== code || !this.state.lastRejectChangedLedger) {
      throw new ReplayDivergenceError(`event cursor ${cursor}: R1 answers ${codeName(got)} to a command it refused live with ${codeName(code)} while changing the ledger`);
    }
    this.eventCursor = cursor;
    this.stats.r1Effects++;
  }

  /** Checks a hash recorded at the current position; throws ReplayDivergenceError on a mismatch. */
  mustMatch(cp: HashCheckpoint, hashes: ExchangeHashes = this.state.hashes()): void {
    if (hashes.exchange !== cp.exchange) {
      const parts: string[] = [];
      if (cp.ledger !== undefined && cp.ledger !== hashes.ledger) parts.push(`ledger ${hashes.ledger} vs ${cp.ledger}`);
      for (const m of cp.markets ?? []) {
        const mine = hashes.markets.find((x) => x.marketId === m.marketId);
        if (mine && mine.hash !== m.hash) parts.push(`market ${m.marketId} ${mine.hash} vs ${m.hash}`);
      }
      throw new ReplayDivergenceError(
        `${cp.source} at seq ${cp.seq} / event ${cp.eventCursor}: replayed state hash ${hashes.exchange}, recorded ${cp.exchange}` + (parts.length ? ` (${parts.join('; ')})` : ''),
      );
    }
    this.stats.checkpointsVerified++;
  }

  /**
   * Replays everything after the start position, checking `checkpoints` (ascending
   * by position; those before the start are ignored) when the replay stands exactly
   * on their position. Stops at `stopAt` when given. Returns the checkpoints it did not check: positions the total
   * order never stops at (a corrupt record) and positions beyond the journal's end.
   */
  run(reader: JournalReader, checkpoints: readonly HashCheckpoint[] = [], stopAt?: JournalPosition): HashCheckpoint[] {
    const s = this.start;
    const pending = checkpoints.filter((cp) => cp.seq > s.seq || (cp.seq === s.seq && cp.eventCursor >= s.eventCursor));
    const missed: HashCheckpoint[] = [];
    let next = 0;
    const check = (): void => {
      while (next < pending.length) {
        const cp = pending[next];
        if (cp.seq === this.seq && cp.eventCursor === this.eventCursor) {
          this.mustMatch(cp);
        } else if (cp.seq < this.seq || (cp.seq === this.seq && cp.eventCursor < this.eventCursor)) {
          missed.push(cp);
        } else {
          return;
        }
        next++;
      }
    };
    check();
    const atStop = (): boolean => stopAt !== undefined && this.seq === stopAt.seq && this.eventCursor === stopAt.eventCursor;
    if (!atStop()) {
      for (const item of reader.totalOrder(s.seq, s.eventCursor)) {
        this.apply(item);
        check();
        if (atStop()) break;
      }
    }
    return [...missed, ...pending.slice(next)];
  }
}
