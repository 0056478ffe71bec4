/**
 * A load generator process (forked by bench/e2e.ts, driven over IPC; messages in
 * ./protocol.ts). It holds N connections (one demo account each), plans and
 * pre-encodes each step's ops before the step starts, runs the open-loop schedule
 * (./pacer.ts) and answers with its histograms, counters and its own CPU use.
 *
 *   connect  → connected   open and log in every connection
 *   prepare  → prepared    plan + encode the next step (untimed)
 *   go       → result      run it; then measured ops still unanswered count at the drain end
 *   close                  close the sockets and exit
 */
import { performance } from 'node:perf_hooks';
import { generateEd25519KeyPair } from '../../gateway/binary/auth.js';
import { LoadConnection } from './load-connection.js';
import { runSchedule } from './pacer.js';
import type { GeneratorRequest, GeneratorReply } from './protocol.js';
import { StepRecorder } from './recorder.js';
import { encodeStep, type StepFrames } from './step-frames.js';
import { ConnectionPlanner } from './workload.js';

let conns: LoadConnection[] = [];
let planners: ConnectionPlanner[] = [];
let prepared: { frames: StepFrames[]; intervalUs: number; warmupUs: number } | undefined;

function reply(m: GeneratorReply): void {
  process.send?.(m);
}

async function onRequest(m: GeneratorRequest): Promise<void> {
  switch (m.cmd) {
    case 'connect': {
      const t = performance.now();
      const tagBase = m.proc * 65536;
      conns = await Promise.all(Array.from({ length: m.connections }, (_, i) => LoadConnection.open(m.url, i, tagBase + i, generateEd25519KeyPair().privateKey)));
      planners = conns.map((_, i) => new ConnectionPlanner(m.seed * 1000 + m.proc * 100 + i, m.markets, m.mix));
      return reply({ type: 'connected', accounts: conns.map((c) => c.accountId), ms: performance.now() - t });
    }
    case 'prepare': {
      const t = performance.now();
      const total = Math.ceil(((m.warmupMs + m.durationMs) / 1000) * m.ratePerSec);
      const n = conns.length;
      const frames = planners.map((p, c) => encodeStep(p.plan(c < total ? Math.floor((total - 1 - c) / n) + 1 : 0), conns[c].tag));
      prepared = { frames, intervalUs: 1e6 / m.ratePerSec, warmupUs: m.warmupMs * 1000 };
      const realised = [0, 0, 0, 0];
      let conversions = 0;
      for (const p of planners) {
        p.realised.forEach((v, i) => (realised[i] += v));
        conversions += p.conversions;
      }
      return reply({ type: 'prepared', ops: total, planMs: performance.now() - t, realisedMix: realised, conversions, live: planners.map((p) => p.liveCounts()).flat().reduce((a, b) => a + b, 0) });
    }
    case 'go': {
      if (!prepared) throw new Error('go before prepare');
      const p = prepared;
      prepared = undefined;
      const rec = new StepRecorder();
      const t0Ms = performance.now() + 5;
      conns.forEach((c, i) => c.beginStep(p.frames[i], rec, t0Ms, p.intervalUs, conns.length, i, p.warmupUs));
      const cpu0 = process.cpuUsage();
      const endMs = await runSchedule(conns, { t0Ms, pacing: m.pacing, napUs: m.napUs, drainMs: m.drainMs });
      const cpu = process.cpuUsage(cpu0);
      for (const c of conns) c.finishStep(endMs);
      return reply({
        type: 'result',
        step: rec.serialize(),
        wallMs: endMs - t0Ms,
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        closed: conns.filter((c) => c.closeCode !== 0).map((c) => c.closeCode),
      });
    }
    case 'close':
      for (const c of conns) c.close();
      setTimeout(() => process.exit(0), 200).unref();
      process.disconnect?.();
      return;
  }
}

process.on('message', (m: GeneratorRequest) => {
  onRequest(m).catch((err: Error) => {
    reply({ type: 'error', message: err.stack ?? err.message });
  });
});
