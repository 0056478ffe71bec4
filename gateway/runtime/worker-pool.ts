import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Command, Op } from '../../engine/command.js';
import type { MarketSpec } from '../../engine/market-spec.js';
import { COMMAND_RECORD_LENGTH, encodeCommand } from '../../engine/ring/command-codec.js';
import { EVENT_RECORD_LENGTH, decodeEvents, type EventStreamHandler } from '../../engine/ring/event-codec.js';
import { Doorbell, RecordRing } from '../../engine/ring/record-ring.js';
import type { MarketWorkerData } from '../../engine/worker/market-worker.js';
import type { MarketImage } from '../../engine/book/fast-market-snapshot.js';

export interface WorkerPoolOptions {
  markets: MarketSpec[];
  workers: number;
  commandRingRecords: number;
  eventRingRecords: number;
  spinIterations: number;
  parkTimeoutMs: number;
  batchSize: number;
  /** CPU per worker index (Linux taskset), or empty for no pinning. */
  pinCpus: number[];
  /** Called once if a worker dies or reports an error: the daemon must stop. */
  onFatal: (err: Error) => void;
  /** Durability (persistence/runtime-journal.ts): recovered market state, each part loaded by the worker that owns the market. */
  initialMarkets?: { marketId: number; bytes: Uint8Array }[];
  /** Durability: a worker's copies for a snapshot cut (after a `requestSnapshot`). */
  onSnapshotImages?: (workerIndex: number, cutSeq: number, images: { marketId: number; image: MarketImage }[]) => void;
}

interface WorkerSlot {
  worker: Worker;
  commands: RecordRing;
  events: RecordRing;
  commandBell: Doorbell;
  markets: string[];
  /** Commands pushed since the last doorbell ring. */
  unrung: number;
  stopped: boolean;
  exited: boolean;
}

/**
 * The market workers and their rings, as seen from the gateway thread (the only
 * producer of commands and the only consumer of events).
 *
 * Market → worker assignment is fixed at start: markets sorted by marketId are
 * dealt round-robin to workers, and never move while the process lives.
 */
export class WorkerPool {
  readonly #slots: WorkerSlot[] = [];
  readonly #workerOfMarket = new Map<number, number>();
  readonly #eventBell = Doorbell.create();
  readonly #record = new Float64Array(COMMAND_RECORD_LENGTH);
  readonly #eventBuffer: Float64Array;
  readonly #drainBatch: number;
  readonly #opts: WorkerPoolOptions;
  #marketIdList: number[] = [];
  #fatal = false;
  #closing = false;

  private constructor(opts: WorkerPoolOptions) {
    this.#opts = opts;
    this.#drainBatch = 1024;
    this.#eventBuffer = new Float64Array(this.#drainBatch * EVENT_RECORD_LENGTH);
  }

  /** Starts the workers and resolves once each reports ready. */
  static async start(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    await pool.#spawnAll();
    return pool;
  }

  async #spawnAll(): Promise<void> {
    const o = this.#opts;
    const n = Math.max(1, Math.min(o.workers, o.markets.length));
    const byWorker: MarketSpec[][] = Array.from({ length: n }, () => []);
    [...o.markets].sort((a, b) => a.marketId - b.marketId).forEach((m, i) => byWorker[i % n].push(m));
    const entry = fileURLToPath(new URL('../../engine/worker/market-worker.js', import.meta.url));
    const ready: Promise<void>[] = [];
    for (let w = 0; w < n; w++) {
      const commands = RecordRing.create(o.commandRingRecords, COMMAND_RECORD_LENGTH);
      const events = RecordRing.create(o.eventRingRecords, EVENT_RECORD_LENGTH);
      const commandBell = Doorbell.create();
      const data: MarketWorkerData = {
        workerIndex: w,
        markets: byWorker[w],
        commandRing: commands.handle,
        eventRing: events.handle,
        commandBell: commandBell.sab,
        eventBell: this.#eventBell.sab,
        spinIterations: o.spinIterations,
        parkTimeoutMs: o.parkTimeoutMs,
        batchSize: o.batchSize,
        cpu: o.pinCpus.length > 0 ? o.pinCpus[w % o.pinCpus.length] : -1,
        snapshots: (o.initialMarkets ?? []).filter((p) => byWorker[w].some((m) => m.marketId === p.marketId)),
      };
      const worker = new Worker(entry, { workerData: data, name: `market-worker-${w}` });
      const slot: WorkerSlot = { worker, commands, events, commandBell, markets: byWorker[w].map((m) => m.symbol), unrung: 0, stopped: false, exited: false };
      this.#slots.push(slot);
      for (const m of byWorker[w]) this.#workerOfMarket.set(m.marketId, w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', (msg: { type: string }) => (msg.type === 'ready' ? resolve() : reject(new Error(`worker ${w}: unexpected ${msg.type}`))));
          worker.once('error', reject);
        }),
      );
      worker.on('message', (msg: { type: string; cutSeq?: number; images?: { marketId: number; image: MarketImage }[] }) => {
        if (msg.type === 'stopped') slot.stopped = true;
        else if (msg.type === 'snapshot') o.onSnapshotImages?.(w, msg.cutSeq!, msg.images!); // durability
      });
      worker.on('error', (err) => this.#die(new Error(`market worker ${w} (${slot.markets.join(', ')}) crashed: ${err.message}`)));
      worker.on('exit', (code) => {
        slot.exited = true;
        if (!this.#closing) this.#die(new Error(`market worker ${w} (${slot.markets.join(', ')}) exited with code ${code}`));
      });
    }
    this.#marketIdList = [...this.#workerOfMarket.keys()].sort((a, b) => a - b);
    await Promise.all(ready);
  }

  #die(err: Error): void {
    if (this.#fatal) return;
    this.#fatal = true;
    this.#opts.onFatal(err);
  }

  /** Market ids served, ascending. */
  get marketIds(): readonly number[] {
    return this.#marketIdList;
  }

  get workerCount(): number {
    return this.#slots.length;
  }

  /** Worker index owning a market, or -1 for an unknown market. */
  workerOf(marketId: number): number {
    return this.#workerOfMarket.get(marketId) ?? -1;
  }

  /** Which markets each worker owns (for logs and /metrics). */
  assignment(): string[][] {
    return this.#slots.map((s) => s.markets);
  }

  /** Free command slots in the ring of `marketId`'s worker (0 for unknown markets). */
  freeCommandSlots(marketId: number): number {
    const w = this.workerOf(marketId);
    return w < 0 ? 0 : this.#slots[w].commands.freeRecords();
  }

  /**
   * Encodes and pushes a command to its market's worker. Returns false if the ring
   * is full (nothing pushed). The doorbell is rung in `flush()`, once per batch.
   */
  push(cmd: Command): boolean {
    const w = this.workerOf(cmd.marketId);
    if (w < 0) return false;
    const slot = this.#slots[w];
    encodeCommand(cmd, this.#record, 0);
    if (!slot.commands.tryPush(this.#record)) return false;
    slot.unrung++;
    return true;
  }

  /**
   * Durability: asks every worker to copy its markets after the commands already
   * queued (a SNAPSHOT record, value = the cut's seq). All or nothing: false, and
   * nothing pushed, when a ring is full. Rings the doorbells.
   */
  requestSnapshot(cutSeq: number): boolean {
    for (const s of this.#slots) if (s.commands.freeRecords() === 0) return false;
    const snap = new Command();
    snap.op = Op.SNAPSHOT;
    snap.value = cutSeq;
    encodeCommand(snap, this.#record, 0);
    for (const s of this.#slots) {
      s.commands.tryPush(this.#record);
      s.unrung++;
    }
    this.flush();
    return true;
  }

  /** Rings the doorbell of every worker that received commands since the last flush. */
  flush(): void {
    for (const s of this.#slots) {
      if (s.unrung > 0) {
        s.unrung = 0;
        s.commandBell.ring();
      }
    }
  }

  /** Decodes every pending event record onto `handler`; returns the record count. */
  drain(handler: EventStreamHandler): number {
    let total = 0;
    for (const s of this.#slots) {
      for (;;) {
        const n = s.events.popMany(this.#eventBuffer, this.#drainBatch);
        if (n === 0) break;
        decodeEvents(this.#eventBuffer, n, handler);
        total += n;
      }
    }
    return total;
  }

  hasEvents(): boolean {
    for (const s of this.#slots) if (s.events.pendingRecords() > 0) return true;
    return false;
  }

  /** Resolves when a worker rings the gateway doorbell, or after `timeoutMs`. */
  waitForEvents(timeoutMs: number): Promise<void> {
    return this.#eventBell.parkAsync(timeoutMs, () => this.hasEvents());
  }

  /** Ring depths (records waiting) per worker, for /metrics. */
  depths(): { worker: number; commands: number; events: number }[] {
    return this.#slots.map((s, i) => ({ worker: i, commands: s.commands.pendingRecords(), events: s.events.pendingRecords() }));
  }

  /** Kills a worker thread as a crash would (tests of the crash path). */
  killWorkerForTest(index: number): Promise<number> {
    return this.#slots[index].worker.terminate();
  }

  /** Asks each worker to stop after the commands already queued, then waits for the threads to end. */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closing = true;
    const stop = new Command();
    stop.op = Op.SHUTDOWN;
    const alive = this.#slots.filter((s) => !s.exited);
    for (const s of alive) {
      encodeCommand(stop, this.#record, 0);
      const deadline = Date.now() + timeoutMs;
      while (!s.commands.tryPush(this.#record) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      s.commandBell.ring();
      // The worker parks with a timeout, so it sees SHUTDOWN even if the bell was missed.
    }
    await Promise.all(
      alive.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void s.worker.terminate().then(() => resolve()), timeoutMs);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}
