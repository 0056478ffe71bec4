/**
 * Snapshot records in the journal's `snapshots` database, keyed by seq
 * (docs/durability.md, "Snapshots"):
 *
 *   offset 0  u8   format version (1)
 *          1  u8   kind = 4 (SNAPSHOT)
 *          2  u16  0 (the payload is longer than a u16: its length is the value's)
 *          4  u32  CRC-32 of bytes [0, 4) then the payload
 *          8  …    msgpack (msgpackr) of SnapshotBody: position, hashes, and the
 *                  engine parts (engine/exchange-snapshot.ts), each compressed
 *                  separately with `compression`
 *
 * Taking one has a synchronous part, the cut (ExchangeState.captureSnapshot: copy
 * every market's arrays, serialise the ledger, while nothing is in flight), and a
 * background part (buildSnapshotRecord: encode, hash, compress; then the journal's
 * next group commit writes it).
 */
import { pack, unpack } from 'msgpackr';
import type { ExchangeHashes } from '../engine/exchange.js';
import type { ExchangeSnapshotParts } from '../engine/exchange-snapshot.js';
import type { EngineConfig, JournalStore } from './journal-store.js';
import { blockCrc, BlockKind, JOURNAL_FORMAT_VERSION, JournalCorruptError, JournalVersionError, SNAPSHOT_HEADER_BYTES as HEADER_BYTES } from './records.js';
import { InlineBuilder, type CapturedParts, type SnapshotBuilder } from './snapshot-builder.js';

export interface SnapshotInfo {
  /** The cut: after command `seq` and event-log record `eventCursor`. */
  seq: number;
  eventCursor: number;
  /** Timestamp of command `seq` (0 at genesis). */
  tsUs: number;
  hashes: ExchangeHashes;
  compression: 'deflate-raw' | 'none';
  /** Uncompressed size of all parts. */
  rawBytes: number;
}

interface SnapshotBody extends SnapshotInfo {
  ledger: Uint8Array;
  markets: [number, Uint8Array][];
}

/** Where a snapshot cuts the total order. */
export interface SnapshotCut {
  seq: number;
  eventCursor: number;
  tsUs: number;
}

/**
 * The background part: builds the parts (encode images, hash, compress: `builder`,
 * off the main thread with a PiscinaBuilder) and the record. `hashes` overrides the
 * computed hashes (tests of a lying snapshot).
 */
export async function buildSnapshotRecord(
  cut: SnapshotCut,
  captured: CapturedParts,
  engine: EngineConfig,
  builder: SnapshotBuilder,
  hashes?: ExchangeHashes,
): Promise<Uint8Array> {
  const built = await builder.build(engine, captured);
  const body: SnapshotBody = {
    seq: cut.seq,
    eventCursor: cut.eventCursor,
    tsUs: cut.tsUs,
    hashes: hashes ?? built.hashes,
    compression: built.compression,
    rawBytes: built.rawBytes,
    ledger: built.ledger,
    markets: built.markets,
  };
  const payload = pack(body);
  const record = new Uint8Array(HEADER_BYTES + payload.length);
  record.set(payload, HEADER_BYTES);
  record[0] = JOURNAL_FORMAT_VERSION;
  record[1] = BlockKind.SNAPSHOT;
  const crc = blockCrc(record, HEADER_BYTES, record.length);
  new DataView(record.buffer).setUint32(4, crc, true);
  return record;
}

function mustCheckSnapshotRecord(value: Uint8Array, key: number, lastGood: number): SnapshotBody {
  const corrupt = (reason: string): never => {
    throw new JournalCorruptError('snapshots', key, lastGood, reason);
  };
  if (value.length < HEADER_BYTES) corrupt(`truncated: ${value.length} bytes`);
  if (value[0] > JOURNAL_FORMAT_VERSION) throw new JournalVersionError(value[0], `snapshot ${key}`);
  if (value[0] < 1) corrupt(`format version ${value[0]} does not exist`);
  if (value[1] !== BlockKind.SNAPSHOT) corrupt(`record kind ${value[1]} is not a snapshot`);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(4, true);
  if (blockCrc(value, HEADER_BYTES, value.length) !== stored) corrupt('checksum mismatch (truncated or damaged)');
  let body: SnapshotBody;
  try {
    body = unpack(value.subarray(HEADER_BYTES)) as SnapshotBody;
  } catch (err) {
    return corrupt(`undecodable body: ${(err as Error).message}`);
  }
  if (body.seq !== key || !Number.isSafeInteger(body.eventCursor) || !body.hashes || !(body.ledger instanceof Uint8Array) || !Array.isArray(body.markets)) {
    corrupt('body does not have the snapshot fields');
  }
  return body;
}

/** Header fields of an encoded snapshot record (checks it). */
export function readSnapshotInfoFromRecord(record: Uint8Array): SnapshotInfo {
  const body = mustCheckSnapshotRecord(record, unpackSeq(record), 0);
  const { ledger: _l, markets: _m, ...info } = body;
  return info;
}

function unpackSeq(record: Uint8Array): number {
  return (unpack(record.subarray(HEADER_BYTES)) as SnapshotBody).seq;
}

/** Seqs of stored snapshots, newest first. */
export function listSnapshotSeqs(store: JournalStore): number[] {
  return [...store.snapshots.getKeys({ reverse: true })];
}

/** Header fields of a stored snapshot (checks the record, does not decompress). */
export function readSnapshotInfo(store: JournalStore, seq: number): SnapshotInfo {
  const value = store.snapshots.getBinary(seq);
  if (value === undefined) throw new Error(`no snapshot at seq ${seq}`);
  const { ledger: _l, markets: _m, ...info } = mustCheckSnapshotRecord(value, seq, 0);
  return info;
}

/** A stored snapshot, checked and decompressed. Throws JournalCorruptError / JournalVersionError. */
export async function loadSnapshot(store: JournalStore, seq: number, builder: SnapshotBuilder = new InlineBuilder()): Promise<{ info: SnapshotInfo; parts: ExchangeSnapshotParts }> {
  const value = store.snapshots.getBinary(seq);
  if (value === undefined) throw new Error(`no snapshot at seq ${seq}`);
  const body = mustCheckSnapshotRecord(value, seq, 0);
  const c = body.compression;
  const [ledger, ...markets] = await Promise.all([builder.decompress(body.ledger, c), ...body.markets.map(([, bytes]) => builder.decompress(bytes, c))]);
  const { ledger: _l, markets: _m, ...info } = body;
  return { info, parts: { ledger, markets: body.markets.map(([marketId], i) => ({ marketId, bytes: markets[i] })) } };
}
