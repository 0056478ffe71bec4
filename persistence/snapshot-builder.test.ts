/**
 * The background snapshot builder: a state-hash cut skips compression but hashes the
 * same, and the piscina thread runs below the gateway's priority (Linux).
 */
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createFastMarket } from '../engine/book/fast-market.js';
import { Code } from '../engine/codes.js';
import { Command, Op } from '../engine/command.js';
import { Exchange } from '../engine/exchange.js';
import { snapshotExchange } from '../engine/exchange-snapshot.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { InlineBuilder, PiscinaBuilder } from './snapshot-builder.js';
import { SNAPSHOT_THREAD_NICE } from './snapshot-worker.js';

const engine = { markets: workloadMarkets(), ledger: { defaultLeverage: 20, maxAccounts: 10_000 } };

/** A state with some accounts and resting orders, as snapshot parts. */
function someParts(): { ledger: Uint8Array; markets: { marketId: number; bytes: Uint8Array }[]; exchangeHash: string } {
  const ex = new Exchange({ markets: engine.markets, createMarket: createFastMarket, ledgerOptions: engine.ledger });
  const work = new ExchangeWorkload(5, workloadMarkets());
  const cmd = new Command();
  let seq = 0;
  for (let i = 0; i < 2_000; i++) {
    work.next(cmd, ex);
    if (ex.ledger.tryPreTrade(cmd) !== Code.OK) continue;
    cmd.seq = ++seq;
    cmd.tsUs = 1_000 * (i + 1);
    if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
    ex.route(cmd);
  }
  const snap = snapshotExchange(ex);
  return { ledger: snap.ledger, markets: snap.markets, exchangeHash: ex.hashes().exchange };
}

describe('snapshot builder', () => {
  it('a hash-only build leaves the parts uncompressed and gives the same hashes as a full build', async () => {
    const parts = someParts();
    const captured = { ledger: parts.ledger, markets: parts.markets };
    const builder = new InlineBuilder(true);
    const full = await builder.build(engine, captured);
    const hashOnly = await builder.build(engine, captured, { hashOnly: true });
    assert.equal(full.compression, 'deflate-raw');
    assert.equal(hashOnly.compression, 'none');
    assert.deepEqual(hashOnly.hashes, full.hashes);
    assert.equal(full.hashes.exchange, parts.exchangeHash, 'the hash is the live state\'s');
    assert.deepEqual(hashOnly.ledger, parts.ledger, 'uncompressed: the bytes as captured');
  });

  it('the piscina thread builds the same, hash-only uncompressed', async () => {
    const parts = someParts();
    const pool = new PiscinaBuilder();
    try {
      const built = await pool.build(engine, { ledger: parts.ledger, markets: parts.markets }, { hashOnly: true });
      assert.equal(built.compression, 'none');
      assert.equal(built.hashes.exchange, parts.exchangeHash);
    } finally {
      await pool.close();
    }
  });

  it('the snapshot thread lowers its own scheduling priority, not the process\'s', { skip: process.platform !== 'linux' }, async () => {
    const before = getPriority();
    const url = new URL('./snapshot-worker.js', import.meta.url).href;
    const code = `
      import { readlinkSync } from 'node:fs';
      import { getPriority } from 'node:os';
      import { parentPort } from 'node:worker_threads';
      await import(${JSON.stringify(url)});
      const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
      parentPort.postMessage(getPriority(tid));`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    const nice = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(nice, Math.max(before, SNAPSHOT_THREAD_NICE), 'the worker thread runs at the lower priority');
    assert.equal(getPriority(), before, 'the main thread (the gateway) is untouched');
  });
});
