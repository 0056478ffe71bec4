/**
 * Child process of the disk-full test (persistence/disk-full.test.ts), started
 * under `ulimit -f` so the journal's file cannot grow past a few MB: drives the
 * workload through a JournaledExchange until a group commit fails, then reports on
 * stdout (one JSON line) what it saw:
 *   acked       the highest seq the journal acknowledged (sync mode)
 *   lastSeq     the highest seq sequenced in memory
 *   failure     the JournalWriteError message
 *   codeAfter   what submit() answered after the failure
 * Usage: node dist/test/support/disk-full-child.js DATA_DIR
 */
import { Command } from '../../engine/command.js';
import { JournaledExchange } from '../../persistence/journaled-exchange.js';
import { ExchangeWorkload, workloadMarkets } from './exchange-workload.js';
import { drive, journaledOptions } from './journal-fixtures.js';

const dir = process.argv[2];
let acked = 0;
let failure: Error | undefined;
const jx = await JournaledExchange.open(
  journaledOptions(dir, {
    journal: { mode: 'sync', groupCommitMaxRecords: 500, groupCommitMaxDelayMicros: 0 },
    onDurable: (seq) => {
      acked = seq;
    },
    onFailure: (e) => {
      failure = e;
    },
  }),
);
const work = new ExchangeWorkload(77, workloadMarkets(), { initialAccounts: 20 });
for (let round = 0; round < 20_000 && failure === undefined; round++) {
  drive(jx, work, 200);
  await jx.flush().catch(() => {});
}
const cmd = new Command();
work.next(cmd, jx.state.exchange);
const codeAfter = jx.submit(cmd, Date.now() * 1000);
process.stdout.write(JSON.stringify({ acked, lastSeq: jx.lastSeq, failure: failure?.message ?? null, codeAfter }) + '\n');
process.exit(0);
