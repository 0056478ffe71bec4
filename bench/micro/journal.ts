/**
 * Micro: journal append (persistence/journal-writer.ts over LMDB). Loaded by path at
 * run time, so the micro suite runs (and says "skipped") while persistence/ is not
 * built. The `journal` benchmark (bench/journal.ts) is the full study (bursts,
 * ack latency, replay, restart); here:
 *   - appendCommand alone (encode + stage; group commit held back until the hook);
 *   - 1,000 appends + the group's durable flush, `sync` (fsync) and `async` (commit).
 * The journal lives under bench/results/ (the repository's disk) and is deleted.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Op } from '../../engine/command.js';
import { demoMarkets } from '../../engine/market-spec.js';
import type { MicroTask, MicroTopic } from './task.js';

interface WriterLike {
  appendCommand(cmd: Command): void;
  flush(): Promise<void>;
  readonly lastSeq: number;
}
interface StoreLike {
  close(): Promise<void>;
}
interface JournalModules {
  JournalStore: { open(dir: string, opts: { engine: unknown }): StoreLike };
  JournalWriter: new (store: StoreLike, opts: { mode: 'sync' | 'async'; groupCommitMaxRecords: number; groupCommitMaxDelayMicros: number }) => WriterLike;
}

const dirs: string[] = [];
const stores: StoreLike[] = [];

async function load(): Promise<JournalModules | string> {
  try {
    const store = (await import(new URL('../../persistence/journal-store.js', import.meta.url).href)) as Record<string, unknown>;
    const writer = (await import(new URL('../../persistence/journal-writer.js', import.meta.url).href)) as Record<string, unknown>;
    if (typeof store.JournalStore !== 'function' || typeof writer.JournalWriter !== 'function') return 'persistence/ has no JournalStore / JournalWriter';
    return { JournalStore: store.JournalStore, JournalWriter: writer.JournalWriter } as unknown as JournalModules;
  } catch (err) {
    return `persistence/ not loadable (${(err as Error).message.split('\n')[0]})`;
  }
}

export const journalTopic: MicroTopic = {
  async tasks() {
    const m = await load();
    if (typeof m === 'string') return { skipped: m };
    const root = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
    mkdirSync(root, { recursive: true });
    const open = (mode: 'sync' | 'async', maxRecords: number, delayMicros: number): WriterLike => {
      const dir = mkdtempSync(join(root, '.micro-journal-'));
      dirs.push(dir);
      const store = m.JournalStore.open(dir, { engine: { markets: demoMarkets(), ledger: {} } });
      stores.push(store);
      return new m.JournalWriter(store, { mode, groupCommitMaxRecords: maxRecords, groupCommitMaxDelayMicros: delayMicros });
    };
    const cmd = new Command();
    cmd.op = Op.PLACE;
    cmd.marketId = 1;
    cmd.accountId = 7;
    cmd.priceTicks = 350_000;
    cmd.sizeLots = 5;
    const appendN = (w: WriterLike, n: number): void => {
      for (let i = 0; i < n; i++) {
        cmd.seq = w.lastSeq + 1;
        cmd.orderId = cmd.seq;
        cmd.tsUs = cmd.seq;
        w.appendCommand(cmd);
      }
    };
    const staged = open('async', 1_000_000, 1_000_000);
    const sync = open('sync', 1_000, 0);
    const async = open('async', 1_000, 0);
    const tasks: MicroTask[] = [
      { name: 'journal: appendCommand (stage only)', opsPerIteration: 1000, fn: () => appendN(staged, 1000), hooks: { afterEach: () => staged.flush() } },
      {
        name: 'journal: 1,000 appends + durable flush (sync: fsync)',
        opsPerIteration: 1000,
        fn: async () => {
          appendN(sync, 1000);
          await sync.flush();
        },
      },
      {
        name: 'journal: 1,000 appends + commit (async)',
        opsPerIteration: 1000,
        fn: async () => {
          appendN(async, 1000);
          await async.flush();
        },
      },
    ];
    return tasks;
  },
  async close() {
    for (const s of stores) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  },
};
