/**
 * The journal's LMDB environment: `<dataDir>/journal/`, one environment with five
 * named databases (one file, one transaction covers them all):
 *
 *   meta       msgpack   'format' → JournalMeta (format version, engine configuration)
 *   commands   binary    first seq (number key)    → COMMAND_BLOCK (records.ts): one per group commit
 *   events     binary    first cursor (number key) → EVENT_BLOCK: MARKET_EVENT / R1_EFFECT records
 *   hashes     msgpack   seq                       → StateHashRecord (published state hashes)
 *   snapshots  binary    seq                       → snapshot record (snapshot-codec.ts)
 *
 * Keys are plain numbers in lmdb-js's default ordered-binary encoding (ordered as
 * numbers, any safe integer). Only this module opens the environment.
 *
 * Open options: `separateFlushed` (a commit promise carries a second promise for the
 * fsync), `eventTurnBatching: false` (a group commit is exactly one explicit
 * `batch()`, see journal-writer.ts), `overlappingSync` left at lmdb-js's default
 * (on, except Windows): the fsync of commit N overlaps commit N+1.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { LedgerOptions } from '../engine/ledger/ledger-state.js';
import type { MarketSpec } from '../engine/market-spec.js';
import { JOURNAL_FORMAT_VERSION, JournalVersionError } from './records.js';

/** What the engine state is a function of, besides the journal: replay needs the same. */
export interface EngineConfig {
  markets: MarketSpec[];
  ledger: LedgerOptions;
}

export interface JournalMeta {
  formatVersion: number;
  engine: EngineConfig;
  createdBy: string;
}

export interface StateHashRecord {
  /** Position in the total order: after command `seq` and event-log record `eventCursor`. */
  seq: number;
  eventCursor: number;
  exchange: string;
  ledger: string;
  markets: { marketId: number; hash: string }[];
}

export class JournalConfigMismatchError extends Error {
  readonly code = 'PERPD_JOURNAL_CONFIG_MISMATCH';
  constructor(detail: string) {
    super(
      `the journal was written with a different engine configuration (${detail}). Replaying it under this configuration would not rebuild the same state: ` +
        'start with the configuration it was written with, or point --data-dir at a fresh directory.',
    );
    this.name = 'JournalConfigMismatchError';
  }
}

export interface OpenJournalStoreOptions {
  /** Open without write access (inspection tools). The journal must exist. */
  readOnly?: boolean;
  /** Engine configuration: written on first open, compared afterwards. Omit to accept whatever the journal says (tools). */
  engine?: EngineConfig;
  /** Written into the meta record on creation. */
  createdBy?: string;
}

export function journalPath(dataDir: string): string {
  return join(dataDir, 'journal');
}

/** Canonical JSON of the configuration (sorted keys) for comparisons. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class JournalStore {
  readonly root: RootDatabase;
  readonly meta: Database<JournalMeta, string>;
  readonly commands: Database<Buffer, number>;
  readonly events: Database<Buffer, number>;
  readonly hashes: Database<StateHashRecord, number>;
  readonly snapshots: Database<Buffer, number>;
  readonly path: string;
  readonly readOnly: boolean;
  #info: JournalMeta;

  private constructor(path: string, readOnly: boolean) {
    this.path = path;
    this.readOnly = readOnly;
    this.root = open({ path, separateFlushed: true, eventTurnBatching: false, maxDbs: 8, readOnly });
    this.meta = this.root.openDB<JournalMeta, string>({ name: 'meta', encoding: 'msgpack' });
    this.commands = this.root.openDB<Buffer, number>({ name: 'commands', encoding: 'binary' });
    this.events = this.root.openDB<Buffer, number>({ name: 'events', encoding: 'binary' });
    this.hashes = this.root.openDB<StateHashRecord, number>({ name: 'hashes', encoding: 'msgpack' });
    this.snapshots = this.root.openDB<Buffer, number>({ name: 'snapshots', encoding: 'binary' });
    this.#info = { formatVersion: JOURNAL_FORMAT_VERSION, engine: { markets: [], ledger: {} }, createdBy: '' };
  }

  /**
   * Opens (creating unless readOnly) the journal under `dataDir`. Refuses a journal of
   * a newer format (JournalVersionError) or, when `engine` is given, one written with
   * a different engine configuration (JournalConfigMismatchError).
   */
  static open(dataDir: string, opts: OpenJournalStoreOptions = {}): JournalStore {
    const path = journalPath(dataDir);
    if (!opts.readOnly) mkdirSync(path, { recursive: true });
    const store = new JournalStore(path, opts.readOnly ?? false);
    try {
      store.#loadMeta(opts);
    } catch (err) {
      void store.root.close();
      throw err;
    }
    return store;
  }

  #loadMeta(opts: OpenJournalStoreOptions): void {
    const found = this.meta.get('format');
    if (found === undefined) {
      if (this.readOnly) throw new Error(`no journal at ${this.path} (it has no meta record)`);
      if (!opts.engine) throw new Error(`${this.path}: a new journal needs the engine configuration`);
      const meta: JournalMeta = { formatVersion: JOURNAL_FORMAT_VERSION, engine: opts.engine, createdBy: opts.createdBy ?? 'perpd' };
      this.meta.putSync('format', meta);
      this.#info = meta;
      return;
    }
    if (typeof found.formatVersion !== 'number' || found.formatVersion > JOURNAL_FORMAT_VERSION) {
      throw new JournalVersionError(Number(found.formatVersion), `the journal at ${this.path}`);
    }
    if (opts.engine) {
      const mine = canonicalJson(opts.engine.markets);
      const theirs = canonicalJson(found.engine.markets);
      if (mine !== theirs) throw new JournalConfigMismatchError('market specs differ');
      const ledgerMine = canonicalJson(opts.engine.ledger);
      const ledgerTheirs = canonicalJson(found.engine.ledger);
      if (ledgerMine !== ledgerTheirs) throw new JournalConfigMismatchError(`ledger options ${ledgerTheirs} in the journal, ${ledgerMine} now`);
    }
    this.#info = found;
  }

  get info(): JournalMeta {
    return this.#info;
  }

  /** Highest key of a log, or 0 when it is empty. */
  static lastKey(db: Database<unknown, number>): number {
    for (const key of db.getKeys({ reverse: true, limit: 1 })) return key;
    return 0;
  }

  /** Lowest key of a log, or 0 when it is empty. */
  static firstKey(db: Database<unknown, number>): number {
    for (const key of db.getKeys({ limit: 1 })) return key;
    return 0;
  }

  /** Last key covered by a log of blocks: the last block's key + its record count − 1 (0 when empty). Unverified. */
  static lastCovered(db: Database<Buffer, number>): number {
    for (const { key, value } of db.getRange({ reverse: true, limit: 1 })) {
      const count = value.length >= 12 ? value.readUInt32LE(8) : 1;
      return key + Math.max(1, count) - 1;
    }
    return 0;
  }

  lastSeq(): number {
    return JournalStore.lastCovered(this.commands);
  }

  lastEventCursor(): number {
    return JournalStore.lastCovered(this.events);
  }

  /** Flushes and closes the environment. */
  async close(): Promise<void> {
    await this.root.close();
  }
}
