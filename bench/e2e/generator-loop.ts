/**
 * The request loop of a load-generator process (IPC messages in ./protocol.ts),
 * shared by the binary generator (./generator.ts) and the JSON one
 * (./json-generator.ts), which supply how to connect and how to prepare a step:
 *
 *   connect  → connected   open every connection (one account each)
 *   prepare  → prepared    plan + encode (or sign) the next step (untimed); the process's
 *                          ops go round-robin over its connections
 *   go       → result      run it (./pacer.ts); measured ops still unanswered count at the drain end
 *   close                  close the sockets and exit
 */
import { performance } from 'node:perf_hooks';
import { runSchedule, type PaceOptions, type PacedConnection } from './pacer.js';
import type { GeneratorReply, GeneratorRequest } from './protocol.js';
import { StepRecorder } from './recorder.js';
import { plannedMix, rowsOfConnection, type ConnectionPlanner } from './workload.js';

/** A connection a generator runs a step on (LoadConnection, JsonLoadConnection). */
export interface StepConnection extends PacedConnection {
  readonly closeCode: number;
  /** Records what is still unanswered at the end of the step. */
  finishStep(endMs: number): void;
}

/**
 * One step of a generator process: `begin` starts each connection's rows against a
 * fresh recorder at t0 (5 ms from now), the schedule runs, unanswered rows are closed
 * at the drain end; the reply carries the histograms and the process's CPU.
 */
export async function runStep<C extends StepConnection>(
  conns: readonly C[],
  begin: (c: C, i: number, rec: StepRecorder, t0Ms: number) => void,
  o: Omit<PaceOptions, 't0Ms'>,
): Promise<Extract<GeneratorReply, { type: 'result' }>> {
  const rec = new StepRecorder();
  const t0Ms = performance.now() + 5;
  conns.forEach((c, i) => begin(c, i, rec, t0Ms));
  const cpu0 = process.cpuUsage();
  const endMs = await runSchedule(conns, { ...o, t0Ms });
  const cpu = process.cpuUsage(cpu0);
  for (const c of conns) c.finishStep(endMs);
  return {
    type: 'result',
    step: rec.serialize(),
    wallMs: endMs - t0Ms,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    closed: conns.filter((c) => c.closeCode !== 0).map((c) => c.closeCode),
  };
}

/** A connection that runs prepared steps of type S. */
export interface SteppedConnection<S> extends StepConnection {
  beginStep(step: S, rec: StepRecorder, t0Ms: number, intervalUs: number, stride: number, phase: number, warmupUs: number): void;
  close(): void;
}

export interface GeneratorParts<S, C extends SteppedConnection<S>> {
  /** Opens the connections; `accounts` is what the orchestrator logs about them. */
  connect(m: Extract<GeneratorRequest, { cmd: 'connect' }>): Promise<{ conns: C[]; accounts: number[]; planners: ConnectionPlanner[] }>;
  /** Connection c's step of `rows` ops, planned by its planner. */
  prepare(c: number, rows: number): Promise<S> | S;
}

/** Serves the orchestrator's requests until `close`. */
export function serveGenerator<S, C extends SteppedConnection<S>>(parts: GeneratorParts<S, C>): void {
  let conns: C[] = [];
  let planners: ConnectionPlanner[] = [];
  let prepared: { steps: S[]; intervalUs: number; warmupUs: number } | undefined;
  const reply = (m: GeneratorReply): void => void process.send?.(m);

  async function onRequest(m: GeneratorRequest): Promise<void> {
    switch (m.cmd) {
      case 'connect': {
        const t = performance.now();
        const r = await parts.connect(m);
        conns = r.conns;
        planners = r.planners;
        return reply({ type: 'connected', accounts: r.accounts, ms: performance.now() - t });
      }
      case 'prepare': {
        const t = performance.now();
        const total = Math.ceil(((m.warmupMs + m.durationMs) / 1000) * m.ratePerSec);
        const steps: S[] = [];
        for (let c = 0; c < conns.length; c++) steps.push(await parts.prepare(c, rowsOfConnection(total, conns.length, c)));
        prepared = { steps, intervalUs: 1e6 / m.ratePerSec, warmupUs: m.warmupMs * 1000 };
        return reply({ type: 'prepared', ops: total, planMs: performance.now() - t, ...plannedMix(planners) });
      }
      case 'go': {
        if (!prepared) throw new Error('go before prepare');
        const p = prepared;
        prepared = undefined;
        const begin = (c: C, i: number, rec: StepRecorder, t0Ms: number): void => c.beginStep(p.steps[i], rec, t0Ms, p.intervalUs, conns.length, i, p.warmupUs);
        return reply(await runStep(conns, begin, { pacing: m.pacing, napUs: m.napUs, drainMs: m.drainMs }));
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
}
