/**
 * Byte layouts of the journal (docs/durability.md, "Record layouts").
 *
 * Each group commit writes at most one BLOCK per log: the commands it carries,
 * keyed by the seq of the first one, and the event-log records it carries, keyed by
 * the cursor of the first one. A seq (cursor) is found in the block with the largest
 * key ≤ it. One LMDB put and one checksum per block, so the cost per record is an
 * encode and a memcpy: durability costs per batch, not per order (measured in
 * bench/journal.ts: one put per record cost ~0.8 µs of gateway-thread time, a block
 * ~0.05 µs per record).
 *
 * Block layout, little-endian:
 *
 *   offset 0  u8   format version (1)
 *          1  u8   kind: 1 = COMMAND_BLOCK, 2 = EVENT_BLOCK
 *          2  u16  0
 *          4  u32  CRC-32 (zlib polynomial) of bytes [0, 4) then bytes [8, end)
 *          8  u32  record count (≥ 1)
 *         12  u32  body length in bytes (= total − 16)
 *         16  …    records, back to back, all IEEE-754 doubles (every field is a
 *                  safe integer or a 32-bit word, so a double holds it exactly)
 *
 *   COMMAND_BLOCK record (144 B): the 18-slot command record of
 *     engine/ring/command-codec.ts; slot 1 = seq, consecutive from the block's key.
 *   EVENT_BLOCK record, cursors consecutive from the block's key:
 *     f64 kind, f64 afterSeq, then by kind
 *       2 MARKET_EVENT (128 B in all): the 14-slot event record of
 *         engine/ring/event-codec.ts (type, marketId, causeSeq, 11 arguments)
 *       3 R1_EFFECT    (168 B in all): f64 code, then the 18-slot record of a
 *         command R1 refused but that changed the ledger (demo accounts)
 *
 * `afterSeq` places an event-log record in the total order: the gateway applied it
 * after command `afterSeq` and before command `afterSeq + 1`.
 *
 * Reading checks, in order: length ≥ 16, version known (newer → JournalVersionError,
 * older → its own decoder), kind, body length = total − 16, CRC, then every record's
 * kind and the consecutive keys. Any failure is a JournalCorruptError naming the
 * block and the last good seq / cursor before it.
 */
import { crc32 } from 'node:zlib';
import { endianness } from 'node:os';
import { COMMAND_RECORD_LENGTH } from '../engine/ring/command-codec.js';
import { EVENT_RECORD_LENGTH, EventType } from '../engine/ring/event-codec.js';

if (endianness() !== 'LE') throw new Error('perpd journal: blocks are little-endian and are built through native Float64Arrays; big-endian hosts are not supported');

export const JOURNAL_FORMAT_VERSION = 1;
/** Oldest version this build still reads. */
export const JOURNAL_OLDEST_READABLE_VERSION = 1;

export const BlockKind = {
  COMMAND_BLOCK: 1,
  EVENT_BLOCK: 2,
  SNAPSHOT: 4,
} as const;

/** Kinds of records inside an EVENT_BLOCK (slot 0 of each). */
export const EventRecordKind = {
  MARKET_EVENT: 2,
  R1_EFFECT: 3,
} as const;

export const BLOCK_HEADER_BYTES = 16;
export const SNAPSHOT_HEADER_BYTES = 8;
/** Doubles per record. */
export const COMMAND_SLOTS = COMMAND_RECORD_LENGTH; // 18
export const MARKET_EVENT_SLOTS = 2 + EVENT_RECORD_LENGTH; // 16
export const R1_EFFECT_SLOTS = 3 + COMMAND_RECORD_LENGTH; // 21

/**
 * Market events that go to the journal: everything except book and market-data
 * events (ACCEPT, REST, LEVEL, MARK, DONE), which replay regenerates from the
 * commands. The ledger's settlement (R2) acts only on REJECT, FILL, CANCEL and
 * MODIFY, so the journaled stream is a complete record of the ledger's inputs.
 */
export function isJournaledEventType(type: number): boolean {
  return (
    type === EventType.REJECT || type === EventType.FILL || type === EventType.CANCEL || type === EventType.MODIFY || type === EventType.REDUCE || type === EventType.TRIGGER
  );
}

export type JournalLog = 'commands' | 'events' | 'snapshots';

/** A block or record that failed its checks; `key` is where, `lastGoodKey` the last record before it that passed. */
export class JournalCorruptError extends Error {
  readonly code = 'PERPD_JOURNAL_CORRUPT';
  constructor(
    readonly log: JournalLog,
    readonly key: number,
    readonly lastGoodKey: number,
    readonly reason: string,
  ) {
    const what = log === 'commands' ? 'seq' : log === 'events' ? 'event cursor' : 'snapshot';
    super(
      `journal ${log} block ${key} is unusable: ${reason}. Last good ${what}: ${lastGoodKey}. ` +
        `Nothing after it was applied; restore the data directory from a backup, or truncate the journal after ${what} ${lastGoodKey} to start from there.`,
    );
    this.name = 'JournalCorruptError';
  }
}

/** Written by a newer perpd than this one. */
export class JournalVersionError extends Error {
  readonly code = 'PERPD_JOURNAL_VERSION';
  constructor(
    readonly found: number,
    readonly where: string,
  ) {
    super(
      `${where} has journal format version ${found}; this perpd reads versions ${JOURNAL_OLDEST_READABLE_VERSION}..${JOURNAL_FORMAT_VERSION}. ` +
        `It was written by a newer perpd: run that version (or newer) on this data directory.`,
    );
    this.name = 'JournalVersionError';
  }
}

const headerScratch = new Uint8Array(4);

/** CRC of bytes [0, 4) then [`from`, `end`) of a block or snapshot record. */
export function blockCrc(bytes: Uint8Array, from: number, end: number): number {
  headerScratch[0] = bytes[0];
  headerScratch[1] = bytes[1];
  headerScratch[2] = bytes[2];
  headerScratch[3] = bytes[3];
  return crc32(bytes.subarray(from, end), crc32(headerScratch));
}

/** Fills in the header of a block whose records occupy bytes [16, total). */
export function sealBlock(bytes: Uint8Array, kind: number, count: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  bytes[0] = JOURNAL_FORMAT_VERSION;
  bytes[1] = kind;
  view.setUint16(2, 0, true);
  view.setUint32(8, count, true);
  view.setUint32(12, bytes.byteLength - BLOCK_HEADER_BYTES, true);
  view.setUint32(4, blockCrc(bytes, 8, bytes.byteLength), true);
}

/**
 * Checks a stored block (header, length, CRC) and returns its records as an aligned
 * Float64Array (a copy: LMDB hands out unaligned buffers) and the record count.
 */
export function mustCheckBlock(value: Uint8Array, log: 'commands' | 'events', key: number, lastGoodKey: number): { body: Float64Array; count: number } {
  const corrupt = (reason: string): never => {
    throw new JournalCorruptError(log, key, lastGoodKey, reason);
  };
  if (value.length < BLOCK_HEADER_BYTES) corrupt(`truncated: ${value.length} bytes, shorter than the 16-byte header`);
  const version = value[0];
  if (version > JOURNAL_FORMAT_VERSION) throw new JournalVersionError(version, `journal ${log} block ${key}`);
  if (version < JOURNAL_OLDEST_READABLE_VERSION) corrupt(`format version ${version} does not exist`);
  const expectedKind = log === 'commands' ? BlockKind.COMMAND_BLOCK : BlockKind.EVENT_BLOCK;
  if (value[1] !== expectedKind) corrupt(`block kind ${value[1]} does not belong in the ${log} log`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const count = view.getUint32(8, true);
  const bodyBytes = view.getUint32(12, true);
  if (value.length < BLOCK_HEADER_BYTES + bodyBytes) corrupt(`truncated: ${value.length} bytes of ${BLOCK_HEADER_BYTES + bodyBytes}`);
  if (value.length > BLOCK_HEADER_BYTES + bodyBytes) corrupt(`${value.length - BLOCK_HEADER_BYTES - bodyBytes} bytes past the end of the block`);
  if (count < 1 || bodyBytes % 8 !== 0) corrupt(`header says ${count} records in ${bodyBytes} bytes`);
  if (blockCrc(value, 8, value.length) !== view.getUint32(4, true)) corrupt('checksum mismatch');
  const body = new Float64Array(bodyBytes / 8);
  new Uint8Array(body.buffer).set(value.subarray(BLOCK_HEADER_BYTES));
  return { body, count };
}
