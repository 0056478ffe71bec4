/**
 * Worker waiting strategy on this machine: round-trip latency gateway → market
 * worker → gateway through the real rings and worker thread, for several spin
 * budgets before the worker parks on Atomics.wait, and the throughput of pipelined
 * batches. The gateway side waits the way the daemon does (Atomics.waitAsync on the
 * event doorbell), so the figures include both wake-ups.
 *
 *   node dist/bench/run.js wait [--quick]
 *
 * Workload: one market (SOL-PERP), orders that rest and are cancelled again, so
 * the book stays small. Closed loop (one command in flight) for latency; batches of
 * 256 commands for throughput. Medians and p99 of the round trips.
 */
import { Command, Op } from '../engine/command.js';
import { NullSink } from '../engine/events.js';
import { demoMarkets } from '../engine/market-spec.js';
import type { EventStreamHandler } from '../engine/ring/event-codec.js';
import { OrderType, StpMode, TimeInForce } from '../engine/types.js';
import { WorkerPool } from '../gateway/runtime/worker-pool.js';
import { machineInfo } from './machine.js';

class DoneCounter extends NullSink implements EventStreamHandler {
  done = 0;
  setContext(): void {}
  onDone(): void {
    this.done++;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measure(spinIterations: number, roundTrips: number, batches: number): Promise<Record<string, number>> {
  const markets = demoMarkets().filter((m) => m.symbol === 'SOL-PERP');
  const pool = await WorkerPool.start({
    markets,
    workers: 1,
    commandRingRecords: 4096,
    eventRingRecords: 16384,
    spinIterations,
    parkTimeoutMs: 50,
    batchSize: 64,
    pinCpus: [],
    onFatal: (e) => {
      throw e;
    },
  });
  const counter = new DoneCounter();
  const cmd = new Command();
  let seq = 0;
  const send = (i: number): void => {
    cmd.reset();
    cmd.seq = ++seq;
    cmd.tsUs = seq;
    cmd.marketId = markets[0].marketId;
    cmd.accountId = 1 + (i & 7);
    if (i % 2 === 0) {
      Object.assign(cmd, { op: Op.PLACE, orderId: seq, side: 0, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, stpMode: StpMode.EXPIRE_TAKER });
      cmd.priceTicks = 140_000 + (i % 500);
      cmd.sizeLots = 1;
    } else {
      cmd.op = Op.CANCEL;
      cmd.orderId = seq - 1;
      cmd.accountId = 1 + ((i - 1) & 7);
    }
    if (!pool.push(cmd)) throw new Error('ring full in the wait benchmark');
  };
  const waitDone = async (target: number): Promise<void> => {
    while (counter.done < target) {
      if (pool.drain(counter) === 0) await pool.waitForEvents(50);
    }
  };
  // warm-up
  for (let i = 0; i < 2000; i++) {
    send(i);
    pool.flush();
    await waitDone(counter.done + 1);
  }
  // closed loop: one command in flight; an idle gap so the worker may park between
  const rtt: number[] = [];
  for (let i = 0; i < roundTrips; i++) {
    const t0 = performance.now();
    send(i);
    pool.flush();
    await waitDone(counter.done + 1);
    rtt.push((performance.now() - t0) * 1000);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1)); // let the worker go idle now and then
  }
  rtt.sort((a, b) => a - b);
  // pipelined batches
  const t0 = performance.now();
  let sent = 0;
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < 256; k++) send(sent++);
    pool.flush();
    await waitDone(counter.done + 256);
  }
  const batchSecs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  await pool.close();
  return {
    spinIterations,
    rttP50Us: Math.round(percentile(rtt, 0.5) * 10) / 10,
    rttP99Us: Math.round(percentile(rtt, 0.99) * 10) / 10,
    pipelinedCmdsPerSec: Math.round(sent / batchSecs),
    mainCpuSecs: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
  };
}

const quick = process.argv.includes('--quick');
const info = machineInfo();
process.stderr.write(`machine: ${info.cpuModel}, ${info.cores} cores, Node ${info.node}\n`);
for (const spin of [0, 1_000, 20_000, 200_000]) {
  process.stderr.write(`wait: spinIterations ${spin}…\n`);
  const r = await measure(spin, quick ? 1_000 : 5_000, quick ? 100 : 400);
  process.stdout.write(`${JSON.stringify({ bench: 'wait', ...r })}\n`);
}
