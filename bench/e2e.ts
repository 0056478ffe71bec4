/**
 * End-to-end benchmark through the real binary gateway: `npm run bench -- e2e-binary`
 * (bench/README.md explains every figure).
 *
 * Processes: this orchestrator; a target (the uWebSockets.js echo server, then the
 * daemon, each in its own process); K load-generator processes of N raw WebSocket
 * connections each (one demo account per connection). Per target: fixed offered
 * rates (open loop, latency from the scheduled send time), then a saturation step
 * ("max": far more offered than the target can take; its achieved rate is the
 * target's capacity). The echo runs right before the engine; engine/echo compares
 * the two capacities.
 *
 *   default   rates 10k, 20k, 50k, 100k (1 s warm-up + 3 s each), max step, 1 variant
 *   --quick   rates 20k, 50k, 100k (0.5 s + 2 s), max step (the `npm run bench` suite)
 *   --full    sweep 10k … until achieved < 95% or p99 > 1 s (knees), max step,
 *             for workers 1 and N (= markets) and journal sync / async when wired
 *
 * Options: --rates 20000,50000  --warmup-ms  --duration-ms  --drain-ms  --max-rate
 *          --max-doublings 1  --generators 1  --connections 16 (per generator)  --workers 1
 *          --workers-variants 1,3  --journal sync|async  --journal-variants sync,async
 *          --p99-bound-us 1000  --sweep-stop-p99-us 1000000  --seed 42  --no-echo  --targets echo,engine
 *          --pacing nap|spin  --nap-us 50  --target-node-flags="--cpu-prof --cpu-prof-dir=DIR" (the = form)
 *          --engine-config='{"spinIterations":0}' (daemon config overrides for experiments; recorded in the results)
 *
 * Output: progress on stderr; one JSON line per step and per variant summary on
 * stdout; bench/results/<timestamp>/e2e-binary.json (raw), e2e-binary.md,
 * e2e-binary.svg (+ .png with rsvg-convert).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoMarkets } from '../engine/market-spec.js';
import { JOURNAL_MODES, type JournalMode } from '../gateway/config.js';
import { numberOption, parseArgs } from './lib/cli.js';
import { resultsDir, writeJson } from './lib/results.js';
import { machineLine, printMachine } from './machine.js';
import { capacity, maxSteps as ladderMaxSteps, rateSteps as ladderRateSteps, summarise as ladderSummarise, type MaxSteps } from './e2e/ladder.js';
import type { Pacing } from './e2e/pacer.js';
import { latencyChart, markdownSummary, resultLine, summaryLine, writeChart, type VariantSummary } from './e2e/report.js';
import { sessionBase, TargetSession, type SessionOptions } from './e2e/session.js';
import { keptUpThroughput, type StepResult } from './e2e/step-result.js';

const { options } = parseArgs(process.argv.slice(2));
const mode = options.has('full') ? 'full' : options.has('quick') ? 'quick' : 'default';
const list = (key: string, fallback: string): string[] => (options.get(key) ?? fallback).split(',').filter(Boolean);
const seed = numberOption(options, 'seed', 42);
const p99BoundUs = numberOption(options, 'p99-bound-us', 1000);
const stopP99Us = numberOption(options, 'sweep-stop-p99-us', 1_000_000);
const warmupMs = numberOption(options, 'warmup-ms', mode === 'quick' ? 500 : 1000);
const durationMs = numberOption(options, 'duration-ms', mode === 'quick' ? 2000 : mode === 'full' ? 4000 : 3000);
const drainMs = numberOption(options, 'drain-ms', 3000);
const maxRate = numberOption(options, 'max-rate', 400_000);
const generators = numberOption(options, 'generators', 1);
const connections = numberOption(options, 'connections', 16);
const pacing = (options.get('pacing') ?? 'nap') as Pacing;
const napUs = numberOption(options, 'nap-us', 50);
const markets = demoMarkets();
const engineConfig = options.has('engine-config') ? (JSON.parse(options.get('engine-config') ?? '{}') as Record<string, unknown>) : undefined;
const SWEEP = [10_000, 20_000, 40_000, 60_000, 80_000, 100_000, 125_000, 150_000, 200_000, 250_000, 300_000, 400_000, 500_000, 650_000, 800_000, 1_000_000];
const rates = list('rates', mode === 'quick' ? '20000,50000,100000' : '10000,20000,50000,100000').map(Number);
const workerVariants = list('workers-variants', mode === 'full' ? `1,${markets.length}` : (options.get('workers') ?? '1')).map(Number);
const journalVariants = list('journal-variants', mode === 'full' ? 'sync,async' : (options.get('journal') ?? 'sync')) as JournalMode[];
for (const j of journalVariants) if (!JOURNAL_MODES.includes(j)) throw new Error(`--journal must be one of ${JOURNAL_MODES.join(', ')}`);
if (pacing !== 'nap' && pacing !== 'spin') throw new Error('--pacing must be nap or spin');

const log = (s: string): void => void process.stderr.write(`[e2e] ${s}\n`);
const machine = printMachine();
const startedAt = new Date().toISOString();
const base = sessionBase({ generators, connectionsPerGenerator: connections, seed, drainMs, pacing, napUs, log, targetNodeFlags: options.get('target-node-flags') });
const steps: StepResult[] = [];
const summaries: VariantSummary[] = [];
const notes: string[] = [];
const raw: Record<string, unknown>[] = [];

function emit(r: StepResult, echoPerSec: number | null): void {
  steps.push(r);
  process.stdout.write(`${JSON.stringify(resultLine(r, echoPerSec, p99BoundUs))}\n`);
}

const maxDoublings = numberOption(options, 'max-doublings', mode === 'full' ? 2 : 1);

/** The saturation step(s) (e2e/ladder.ts): 400 k/s offered, doubled while the target keeps up. */
const maxSteps = (s: TargetSession, echo: number | null, firstRate = maxRate): Promise<MaxSteps> => ladderMaxSteps(s, { maxRate: firstRate, maxDoublings, emit: (r) => emit(r, echo) });

/**
 * The engine's saturation offer: twice the best rate its rate steps served (at least
 * 50 k/s), capped by --max-rate. Far beyond capacity is not more informative: on two
 * cores the generator then takes a whole core (400 k/s offered: ~90% CPU), so the
 * step measures the daemon squeezed onto the other one. An explicit --max-rate wins.
 */
function engineMaxRate(rs: StepResult[]): number {
  if (options.has('max-rate') || rs.length === 0) return maxRate;
  return Math.min(maxRate, Math.max(50_000, 2 * Math.max(...rs.map((r) => r.achievedPerSec))));
}

/**
 * Fixed rates (default, quick), or the sweep (full): raise the rate until the target
 * stops keeping up with it (< 95% served, or anything shed or lost) or p99 passes
 * --sweep-stop-p99-us (1 s). Both knees come out of it: the latency knee (highest
 * rate with p99 ≤ the bound) and the throughput knee (highest rate kept up with).
 * The sweep does not stop at the latency bound alone, so a variant whose p99 is over
 * the bound from the first step (a sync journal's fsync) still gets its curve.
 */
const rateSteps = (s: TargetSession, echoPerSec: number | null): Promise<StepResult[]> =>
  ladderRateSteps(s, mode === 'full' && !options.has('rates') ? SWEEP : rates, {
    warmupMs,
    durationMs,
    emit: (r) => emit(r, echoPerSec),
    stopAfter: (r) => mode === 'full' && (!keptUpThroughput(r) || r.p99Us > stopP99Us),
  });

const summarise = (target: 'echo' | 'engine', variant: string, rs: StepResult[], maxed: MaxSteps, echoPerSec: number, extra: string[]): VariantSummary =>
  ladderSummarise(target, variant, rs, maxed, { echoPerSec, p99BoundUs, notes: extra });

async function withSession<T>(o: Pick<SessionOptions, 'target' | 'variant' | 'engine'>, run: (s: TargetSession) => Promise<T>): Promise<T> {
  const s = await TargetSession.open({ ...base, ...o });
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

/** The echo's capacity (saturation step), optionally with its own rate steps. */
async function measureEcho(withRates: boolean): Promise<number> {
  return withSession({ target: 'echo', variant: 'echo (uWS)' }, async (s) => {
    const rs = withRates ? await rateSteps(s, null) : [];
    const maxed = await maxSteps(s, null);
    const cap = capacity(rs, maxed);
    if (withRates) {
      const sum = summarise('echo', 'echo (uWS)', rs, maxed, cap, []);
      summaries.push(sum);
      process.stdout.write(`${JSON.stringify(summaryLine(sum))}\n`);
    }
    raw.push({ target: 'echo', ready: s.target.ready.detail });
    return cap;
  });
}

const targets = list('targets', 'echo,engine');
let echoPerSec = 0;
if (targets.includes('echo') && !options.has('no-echo')) {
  log('echo baseline: bare uWebSockets.js, same generator, same frames');
  echoPerSec = await measureEcho(true);
}

let journalWired: boolean | undefined;
let variantIndex = 0;
for (const workers of targets.includes('engine') ? workerVariants : []) {
  for (const journal of journalVariants) {
    if (journalWired === false && journal !== journalVariants[0]) {
      log(`skipping journal=${journal}: the daemon does not journal yet (journal not yet wired)`);
      continue;
    }
    if (variantIndex++ > 0 && !options.has('no-echo')) {
      log('echo capacity again, right before this engine variant (the best echo figure of the run is kept)');
      echoPerSec = Math.max(echoPerSec, await measureEcho(false));
    }
    const label = (wired: boolean): string => `engine w${workers} ${wired ? `journal=${journal}` : 'journal not wired'}`;
    await withSession({ target: 'engine', variant: `engine w${workers} journal=${journal}`, engine: { workers, journalMode: journal, config: engineConfig } }, async (s) => {
      const detail = s.target.ready.detail as { journal: { wired: boolean; evidence: string }; assignment: unknown };
      journalWired = detail.journal.wired;
      const variant = label(journalWired);
      s.variant = variant;
      const extra: string[] = [];
      if (!journalWired) {
        const n = `journal not yet wired: the daemon ignored journal.mode=${journal} (no handle.journal, no journal metric, no <dataDir>/journal); figures are in-memory, sync vs async not measurable`;
        extra.push(n);
        log(n);
      }
      log(`${variant}: workers ${JSON.stringify(detail.assignment)}`);
      const rs = await rateSteps(s, echoPerSec || null);
      const maxed = await maxSteps(s, echoPerSec || null, engineMaxRate(rs));
      const sum = summarise('engine', variant, rs, maxed, echoPerSec, extra);
      summaries.push(sum);
      process.stdout.write(`${JSON.stringify(summaryLine(sum))}\n`);
      raw.push({ target: 'engine', variant, ready: s.target.ready.detail });
    });
  }
}

notes.push('The same measurement through the JSON API (Hyperliquid dialect, signed actions over WS /ws or POST /exchange) is e2e-json: `npm run bench -- e2e-json` (bench/README.md).');
notes.push(
  `${machine.cores} cores shared by the target, its worker thread(s) and the generator(s): CPU columns are % of one core; when gen + target approach ${machine.cores * 100}% the machine, not the engine, is the limit.`,
);

const dir = resultsDir();
const command = `node ${process.argv.slice(1).join(' ')}`;
const subtitle = `${machineLine(machine)}`.slice(0, 160);
const chartFiles = writeChart(dir, 'e2e-binary', latencyChart(steps, p99BoundUs, subtitle));
const md = markdownSummary({ machineLine: machineLine(machine), command, startedAt, p99BoundUs, steps, summaries, notes, chartFile: 'e2e-binary.svg' });
writeFileSync(join(dir, 'e2e-binary.md'), md);
const file = writeJson(dir, 'e2e-binary.json', {
  bench: 'e2e-binary',
  command,
  startedAt,
  machine,
  options: { mode, seed, p99BoundUs, stopP99Us, warmupMs, durationMs, drainMs, maxRate, generators, connections, pacing, napUs, rates, workerVariants, journalVariants, engineConfig },
  summaries,
  steps,
  targets: raw,
  notes,
});
process.stderr.write(`\n${md}\nresults: ${file}, ${chartFiles.join(', ')}\n`);
