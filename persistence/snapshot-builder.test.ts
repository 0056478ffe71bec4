/**
 * The background snapshot builder: a state-hash cut hashes the captured images as
 * they are (no encode / restore) and gets exactly the live state's hashes, and the
 * piscina thread runs below the gateway's priority (Linux).
 */
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createFastMarket } from '../engine/book/fast-market.js';
import { Code } from '../engine/codes.js';
import { Command, Op } from '../engine/command.js';
import { Exchange } from '../engine/exchange.js';
import { marketImageHash } from '../engine/book/fast-market-inspect.js';
import { captureFastMarketImage } from '../engine/book/fast-market-snapshot.js';
import type { FastMarket } from '../engine/book/fast-market.js';
import { ExchangeWorkload, workloadMarkets } from '../test/support/exchange-workload.js';
import { InlineBuilder, PiscinaBuilder } from './snapshot-builder.js';
import { hashCapturedParts, SNAPSHOT_THREAD_NICE } from './snapshot-worker.js';

const engine = { markets: workloadMarkets(), ledger: { defaultLeverage: 20, maxAccounts: 10_000 } };

/** A state with some accounts, resting orders and triggers. */
function someState(): { ex: Exchange } {
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
  return { ex };
}

/** The live exchange's parts as a cut captures them: market images (array copies) and the ledger's bytes. */
function captured(ex: Exchange): { ledger: Uint8Array; markets: { marketId: number; image: ReturnType<typeof captureFastMarketImage> }[] } {
  return { ledger: ex.ledger.snapshot(), markets: ex.markets.map((m) => ({ marketId: m.spec.marketId, image: captureFastMarketImage(m as FastMarket) })) };
}

describe('snapshot builder', () => {
  it('an image hashes exactly as its live market, at 25 points of 3 seeded workloads (triggers, OCO, cloids, positions)', () => {
    for (const seed of [1, 2, 3]) {
      const ex = new Exchange({ markets: engine.markets, createMarket: createFastMarket, ledgerOptions: engine.ledger });
      const work = new ExchangeWorkload(seed, workloadMarkets());
      const cmd = new Command();
      let seq = 0;
      for (let i = 1; i <= 5_000; i++) {
        work.next(cmd, ex);
        if (ex.ledger.tryPreTrade(cmd) === Code.OK) {
          cmd.seq = ++seq;
          cmd.tsUs = 1_000 * i;
          if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
          ex.route(cmd);
        }
        if (i % 200 !== 0) continue;
        for (const m of ex.markets) assert.equal(marketImageHash(captureFastMarketImage(m as FastMarket)), m.stateHash(), `seed ${seed}, command ${i}, market ${m.spec.marketId}`);
        assert.equal(hashCapturedParts(engine, captured(ex)).exchange, ex.hashes().exchange);
      }
    }
  });

  it('hash() gives the hashes of a full build, inline and on the piscina thread, without encoding anything', async () => {
    const { ex } = someState();
    const live = ex.hashes();
    const inline = new InlineBuilder(true);
    assert.deepEqual(await inline.hash(engine, captured(ex)), live);
    const full = await inline.build(engine, captured(ex));
    assert.deepEqual(full.hashes, live, 'the full build (encode, restore, hash) agrees');
    assert.equal(full.compression, 'deflate-raw');
    const pool = new PiscinaBuilder();
    try {
      assert.deepEqual(await pool.hash(engine, captured(ex)), live);
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
