/**
 * One target (echo server or daemon) under K generator processes for a series of
 * steps. Each step: every generator plans and pre-encodes its share (rate / K),
 * untimed; then all start together; the target's CPU is sampled around the run.
 */
import { performance } from 'node:perf_hooks';
import { demoMarkets } from '../../engine/market-spec.js';
import { GeneratorPool, TargetProcess, type EngineTargetOptions } from './children.js';
import type { Pacing } from './pacer.js';
import { histogramDelta, journalDelta, scrapeServer, type ServerScrape } from './server-metrics.js';
import { mergeStep, type StepResult } from './step-result.js';
import { machineBusyMs } from './system-cpu.js';
import type { MixOptions, WorkloadMarket } from './workload.js';

export interface SessionOptions {
  target: 'echo' | 'engine';
  variant: string;
  engine?: EngineTargetOptions;
  /** Node flags of the target process (e.g. --cpu-prof to profile the daemon). */
  targetNodeFlags?: string[];
  /** The generator script (default generator.js, the binary protocol; json-generator.js for the JSON API). */
  generatorScript?: string;
  /** The URL the generators connect to, given the target's port (default: the WebSocket the target announces, /binary). */
  urlOf?: (port: number) => string;
  /** Scrape the daemon's binary ack-latency histogram around each step (default: for the engine target). */
  serverAck?: boolean;
  generators: number;
  connectionsPerGenerator: number;
  seed: number;
  markets: WorkloadMarket[];
  mix: Partial<MixOptions>;
  drainMs: number;
  pacing: Pacing;
  napUs: number;
  log: (line: string) => void;
}

/** The options every variant of a run shares: the demo markets at their initial marks, the default mix, the target's node flags from --target-node-flags. */
export function sessionBase(o: Pick<SessionOptions, 'generators' | 'connectionsPerGenerator' | 'seed' | 'drainMs' | 'pacing' | 'napUs' | 'log'> & { targetNodeFlags?: string }): Omit<SessionOptions, 'target' | 'variant'> {
  const markets = demoMarkets().map((m) => ({ marketId: m.marketId, markTicks: m.initialMarkPriceTicks }));
  return { ...o, markets, mix: {}, targetNodeFlags: (o.targetNodeFlags ?? '').split(' ').filter(Boolean) };
}

export interface StepPlan {
  ratePerSec: number;
  kind: 'rate' | 'max';
  warmupMs: number;
  durationMs: number;
}

export class TargetSession {
  readonly o: SessionOptions;
  readonly target: TargetProcess;
  readonly #pool: GeneratorPool;
  accounts = 0;
  /** Label of the results (may be refined once the target said what it is). */
  variant: string;

  private constructor(o: SessionOptions, target: TargetProcess, pool: GeneratorPool) {
    this.o = o;
    this.target = target;
    this.#pool = pool;
    this.variant = o.variant;
  }

  static async open(o: SessionOptions): Promise<TargetSession> {
    const target = await TargetProcess.start(o.target, o.engine, o.targetNodeFlags ?? []);
    const pool = new GeneratorPool(o.generators, o.generatorScript);
    const s = new TargetSession(o, target, pool);
    const url = o.urlOf ? o.urlOf(target.ready.port) : target.url;
    try {
      const connected = await pool.all(
        (i) => ({ cmd: 'connect', url, connections: o.connectionsPerGenerator, seed: o.seed, proc: i, markets: o.markets, mix: o.mix }),
        'connected',
        60_000,
      );
      s.accounts = connected.reduce((n, c) => n + c.accounts.length, 0);
      o.log(`${o.variant}: ${url} (pid ${target.pid}), ${s.accounts} connections logged in over ${o.generators} generator process(es)`);
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  async step(p: StepPlan): Promise<StepResult> {
    const o = this.o;
    const k = this.#pool.size;
    const prepared = await this.#pool.all((_) => ({ cmd: 'prepare', ratePerSec: p.ratePerSec / k, warmupMs: p.warmupMs, durationMs: p.durationMs }), 'prepared', 300_000);
    const planMs = Math.max(...prepared.map((x) => x.planMs));
    const isEngine = o.target === 'engine' && o.serverAck !== false;
    const cpu0 = await this.target.cpu();
    const busy0 = machineBusyMs();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const going = this.#pool.all(() => ({ cmd: 'go', drainMs: o.drainMs, pacing: o.pacing, napUs: o.napUs }), 'result', p.warmupMs + p.durationMs + o.drainMs + 120_000);
    // The daemon's own histograms are read when the warm-up ends, so its columns cover
    // the measured window (and the drain), not the cold start.
    const atWarmupEnd: Promise<ServerScrape> = isEngine ? new Promise((r) => setTimeout(r, p.warmupMs)).then(() => scrapeServer(this.target.ready.port)) : Promise.resolve({});
    const results = await going;
    const server0 = await atWarmupEnd;
    const wallMs = performance.now() - t0;
    const busy1 = machineBusyMs();
    const self = process.cpuUsage(self0);
    const cpu1 = await this.target.cpu();
    const server1: ServerScrape = isEngine ? await scrapeServer(this.target.ready.port) : {};
    const r = mergeStep(
      {
        target: o.target,
        variant: this.variant,
        kind: p.kind,
        offeredPerSec: p.ratePerSec,
        warmupMs: p.warmupMs,
        durationMs: p.durationMs,
        connections: this.accounts,
        targetCpuUs: cpu1.userUs + cpu1.systemUs - cpu0.userUs - cpu0.systemUs,
        wallMs,
      },
      results,
    );
    if (busy0 !== null && busy1 !== null) {
      const oursMs = (r.genCpuPct / 100) * wallMs + (r.targetCpuPct / 100) * wallMs + (self.user + self.system) / 1000;
      r.machineCpuPct = Math.round(((busy1 - busy0) / wallMs) * 100);
      r.otherCpuPct = Math.max(0, Math.round(((busy1 - busy0 - oursMs) / wallMs) * 100));
    }
    if (isEngine) {
      r.serverAck = histogramDelta(server0.ack, server1.ack);
      r.journal = journalDelta(server0, server1);
    }
    const mix = prepared.reduce((a, x) => a.map((v, i) => v + x.realisedMix[i]), [0, 0, 0, 0]);
    const total = mix.reduce((a, b) => a + b, 0) || 1;
    r.realisedMix = {
      place: Math.round((mix[0] / total) * 1000) / 1000,
      cancel: Math.round((mix[1] / total) * 1000) / 1000,
      ioc: Math.round((mix[2] / total) * 1000) / 1000,
      modify: Math.round((mix[3] / total) * 1000) / 1000,
    };
    const closed = results.flatMap((x) => x.closed);
    if (closed.length) o.log(`WARNING ${this.variant}: ${closed.length} connection(s) closed by the server (codes ${[...new Set(closed)].join(', ')})`);
    o.log(
      `${this.variant} ${p.kind === 'max' ? 'max ' : ''}${Math.round(p.ratePerSec)}/s: achieved ${r.achievedPerSec}/s, ack p50 ${r.p50Us} µs p99 ${r.p99Us} µs p99.9 ${r.p999Us} µs max ${r.maxUs} µs; ` +
        (r.serverAck ? `server ack p50 ≤ ${r.serverAck.p50LeUs ?? '>1e6'} µs p99 ≤ ${r.serverAck.p99LeUs ?? '>1e6'} µs; ` : '') +
        (r.journal ? `journal commit p50 ≤ ${r.journal.commitP50LeUs ?? '>1e6'} µs p99 ≤ ${r.journal.commitP99LeUs ?? '>1e6'} µs, ${r.journal.recordsPerCommit} records/commit; ` : '') +
        `send lag p99 ${r.sendLag.p99Us} µs; cpu gen ${r.genCpuPct}% target ${r.targetCpuPct}% others ${r.otherCpuPct ?? '?'}%; plan ${Math.round(planMs)} ms` +
        (r.counters.unanswered || r.counters.unsent ? `; UNANSWERED ${r.counters.unanswered} unsent ${r.counters.unsent}` : ''),
    );
    return r;
  }

  async close(): Promise<void> {
    await this.#pool.close();
    await this.target.stop();
  }
}
