/**
 * Verified reads of the journal: every record's header, length and CRC are checked
 * (records.ts), command seqs and event cursors must be consecutive, and the two logs
 * must interleave consistently. The first problem throws a JournalCorruptError that
 * names the bad key and the last good one; nothing is ever skipped silently.
 *
 * The total order (docs/durability.md, "Determinism model"): command `s`, then every
 * event-log record whose afterSeq is `s` (in cursor order), then command `s + 1`.
 */
import { Command } from '../engine/command.js';
import { decodeCommand } from '../engine/ring/command-codec.js';
import { EVENT_RECORD_LENGTH } from '../engine/ring/event-codec.js';
import { JournalStore } from './journal-store.js';
import { COMMAND_SLOTS, EventRecordKind, JournalCorruptError, MARKET_EVENT_SLOTS, mustCheckBlock, R1_EFFECT_SLOTS } from './records.js';

export interface CommandItem {
  kind: 'command';
  seq: number;
  /** Reused between items: copy it to keep it. */
  cmd: Command;
}

export interface MarketEventItem {
  kind: 'event';
  cursor: number;
  afterSeq: number;
  /** The 14-slot event record (engine/ring/event-codec.ts), reused between items. */
  record: Float64Array;
}

export interface R1EffectItem {
  kind: 'r1-effect';
  cursor: number;
  afterSeq: number;
  code: number;
  /** Reused between items. */
  cmd: Command;
}

export type EventLogItem = MarketEventItem | R1EffectItem;
export type JournalItem = CommandItem | EventLogItem;

/** Key of the block holding `key` (the largest block key ≤ it), or `key` itself when there is none. */
function blockKeyFor(db: JournalStore['commands'], key: number): number {
  for (const k of db.getKeys({ start: key, reverse: true, limit: 1 })) return k;
  return key;
}

export class JournalReader {
  readonly store: JournalStore;

  constructor(store: JournalStore) {
    this.store = store;
  }

  /**
   * Commands from `fromSeq` on (up to `toSeq` inclusive), verified and consecutive.
   * The log must hold `fromSeq`, or have nothing at or after it.
   */
  *commands(fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER): Generator<CommandItem> {
    const item: CommandItem = { kind: 'command', seq: 0, cmd: new Command() };
    const db = this.store.commands;
    let expected = blockKeyFor(db, fromSeq);
    let first = true;
    for (const { key, value } of db.getRange({ start: expected, end: toSeq + 1 })) {
      if (key !== expected) {
        const reason = first ? `the log starts at seq ${key}, not ${fromSeq} (pruned past this point?)` : `seq ${expected} is missing (gap)`;
        throw new JournalCorruptError('commands', key, expected - 1, reason);
      }
      const { body, count } = mustCheckBlock(value, 'commands', key, expected - 1);
      if (body.length !== count * COMMAND_SLOTS) throw new JournalCorruptError('commands', key, expected - 1, `${body.length * 8} bytes do not hold ${count} commands`);
      for (let i = 0; i < count; i++) {
        const seq = key + i;
        if (body[i * COMMAND_SLOTS + 1] !== seq) throw new JournalCorruptError('commands', key, expected - 1, `record ${i} holds seq ${body[i * COMMAND_SLOTS + 1]}, not ${seq}`);
      }
      for (let i = 0; i < count; i++) {
        const seq = key + i;
        if (seq < fromSeq) continue;
        if (seq > toSeq) return;
        decodeCommand(body, i * COMMAND_SLOTS, item.cmd);
        item.seq = seq;
        yield item;
      }
      first = false;
      expected = key + count;
    }
  }

  /** Event-log records from `fromCursor` on (up to `toCursor`), verified and consecutive, afterSeq never decreasing. */
  *events(fromCursor: number, toCursor = Number.MAX_SAFE_INTEGER): Generator<EventLogItem> {
    const ev: MarketEventItem = { kind: 'event', cursor: 0, afterSeq: 0, record: new Float64Array(EVENT_RECORD_LENGTH) };
    const r1: R1EffectItem = { kind: 'r1-effect', cursor: 0, afterSeq: 0, code: 0, cmd: new Command() };
    const db = this.store.events;
    let expected = blockKeyFor(db, fromCursor);
    let first = true;
    let lastAfterSeq = 0;
    for (const { key, value } of db.getRange({ start: expected, end: toCursor + 1 })) {
      if (key !== expected) {
        const reason = first ? `the log starts at cursor ${key}, not ${fromCursor} (pruned past this point?)` : `cursor ${expected} is missing (gap)`;
        throw new JournalCorruptError('events', key, expected - 1, reason);
      }
      const { body, count } = mustCheckBlock(value, 'events', key, expected - 1);
      // Check the whole block before yielding any of it.
      const offsets = new Int32Array(count);
      let o = 0;
      for (let i = 0; i < count; i++) {
        if (o + 2 > body.length) throw new JournalCorruptError('events', key, expected - 1, `record ${i} runs past the block`);
        offsets[i] = o;
        const kind = body[o];
        const afterSeq = body[o + 1];
        if (!Number.isSafeInteger(afterSeq) || afterSeq < lastAfterSeq) throw new JournalCorruptError('events', key, expected - 1, `record ${i}: afterSeq ${afterSeq} goes back from ${lastAfterSeq}`);
        lastAfterSeq = afterSeq;
        if (kind === EventRecordKind.MARKET_EVENT) o += MARKET_EVENT_SLOTS;
        else if (kind === EventRecordKind.R1_EFFECT) o += R1_EFFECT_SLOTS;
        else throw new JournalCorruptError('events', key, expected - 1, `record ${i} has kind ${kind}`);
      }
      if (o !== body.length) throw new JournalCorruptError('events', key, expected - 1, `${(body.length - o) * 8} bytes after the last of ${count} records`);
      for (let i = 0; i < count; i++) {
        const cursor = key + i;
        if (cursor < fromCursor) continue;
        if (cursor > toCursor) return;
        const at = offsets[i];
        if (body[at] === EventRecordKind.MARKET_EVENT) {
          ev.cursor = cursor;
          ev.afterSeq = body[at + 1];
          ev.record.set(body.subarray(at + 2, at + MARKET_EVENT_SLOTS));
          yield ev;
        } else {
          r1.cursor = cursor;
          r1.afterSeq = body[at + 1];
          r1.code = body[at + 2];
          decodeCommand(body, at + 3, r1.cmd);
          yield r1;
        }
      }
      first = false;
      expected = key + count;
    }
  }

  /**
   * Both logs merged into the total order, starting right after the cut
   * (`afterSeq`, `afterCursor`): commands from afterSeq + 1, event-log records from
   * afterCursor + 1. Items are reused objects: consume each before the next.
   */
  *totalOrder(afterSeq: number, afterCursor: number): Generator<JournalItem> {
    const commands = this.commands(afterSeq + 1);
    let next = commands.next();
    let lastSeq = afterSeq;
    for (const e of this.events(afterCursor + 1)) {
      if (e.afterSeq < afterSeq) {
        throw new JournalCorruptError('events', e.cursor, e.cursor - 1, `afterSeq ${e.afterSeq} lies before the cut at seq ${afterSeq}`);
      }
      while (!next.done && next.value.seq <= e.afterSeq) {
        lastSeq = next.value.seq;
        yield next.value;
        next = commands.next();
      }
      if (e.afterSeq > lastSeq) {
        throw new JournalCorruptError('events', e.cursor, e.cursor - 1, `it follows seq ${e.afterSeq}, but the commands log ends at seq ${lastSeq}`);
      }
      yield e;
    }
    while (!next.done) {
      yield next.value;
      next = commands.next();
    }
  }

  lastSeq(): number {
    return this.store.lastSeq();
  }

  lastEventCursor(): number {
    return this.store.lastEventCursor();
  }

  /** First seq the log holds (the first block's key), 0 when empty. */
  firstSeq(): number {
    return JournalStore.firstKey(this.store.commands);
  }

  firstEventCursor(): number {
    return JournalStore.firstKey(this.store.events);
  }
}
