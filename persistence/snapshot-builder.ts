/**
 * Who runs the background part of a snapshot (snapshot-worker.ts: encode images,
 * hash, compress):
 *
 *   PiscinaBuilder   a piscina worker thread (the daemon, the benchmark): the
 *                    captured images are transferred, not copied; the thread runs
 *                    at a lower OS priority (snapshot-worker.ts);
 *   InlineBuilder    this thread (tools, tests), with or without compression.
 *
 * Both write the same record format; `decompress` undoes 'deflate-raw'.
 */
import { inflateRawSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { imageBuffers } from '../engine/book/fast-market-snapshot.js';
import type { EngineConfig } from './journal-store.js';
import type { ExchangeHashes } from '../engine/exchange.js';
import { buildSnapshot, hashCapturedParts, type BuiltSnapshot, type CapturedParts, type SnapshotTask } from './snapshot-worker.js';

export type { BuiltSnapshot, CapturedParts } from './snapshot-worker.js';

export interface SnapshotBuilder {
  build(engine: EngineConfig, captured: CapturedParts): Promise<BuiltSnapshot>;
  /** Only the hashes (a state-hash cut): no parts are encoded, restored or compressed (snapshot-worker.ts hashCapturedParts). */
  hash(engine: EngineConfig, captured: CapturedParts): Promise<ExchangeHashes>;
  decompress(bytes: Uint8Array, compression: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

function inflate(bytes: Uint8Array, compression: string): Uint8Array {
  if (compression === 'none') return bytes;
  if (compression === 'deflate-raw') return new Uint8Array(inflateRawSync(bytes));
  throw new Error(`snapshot compression "${compression}" is unknown to this perpd`);
}

export class InlineBuilder implements SnapshotBuilder {
  constructor(private readonly compress = true) {}
  async build(engine: EngineConfig, captured: CapturedParts): Promise<BuiltSnapshot> {
    return buildSnapshot(engine, captured, this.compress);
  }
  async hash(engine: EngineConfig, captured: CapturedParts): Promise<ExchangeHashes> {
    return hashCapturedParts(engine, captured);
  }
  async decompress(bytes: Uint8Array, compression: string): Promise<Uint8Array> {
    return inflate(bytes, compression);
  }
  async close(): Promise<void> {}
}

export class PiscinaBuilder implements SnapshotBuilder {
  readonly #pool: Piscina<SnapshotTask, unknown>;

  /**
   * One thread by default: snapshots are rare, and on 2 cores the others are busy
   * matching. It starts with the pool and stays: starting a thread (loading its
   * modules) takes a few hundred ms of CPU on cores the gateway and market threads
   * need; paying that once at start-up beats paying it at a cut after every idle spell.
   */
  constructor(threads = 1) {
    this.#pool = new Piscina<SnapshotTask, unknown>({
      filename: new URL('./snapshot-worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
  }

  /** Transfers the captured images' buffers (the caller must not use them afterwards). */
  build(engine: EngineConfig, captured: CapturedParts): Promise<BuiltSnapshot> {
    const transferList = imageBuffers(captured.markets.flatMap((m) => (m.image ? [m.image] : [])));
    return this.#pool.run({ op: 'build', engine, captured, compress: true }, { transferList }) as Promise<BuiltSnapshot>;
  }

  hash(engine: EngineConfig, captured: CapturedParts): Promise<ExchangeHashes> {
    const transferList = imageBuffers(captured.markets.flatMap((m) => (m.image ? [m.image] : [])));
    return this.#pool.run({ op: 'hash', engine, captured }, { transferList }) as Promise<ExchangeHashes>;
  }

  async decompress(bytes: Uint8Array, compression: string): Promise<Uint8Array> {
    if (compression !== 'deflate-raw') return inflate(bytes, compression);
    return (await this.#pool.run({ op: 'decompress', bytes })) as Uint8Array;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
