/**
 * `perpd journal inspect`: the journal in human form. One line per item, in the
 * total order (commands by seq, each followed by the events the gateway settled
 * after it), then a summary. A damaged record stops the listing with its error.
 */
import { cancelReasonName, codeName } from '../engine/codes.js';
import { Op, type Command } from '../engine/command.js';
import { EventType } from '../engine/ring/event-codec.js';
import { TimeInForce } from '../engine/types.js';
import { JournalReader, type JournalItem } from './journal-reader.js';
import { JournalStore } from './journal-store.js';
import { listSnapshotSeqs, readSnapshotInfo } from './snapshots.js';

const opNames = new Map<number, string>(Object.entries(Op).map(([k, v]) => [v, k]));
const eventNames = new Map<number, string>(Object.entries(EventType).map(([k, v]) => [v, k]));
const tifNames = new Map<number, string>(Object.entries(TimeInForce).map(([k, v]) => [v, k]));
const side = (s: number): string => (s === 0 ? 'BUY' : s === 1 ? 'SELL' : `side${s}`);

function flagText(flags: number): string {
  const f: string[] = [];
  if (flags & 1) f.push('post-only');
  if (flags & 2) f.push('reduce-only');
  return f.length ? ` ${f.join(',')}` : '';
}

function cloidText(c: Command): string {
  return c.hasCloid() ? ` cloid=${[c.cloid0, c.cloid1, c.cloid2, c.cloid3].map((w) => (w >>> 0).toString(16)).join(':')}` : '';
}

export function formatCommand(c: Command): string {
  const head = `seq ${String(c.seq).padStart(8)}  ${new Date(Math.floor(c.tsUs / 1000)).toISOString()}  ${(opNames.get(c.op) ?? `op${c.op}`).padEnd(17)}`;
  switch (c.op) {
    case Op.CREATE_ACCOUNT:
      return `${head} account ${c.accountId}`;
    case Op.DEPOSIT:
    case Op.WITHDRAW:
      return `${head} account ${c.accountId} amount ${c.amount} micros`;
    case Op.SET_LEVERAGE:
      return `${head} account ${c.accountId} market ${c.marketId} leverage ${c.amount}x`;
    case Op.SET_STP_DEFAULT:
      return `${head} account ${c.accountId} stp ${c.stpMode}`;
    case Op.PLACE: {
      const type = c.orderType === 1 ? 'MARKET' : `LIMIT @ ${c.priceTicks}`;
      const trig = c.triggerKind ? ` ${c.triggerKind === 1 ? 'STOP' : 'TAKE_PROFIT'} @ ${c.triggerPriceTicks}${c.ocoOrderId ? ` oco #${c.ocoOrderId}` : ''}` : '';
      return `${head} market ${c.marketId} account ${c.accountId} #${c.orderId} ${side(c.side)} ${c.sizeLots} ${type} ${tifNames.get(c.tif) ?? c.tif}${flagText(c.flags)}${trig} stp ${c.stpMode} held ${c.preheldLots}${cloidText(c)}`;
    }
    case Op.CANCEL:
      return `${head} market ${c.marketId} account ${c.accountId} #${c.orderId}`;
    case Op.CANCEL_BY_CLOID:
      return `${head} market ${c.marketId} account ${c.accountId}${cloidText(c)}`;
    case Op.CANCEL_ALL:
      return `${head} ${c.value === 1 ? 'all markets' : `market ${c.marketId}`} account ${c.accountId}`;
    case Op.MODIFY:
      return `${head} market ${c.marketId} account ${c.accountId} #${c.orderId} ${side(c.side)} -> ${c.sizeLots === 0 ? 'same size' : c.sizeLots} @ ${c.priceTicks} held ${c.preheldLots}`;
    case Op.SET_MARK_PRICE:
      return `${head} market ${c.marketId} mark ${c.value}`;
    case Op.SET_MARKET_STATUS:
      return `${head} market ${c.marketId} status ${c.value === 1 ? 'HALTED' : c.value === 0 ? 'ACTIVE' : c.value}`;
    default:
      return `${head} market ${c.marketId} account ${c.accountId}`;
  }
}

/** One 14-slot event record (engine/ring/event-codec.ts). */
export function formatEvent(r: Float64Array): string {
  const a = 3;
  const name = (eventNames.get(r[0]) ?? `type${r[0]}`).padEnd(7);
  const head = `${name} market ${r[1]} (cause seq ${r[2]})`;
  switch (r[0]) {
    case EventType.REJECT:
      return `${head} #${r[a + 1]} account ${r[a + 2]} ${codeName(r[a + 3])} released ${r[a + 5]}`;
    case EventType.FILL:
      return `${head} ${r[a + 6]} @ ${r[a + 5]}: taker #${r[a + 2]} (account ${r[a + 3]}, ${side(r[a + 4])}, ${r[a + 8]} left) maker #${r[a]} (account ${r[a + 1]}, ${r[a + 7]} left)`;
    case EventType.CANCEL:
      return `${head} #${r[a]} account ${r[a + 1]} ${side(r[a + 2])} ${r[a + 3]} lots ${cancelReasonName(r[a + 4])}`;
    case EventType.MODIFY:
      return `${head} #${r[a]} account ${r[a + 1]} ${r[a + 4]} -> ${r[a + 5]} lots @ ${r[a + 3]}${r[a + 8] ? ' requeued' : ''}`;
    case EventType.REDUCE:
      return `${head} #${r[a]} account ${r[a + 1]} ${r[a + 3]} -> ${r[a + 4]} lots`;
    case EventType.TRIGGER:
      return `${head} #${r[a]} account ${r[a + 1]} fired at mark ${r[a + 2]}`;
    default:
      return `${head} [${Array.from(r.subarray(a)).join(', ')}]`;
  }
}

export function formatItem(item: JournalItem): string {
  if (item.kind === 'command') return formatCommand(item.cmd);
  if (item.kind === 'event') return `    event ${String(item.cursor).padStart(8)}  ${formatEvent(item.record)}`;
  return `    event ${String(item.cursor).padStart(8)}  R1_EFFECT ${codeName(item.code)} for ${formatCommand(item.cmd).replace(/^seq +0 +\S+ +/, '')}`;
}

export interface InspectOptions {
  /** First seq to list (default: the first in the journal). */
  fromSeq?: number;
  /** Most items (commands and events) to print (default 50). */
  limit?: number;
}

/** Writes the listing with `out` (a line at a time); returns false when a damaged record stopped it. */
export function inspectJournal(store: JournalStore, opts: InspectOptions, out: (line: string) => void): boolean {
  const reader = new JournalReader(store);
  const first = reader.firstSeq();
  const last = reader.lastSeq();
  const snapshots = listSnapshotSeqs(store);
  out(`journal ${store.path}: format v${store.info.formatVersion}, ${store.info.engine.markets.length} markets (${store.info.engine.markets.map((m) => m.symbol).join(', ')})`);
  out(`  commands: seq ${first}..${last}; events: cursor ${reader.firstEventCursor()}..${reader.lastEventCursor()}; ` + `snapshots: ${snapshots.length ? snapshots.join(', ') : 'none'}; published hashes: ${store.hashes.getKeysCount()}`);
  for (const seq of snapshots.slice(0, 3)) {
    try {
      const info = readSnapshotInfo(store, seq);
      out(`  snapshot ${seq}: event cursor ${info.eventCursor}, hash ${info.hashes.exchange}, ${info.rawBytes} bytes raw (${info.compression})`);
    } catch (err) {
      out(`  snapshot ${seq}: DAMAGED: ${(err as Error).message}`);
    }
  }
  const fromSeq = Math.max(opts.fromSeq ?? first, first, 1);
  const limit = opts.limit ?? 50;
  // Start right before command fromSeq: after the last event settled before it (a scan of the event log).
  let afterCursor = reader.firstEventCursor() - 1;
  if (afterCursor < 0) afterCursor = 0;
  if (fromSeq > first) {
    for (const e of reader.events(afterCursor + 1)) {
      if (e.afterSeq >= fromSeq) break;
      afterCursor = e.cursor;
    }
  }
  let n = 0;
  try {
    for (const item of reader.totalOrder(fromSeq - 1, afterCursor)) {
      if (n++ >= limit) {
        out(`  … (--limit ${limit} reached; --from ${item.kind === 'command' ? item.seq : fromSeq} --limit N shows more)`);
        break;
      }
      out(formatItem(item));
    }
  } catch (err) {
    out(`STOPPED: ${(err as Error).message}`);
    return false;
  }
  return true;
}
