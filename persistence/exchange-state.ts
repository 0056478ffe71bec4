/**
 * The engine state durability works on: the ledger and every market, composed as an
 * Exchange with EXTERNAL settlement. Markets report their journaled events into one
 * queue per market; the caller decides when each event is settled into the ledger:
 *
 *  - live, single-threaded (journaled-exchange.ts): right after the command, in
 *    order, journaling each one first;
 *  - replay (replayer.ts): where the journal says the gateway settled it, after
 *    checking it equals the event the market just regenerated.
 *
 * Settling a command's events after the market finished it (instead of inline,
 * event by event) gives the same ledger: a market never reads the ledger, and R2
 * depends only on the order of the events it settles.
 */
import { createFastMarket, type FastMarket } from '../engine/book/fast-market.js';
import { captureFastMarketImage } from '../engine/book/fast-market-snapshot.js';
import { Code } from '../engine/codes.js';
import type { Command } from '../engine/command.js';
import type { MarketEventSink } from '../engine/events.js';
import { Exchange, type ExchangeHashes } from '../engine/exchange.js';
import { restoreExchange, snapshotExchange, type ExchangeSnapshotParts } from '../engine/exchange-snapshot.js';
import type { Ledger } from '../engine/ledger/ledger.js';
import { EVENT_RECORD_LENGTH } from '../engine/ring/event-codec.js';
import { EventQueue, MarketEventCapture, settleEventRecord, type CauseContext } from './event-capture.js';
import type { EngineConfig } from './journal-store.js';
import type { CapturedParts } from './snapshot-worker.js';

/** Replay produced something other than what the journal recorded: the engine is not deterministic, or the journal is not this engine's. */
export class ReplayDivergenceError extends Error {
  readonly code = 'PERPD_REPLAY_DIVERGENCE';
  constructor(message: string) {
    super(`replay diverged from the journal: ${message}`);
    this.name = 'ReplayDivergenceError';
  }
}

const L = EVENT_RECORD_LENGTH;

export class ExchangeState {
  readonly exchange: Exchange;
  readonly ledger: Ledger;
  /** One queue per market, ascending marketId. */
  readonly queues: readonly EventQueue[];
  readonly #queueOf = new Map<number, EventQueue>(); // looked up only
  readonly #settleOf = new Map<number, MarketEventSink>(); // looked up only
  readonly #ctx: CauseContext = { causeSeq: 0 };
  /** After a refused preTrade: whether R1 changed the ledger anyway (demo-mode account creation). */
  lastRejectChangedLedger = false;

  constructor(engine: EngineConfig) {
    const queues: EventQueue[] = [];
    this.exchange = new Exchange({
      markets: engine.markets,
      ledgerOptions: engine.ledger,
      settlement: 'external',
      createMarket: (spec) => {
        const q = new EventQueue();
        this.#queueOf.set(spec.marketId, q);
        queues.push(q);
        return createFastMarket(spec, new MarketEventCapture(spec.marketId, q, this.#ctx));
      },
    });
    this.ledger = this.exchange.ledger;
    this.queues = queues;
    for (const spec of this.ledger.markets) this.#settleOf.set(spec.marketId, this.ledger.settlementSink(spec.marketId));
  }

  /** A state restored from snapshot parts (the queues start empty). */
  static fromSnapshot(engine: EngineConfig, parts: ExchangeSnapshotParts): ExchangeState {
    const s = new ExchangeState(engine);
    restoreExchange(s.exchange, parts);
    return s;
  }

  snapshot(): ExchangeSnapshotParts {
    if (this.queuedEvents() > 0) throw new Error('ExchangeState.snapshot: settle the queued events first (a snapshot is a cut with nothing in flight)');
    return snapshotExchange(this.exchange);
  }

  /**
   * The synchronous part of a snapshot: every market's arrays copied (memcpy; the
   * encoding happens later, see snapshot-worker.ts) and the ledger serialised.
   */
  captureSnapshot(): CapturedParts {
    if (this.queuedEvents() > 0) throw new Error('ExchangeState.captureSnapshot: settle the queued events first (a snapshot is a cut with nothing in flight)');
    return {
      ledger: this.ledger.snapshot(),
      markets: this.exchange.markets.map((m) => ({ marketId: m.spec.marketId, image: captureFastMarketImage(m as FastMarket) })),
    };
  }

  hashes(): ExchangeHashes {
    return this.exchange.hashes();
  }

  /** R1 on a command; sets lastRejectChangedLedger when it refuses. */
  preTrade(cmd: Command): number {
    const accountsBefore = this.ledger.accountCount;
    const code = this.ledger.tryPreTrade(cmd);
    this.lastRejectChangedLedger = code !== Code.OK && this.ledger.accountCount !== accountsBefore;
    return code;
  }

  /** Stage M for a command R1 passed (cmd.seq set); its journaled events land in the queues. */
  route(cmd: Command): number {
    this.#ctx.causeSeq = cmd.seq;
    return this.exchange.route(cmd);
  }

  queuedEvents(): number {
    let n = 0;
    for (const q of this.queues) n += q.size;
    return n;
  }

  /** Settles one 14-slot event record (at slot offset `o`) into the ledger. */
  settleRecord(rec: Float64Array, o: number): void {
    const sink = this.#settleOf.get(rec[o + 1]);
    if (sink === undefined) throw new ReplayDivergenceError(`an event of market ${rec[o + 1]}, which this configuration does not have`);
    settleEventRecord(sink, rec, o);
  }

  /**
   * Requires `rec` to equal the oldest queued (regenerated) event of its market,
   * then drops that queued event. `where` names the journal position for errors.
   */
  mustMatchQueued(rec: Float64Array, o: number, where: string): void {
    const q = this.#queueOf.get(rec[o + 1]);
    if (q === undefined) throw new ReplayDivergenceError(`${where}: event of unknown market ${rec[o + 1]}`);
    if (q.size === 0) throw new ReplayDivergenceError(`${where}: the journal has an event of market ${rec[o + 1]} (cause seq ${rec[o + 2]}) that replay did not produce`);
    const b = q.buffer;
    const h = q.headOffset();
    for (let i = 0; i < L; i++) {
      if (b[h + i] !== rec[o + i]) {
        throw new ReplayDivergenceError(
          `${where}: journaled event [${Array.from(rec.subarray(o, o + L)).join(', ')}] but replay produced [${Array.from(b.subarray(h, h + L)).join(', ')}] (slot ${i})`,
        );
      }
    }
    q.shift();
  }

  /**
   * Settles every queued event into the ledger: merged across markets by cause seq
   * (ties: ascending marketId, as Exchange fans CANCEL_ALL out), each market's in
   * order. `emit` sees each record just before it is settled (journal append).
   * Returns how many were settled.
   */
  settleQueued(emit?: (rec: Float64Array, o: number) => void): number {
    let n = 0;
    const queues = this.queues;
    if (queues.length === 1) {
      const q = queues[0];
      while (q.size > 0) {
        const o = q.headOffset();
        emit?.(q.buffer, o);
        this.settleRecord(q.buffer, o);
        q.shift();
        n++;
      }
      return n;
    }
    for (;;) {
      let best: EventQueue | undefined;
      let bestCause = Infinity;
      for (const q of queues) {
        if (q.size === 0) continue;
        const cause = q.buffer[q.headOffset() + 2];
        if (cause < bestCause) {
          best = q;
          bestCause = cause;
        }
      }
      if (best === undefined) return n;
      // Take this market's whole run for the cause, then look again.
      while (best.size > 0 && best.buffer[best.headOffset() + 2] === bestCause) {
        const o = best.headOffset();
        emit?.(best.buffer, o);
        this.settleRecord(best.buffer, o);
        best.shift();
        n++;
      }
    }
  }
}
