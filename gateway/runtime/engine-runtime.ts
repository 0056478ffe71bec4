import { setImmediate as yieldToIo } from 'node:timers/promises';
import { Code } from '../../engine/codes.js';
import { Op, type Command } from '../../engine/command.js';
import type { EventStreamHandler } from '../../engine/ring/event-codec.js';
import type { Sequencer } from './sequencer.js';
import type { WorkerPool } from './worker-pool.js';
import { PublishFanout } from './publish-fanout.js';

/**
 * The ledger's two stages as the runtime needs them:
 *  - `tryPreTrade` (R1) runs on the gateway thread before a command is sequenced:
 *    it applies ledger ops outright (deposit, withdraw, ...) and, for order ops,
 *    holds margin and fills in what the market needs (preheldLots, resolved STP).
 *    It changes nothing when it rejects.
 *  - `settlement` (R2) consumes every market event after the market applied it.
 */
export interface RiskStage {
  tryPreTrade(cmd: Command): number;
  readonly settlement: EventStreamHandler;
}

/** Called for every command the runtime accepted, after it has its seq (journal hook). */
export type SequencedHook = (cmd: Command) => void;

/** Under a flood of frames, drain events after this many submits within one event-loop turn (see #helpDrain). */
const HELP_DRAIN_EVERY_SUBMITS = 256;

const LEDGER_OPS = new Set<number>([Op.CREATE_ACCOUNT, Op.DEPOSIT, Op.WITHDRAW, Op.SET_LEVERAGE, Op.SET_STP_DEFAULT]);

export interface EngineRuntimeOptions {
  pool: WorkerPool;
  sequencer: Sequencer;
  risk: RiskStage;
  /** Output side: execution reports and market data (after settlement). */
  publish: EventStreamHandler & { onDrainEnd?(): void };
  /** Journal hook (durability work); called in seq order before the command leaves for a market. */
  onSequenced?: SequencedHook;
  /**
   * Durability: checked before anything else; a code other than OK refuses the command
   * (the journal failed: Code.JOURNAL_UNAVAILABLE). Nothing changes on a refusal.
   */
  admission?: () => number;
  parkTimeoutMs: number;
}

/**
 * The pipeline on the gateway thread, in stage order:
 *   1. admission: unknown market → UNKNOWN_MARKET; no room in the market's ring →
 *      OVERLOADED (checked before anything changes, so a full ring never loses an
 *      accepted command);
 *   2. R1 pre-trade risk (ledger): ledger ops are applied here;
 *   3. sequencing: seq + timestamp; journal hook;
 *   4. push to the market's worker ring (doorbells rung once per WebSocket message
 *      with beginBatch/endBatch, else once per microtask batch);
 *   5. (async) drain events: R2 settlement, then publication.
 */
export class EngineRuntime {
  readonly #o: EngineRuntimeOptions;
  /** Settlement first, then publication (PublishFanout forwards in the order given). */
  readonly #handler: PublishFanout;
  #flushScheduled = false;
  #submitsSinceDrain = 0;
  #batchDepth = 0;
  #draining = false;
  #running = false;
  #loopDone: Promise<void> | undefined;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#o.pool.flush();
  };
  /** Commands accepted into rings and events drained, for /metrics. */
  submitted = 0;
  drainedEvents = 0;
  /** Drains done from the submit path (#helpDrain) that found events: a sign of load. */
  helpDrains = 0;

  constructor(opts: EngineRuntimeOptions) {
    this.#o = opts;
    this.#handler = new PublishFanout([opts.risk.settlement, opts.publish]);
  }

  /**
   * Admits one command. Returns Code.OK once it is sequenced (cmd.seq is set; market
   * ops then complete asynchronously with a DONE event carrying cmd.seq) or the
   * reject code, in which case nothing changed.
   */
  submit(cmd: Command): number {
    const o = this.#o;
    const refused = o.admission?.(); // durability: stop accepting once the journal failed
    if (refused !== undefined && refused !== Code.OK) return refused;
    if (++this.#submitsSinceDrain >= HELP_DRAIN_EVERY_SUBMITS) this.#helpDrain();
    const isLedgerOp = LEDGER_OPS.has(cmd.op);
    const allMarkets = cmd.op === Op.CANCEL_ALL && cmd.value === 1;
    if (!isLedgerOp && !allMarkets) {
      if (o.pool.workerOf(cmd.marketId) < 0) return Code.UNKNOWN_MARKET;
      if (o.pool.freeCommandSlots(cmd.marketId) === 0) {
        // The worker may be stalled on a full event ring: drain it, then look again.
        this.#helpDrain();
        if (o.pool.freeCommandSlots(cmd.marketId) === 0) return Code.OVERLOADED;
      }
    }
    if (allMarkets) return this.#submitCancelAllMarkets(cmd);
    const code = o.risk.tryPreTrade(cmd);
    if (code !== Code.OK) return code;
    o.sequencer.stamp(cmd);
    o.onSequenced?.(cmd);
    if (!isLedgerOp) {
      if (!o.pool.push(cmd)) throw new Error('invariant: ring had room at admission but refused the push');
      this.submitted++;
      this.#scheduleFlush();
    }
    return Code.OK;
  }

  /**
   * CANCEL_ALL for every market: one sequenced command per market (each market gets
   * its own DONE). Admitted only if every ring has room, so it is all or nothing.
   * Returns OK and leaves cmd.seq = the first seq; `marketsCovered` tells how many.
   */
  #submitCancelAllMarkets(cmd: Command): number {
    const o = this.#o;
    const markets = this.marketIds();
    for (const m of markets) if (o.pool.freeCommandSlots(m) === 0) return Code.OVERLOADED;
    // Durability: R1 as for any command (as Exchange.process does), so that replaying the
    // journaled per-market commands through R1 passes exactly as it did here.
    const r1 = o.risk.tryPreTrade(cmd);
    if (r1 !== Code.OK) return r1;
    let firstSeq = 0;
    for (const m of markets) {
      cmd.marketId = m;
      cmd.value = 0;
      o.sequencer.stamp(cmd);
      if (firstSeq === 0) firstSeq = cmd.seq;
      o.onSequenced?.(cmd);
      o.pool.push(cmd);
      this.submitted++;
    }
    cmd.seq = firstSeq;
    this.#scheduleFlush();
    return Code.OK;
  }

  marketIds(): readonly number[] {
    return this.#o.pool.marketIds;
  }

  /**
   * Drains events from inside the submit path. uWS hands the gateway every frame that
   * arrived on every socket in one event-loop turn (tens of thousands under a flood),
   * while the drain loop runs once per turn; without this the event rings fill during
   * the turn, the workers stall on them, the command rings fill and the rest of the
   * turn is answered OVERLOADED (measured: 400 k/s offered served 29–52 k/s). Draining
   * between two commands is as valid as between two turns: R2 settles in the order it
   * drains, and the journal records that interleaving.
   */
  #helpDrain(): void {
    this.#submitsSinceDrain = 0;
    if (this.#draining) return; // a handler submitting while events drain: never re-enter the drain
    this.#o.pool.flush(); // ring the doorbells for what this turn pushed so far
    if (this.drainNow() > 0) this.helpDrains++;
  }

  /**
   * Explicit submit batches (the binary endpoint wraps each WebSocket message): while
   * one is open, pushes ring no doorbell and schedule nothing; `endBatch` rings once.
   * Without a batch, a microtask rings after the current turn's submits. The
   * microtask (queueMicrotask wraps its callback for async context) was one of the
   * larger items of the gateway thread's garbage, once per message.
   */
  beginBatch(): void {
    this.#batchDepth++;
  }

  endBatch(): void {
    if (--this.#batchDepth === 0) this.#o.pool.flush();
  }

  #scheduleFlush(): void {
    if (this.#batchDepth > 0) return;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Starts draining events; resolves when stopped. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loopDone = this.#loop();
  }

  async #loop(): Promise<void> {
    const o = this.#o;
    while (this.#running) {
      const n = this.drainNow();
      // Let uWS read sockets and write replies between batches.
      if (n === 0) await o.pool.waitForEvents(o.parkTimeoutMs);
      else await yieldToIo();
    }
  }

  /** Drains whatever is pending right now (tests, shutdown, and the submit path under load). */
  drainNow(): number {
    this.#submitsSinceDrain = 0;
    if (this.#draining) return 0;
    this.#draining = true;
    try {
      const n = this.#o.pool.drain(this.#handler);
      if (n > 0) {
        this.drainedEvents += n;
        this.#o.publish.onDrainEnd?.();
      }
      return n;
    } finally {
      this.#draining = false;
    }
  }

  /** Stops the drain loop after the current batch, then drains what is left. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loopDone;
    this.drainNow();
  }
}
