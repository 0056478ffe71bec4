/**
 * The background part of a snapshot, as one function (`buildSnapshot`) and as the
 * piscina worker entry that runs it off the hot path (snapshot-builder.ts):
 *
 *   1. encode each market captured as an image (engine/book/fast-market-snapshot.ts:
 *      the worker only copied its arrays, matching resumed at once);
 *   2. hash the parts by restoring them into a fresh ExchangeState (so the pause
 *      never includes hashing; restore equivalence is what the snapshot tests prove);
 *   3. compress each part (raw DEFLATE, level 1: the fastest level).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { encodeFastMarketSnapshot, type MarketImage } from '../engine/book/fast-market-snapshot.js';
import { marketImageHash } from '../engine/book/fast-market-inspect.js';
import { combineExchangeHash, type ExchangeHashes } from '../engine/exchange.js';
import { Ledger } from '../engine/ledger/ledger.js';
import { ExchangeState } from './exchange-state.js';
import type { EngineConfig } from './journal-store.js';

/** The synchronous part's output: the ledger's bytes, and per market its bytes or its image. */
export interface CapturedParts {
  ledger: Uint8Array;
  markets: { marketId: number; image?: MarketImage; bytes?: Uint8Array }[];
}

export interface BuiltSnapshot {
  hashes: ExchangeHashes;
  /** Uncompressed size of all parts. */
  rawBytes: number;
  compression: 'deflate-raw' | 'none';
  ledger: Uint8Array;
  markets: [number, Uint8Array][];
}

export type SnapshotTask =
  | { op: 'build'; engine: EngineConfig; captured: CapturedParts; compress: boolean }
  | { op: 'hash'; engine: EngineConfig; captured: CapturedParts }
  | { op: 'decompress'; bytes: Uint8Array };

/**
 * A state-hash cut: the hashes of the captured parts, without building a snapshot.
 * Market images are hashed as they are (marketImageHash, equal to the live market's
 * stateHash by test), not encoded and restored into a fresh state: restoring is what
 * allocates, and its garbage collection ran on V8's shared platform threads at normal
 * priority, which showed as slow acks for the 50–110 ms of every cut (bench/README.md).
 * The ledger (small next to books) is restored from its bytes and hashed.
 */
export function hashCapturedParts(engine: EngineConfig, captured: CapturedParts): ExchangeHashes {
  // Parts already encoded (no image) take the restore path.
  if (captured.markets.some((m) => !m.image)) return buildSnapshot(engine, captured, false).hashes;
  const markets = captured.markets.map((m) => ({ marketId: m.marketId, hash: marketImageHash(m.image!) })).sort((a, b) => a.marketId - b.marketId);
  const ledger = new Ledger(engine.markets, engine.ledger);
  ledger.restoreSnapshot(captured.ledger);
  const ledgerHash = ledger.stateHash();
  return { markets, ledger: ledgerHash, exchange: combineExchangeHash(markets, ledgerHash) };
}

export function buildSnapshot(engine: EngineConfig, captured: CapturedParts, compress: boolean): BuiltSnapshot {
  const markets = captured.markets.map((m) => {
    const bytes = m.bytes ?? (m.image ? encodeFastMarketSnapshot(m.image) : undefined);
    if (!bytes) throw new Error(`snapshot: market ${m.marketId} has neither bytes nor an image`);
    return { marketId: m.marketId, bytes };
  });
  const hashes = ExchangeState.fromSnapshot(engine, { ledger: captured.ledger, markets }).hashes();
  const rawBytes = markets.reduce((n, p) => n + p.bytes.length, captured.ledger.length);
  const pack = (b: Uint8Array): Uint8Array => (compress ? new Uint8Array(deflateRawSync(b, { level: 1 })) : b);
  return { hashes, rawBytes, compression: compress ? 'deflate-raw' : 'none', ledger: pack(captured.ledger), markets: markets.map((p) => [p.marketId, pack(p.bytes)]) };
}

/**
 * Snapshot work is background work: on a machine where the gateway thread, the market
 * workers and LMDB's writer already compete for few cores, a cut's encode / restore /
 * hash / compress must not take their time slices (measured: periodic cuts tripled the
 * ack p99 at 20 k orders/s on 2 cores). So this thread lowers its own scheduling
 * priority (Linux: setpriority on its thread id, found through /proc/thread-self;
 * raising the nice value needs no privilege). Elsewhere it stays as it is.
 */
export const SNAPSHOT_THREAD_NICE = 10;

export function lowerThisThreadPriority(nice = SNAPSHOT_THREAD_NICE): boolean {
  if (process.platform !== 'linux' || isMainThread) return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return getPriority(tid) === nice;
  } catch {
    return false;
  }
}

if (!isMainThread) lowerThisThreadPriority();

/** Piscina entry. Byte results go back by transfer, not by copy. */
export default function run(task: SnapshotTask): unknown {
  if (task.op === 'decompress') {
    const out = new Uint8Array(inflateRawSync(task.bytes));
    return Piscina.move(out);
  }
  if (task.op === 'hash') return hashCapturedParts(task.engine, task.captured);
  return buildSnapshot(task.engine, task.captured, task.compress);
}
