/**
 * Worker-thread entry: owns a fixed set of markets for the process's life.
 * Loop: pop a batch of command records, apply them, push the events, ring the
 * gateway's doorbell; when idle spin briefly, then park on the command doorbell.
 * No clock and no randomness: the sequencer stamped every command.
 */
import { readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import { createFastMarket } from '../book/fast-market.js';
import type { MarketSpec } from '../market-spec.js';
import { COMMAND_RECORD_LENGTH } from '../ring/command-codec.js';
import { EVENT_RECORD_LENGTH } from '../ring/event-codec.js';
import { Doorbell, RecordRing, type RecordRingHandle } from '../ring/record-ring.js';
import { MarketHost } from './market-host.js';
import { imageBuffers } from '../book/fast-market-snapshot.js';

export interface MarketWorkerData {
  workerIndex: number;
  markets: MarketSpec[];
  commandRing: RecordRingHandle;
  eventRing: RecordRingHandle;
  /** The worker sleeps on this one (the gateway rings it after pushing commands). */
  commandBell: SharedArrayBuffer;
  /** Shared by all workers: the gateway sleeps on it. */
  eventBell: SharedArrayBuffer;
  /** Idle polls before parking. */
  spinIterations: number;
  parkTimeoutMs: number;
  batchSize: number;
  /** Pin this thread to a CPU (Linux, via taskset) or -1. */
  cpu: number;
  /** Recovered state of some of `markets` (journal recovery): loaded before the first command. */
  snapshots?: { marketId: number; bytes: Uint8Array }[];
}

function maybePin(cpu: number): string {
  if (cpu < 0) return 'not pinned';
  try {
    // /proc/thread-self → "<pid>/task/<tid>": this worker thread's kernel id.
    const tid = readlinkSync('/proc/thread-self').split('/').pop();
    const res = spawnSync('taskset', ['-cp', String(cpu), String(tid)], { encoding: 'utf8' });
    return res.status === 0 ? `pinned to cpu ${cpu}` : `pinning failed: ${res.stderr.trim() || res.error}`;
  } catch (err) {
    return `pinning unavailable: ${(err as Error).message}`;
  }
}

function run(data: MarketWorkerData): void {
  const commands = new RecordRing(data.commandRing);
  const events = new RecordRing(data.eventRing);
  const commandBell = new Doorbell(data.commandBell);
  const eventBell = new Doorbell(data.eventBell);
  const host = new MarketHost(data.markets, createFastMarket, data.snapshots ?? []);
  const batch = new Float64Array(data.batchSize * COMMAND_RECORD_LENGTH);
  const enc = host.encoder;
  const hasWork = (): boolean => commands.pendingRecords() > 0;
  const sleepWord = new Int32Array(new SharedArrayBuffer(4));
  const pinning = maybePin(data.cpu);
  parentPort?.postMessage({ type: 'ready', workerIndex: data.workerIndex, markets: data.markets.map((m) => m.symbol), pinning });

  let idle = 0;
  let running = true;
  while (running) {
    const n = commands.popMany(batch, data.batchSize);
    if (n === 0) {
      if (++idle < data.spinIterations) continue;
      commandBell.park(data.parkTimeoutMs, hasWork);
      idle = 0;
      continue;
    }
    idle = 0;
    running = host.processRecords(batch, n);
    // Push every event record; if the gateway is behind, wait for room (never drop).
    let sent = 0;
    while (sent < enc.count) {
      const fit = events.pushMany(sent === 0 ? enc.buffer : enc.buffer.subarray(sent * EVENT_RECORD_LENGTH), enc.count - sent);
      sent += fit;
      eventBell.ring();
      if (sent < enc.count) Atomics.wait(sleepWord, 0, 0, 0.05); // ~50 µs back-off while the gateway drains
    }
    enc.clear();
    if (host.snapshot) {
      // Durability: hand the copies to the gateway thread (transferred, not cloned).
      const { cutSeq, images } = host.snapshot;
      host.snapshot = undefined;
      parentPort?.postMessage({ type: 'snapshot', workerIndex: data.workerIndex, cutSeq, images }, imageBuffers(images.map((i) => i.image)));
    }
  }
  parentPort?.postMessage({ type: 'stopped', workerIndex: data.workerIndex });
}

run(workerData as MarketWorkerData);
