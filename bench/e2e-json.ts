/**
 * End-to-end benchmark through the JSON API (Hyperliquid dialect): `npm run bench --
 * e2e-json` (bench/README.md, "The e2e-json benchmark").
 *
 * Processes: this orchestrator; the daemon (e2e/daemon-child.ts) with raised JSON API
 * limits; K generator processes (e2e/json-generator.ts) of N WebSocket connections to
 * `/ws` each, one user address (fresh secp256k1 key, demo account) per connection.
 * Every order is an EIP-712 signed action sent as a WebSocket `post`, signed before
 * its step is timed; many posts are in flight per connection (open loop). Per step:
 * fixed offered rates, latency from the scheduled send time, then a saturation step.
 *
 *   default   rates 250, 500, 1000/s (1 s warm-up + 3 s each), max step 2000/s
 *   --quick   rates 250, 500, 1000/s (0.5 s + 2 s), max step 2000/s (the `npm run bench` suite)
 *   --full    rates 250, 500, 1000, 1500, 2000, 2500, 3000/s (1 s + 4 s), max step 6000/s
 *   (Rates are per second of signed actions: ~3 k/s saturate the daemon's gateway
 *   thread here with native signer recovery, ~0.4 k/s with the pure-JS fallback,
 *   PERPD_SECP256K1=noble.)
 *
 * Options: --transport ws|http (http: POST /exchange on keep-alive sockets, one in flight each)  --rates 100,200  --warmup-ms  --duration-ms  --drain-ms  --max-rate 2000  --max-doublings 0
 *          --generators 1  --connections 8 (per generator)  --workers 1  --journal sync|async
 *          --p99-bound-us 25000  --seed 42  --pacing nap|spin  --nap-us 50
 *          --target-node-flags="--cpu-prof --cpu-prof-dir=DIR" (the = form)
 *
 * The daemon's JSON API limits are raised for the benchmark (JSON_BENCH_LIMITS in e2e/json-actions.ts:
 * the per-address rate limit and the pending posts per connection); the report says so.
 *
 * Output: progress on stderr; one JSON line per step and the summary on stdout
 * ({"bench":"e2e-json",…}, the shape of e2e-binary's); bench/results/<timestamp>/
 * e2e-json.json (raw), e2e-json.md, e2e-json.svg (+ .png with rsvg-convert).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_MODES, type JournalMode } from '../gateway/config.js';
import { JSON_WS_PATH } from '../gateway/json/json-api.js';
import { JSON_BENCH_LIMITS } from './e2e/json-actions.js';
import { capacity, maxSteps, rateSteps, summarise } from './e2e/ladder.js';
import type { Pacing } from './e2e/pacer.js';
import { latencyChart, markdownSummary, resultLine, summaryLine, writeChart } from './e2e/report.js';
import { sessionBase, TargetSession } from './e2e/session.js';
import type { StepResult } from './e2e/step-result.js';
import { numberOption, parseArgs } from './lib/cli.js';
import { resultsDir, writeJson } from './lib/results.js';
import { machineLine, printMachine } from './machine.js';

const BENCH = 'e2e-json';

const { options } = parseArgs(process.argv.slice(2));
const mode = options.has('full') ? 'full' : options.has('quick') ? 'quick' : 'default';
const seed = numberOption(options, 'seed', 42);
const p99BoundUs = numberOption(options, 'p99-bound-us', 25_000);
const warmupMs = numberOption(options, 'warmup-ms', mode === 'quick' ? 500 : 1000);
const durationMs = numberOption(options, 'duration-ms', mode === 'quick' ? 2000 : mode === 'full' ? 4000 : 3000);
const drainMs = numberOption(options, 'drain-ms', 3000);
const maxRate = numberOption(options, 'max-rate', mode === 'full' ? 6000 : 2000);
const maxDoublings = numberOption(options, 'max-doublings', 0);
const generators = numberOption(options, 'generators', 1);
const connections = numberOption(options, 'connections', 8);
const workers = numberOption(options, 'workers', 1);
const journal = (options.get('journal') ?? 'sync') as JournalMode;
const pacing = (options.get('pacing') ?? 'nap') as Pacing;
const transport = options.get('transport') ?? 'ws';
const napUs = numberOption(options, 'nap-us', 50);
const defaultRates = mode === 'full' ? '250,500,1000,1500,2000,2500,3000' : '250,500,1000';
const rates = (options.get('rates') ?? defaultRates).split(',').filter(Boolean).map(Number);
if (!JOURNAL_MODES.includes(journal)) throw new Error(`--journal must be one of ${JOURNAL_MODES.join(', ')}`);
if (pacing !== 'nap' && pacing !== 'spin') throw new Error('--pacing must be nap or spin');
if (transport !== 'ws' && transport !== 'http') throw new Error('--transport must be ws or http');

const log = (s: string): void => void process.stderr.write(`[e2e-json] ${s}\n`);
const machine = printMachine();
const startedAt = new Date().toISOString();
const steps: StepResult[] = [];
const emit = (r: StepResult): void => {
  steps.push(r);
  process.stdout.write(`${JSON.stringify(resultLine(r, null, p99BoundUs, BENCH))}\n`);
};

const variant = `json ${transport === 'ws' ? 'ws-post' : 'http-post'} w${workers} journal=${journal}`;
const s = await TargetSession.open({
  target: 'engine',
  variant,
  engine: { workers, journalMode: journal, jsonApi: JSON_BENCH_LIMITS },
  generatorScript: 'json-generator.js',
  urlOf: (port) => (transport === 'ws' ? `ws://127.0.0.1:${port}${JSON_WS_PATH}` : `http://127.0.0.1:${port}`),
  serverAck: false,
  ...sessionBase({ generators, connectionsPerGenerator: connections, seed, drainMs, pacing, napUs, log, targetNodeFlags: options.get('target-node-flags') }),
});
let summary;
try {
  const rs = await rateSteps(s, rates, { warmupMs, durationMs, emit });
  const maxed = await maxSteps(s, { maxRate, maxDoublings, warmupMs: 300, durationMs: 1500, emit });
  summary = summarise('engine', variant, rs, maxed, { echoPerSec: 0, p99BoundUs, notes: [] });
  log(`${variant}: capacity ${capacity(rs, maxed)}/s`);
} finally {
  await s.close();
}
process.stdout.write(`${JSON.stringify(summaryLine(summary, BENCH))}\n`);

const limits = JSON.stringify(JSON_BENCH_LIMITS);
const notes = [
  `JSON API limits raised for the benchmark (daemon option jsonApi = ${limits}); the defaults are 1,200 weight per address per minute and 100 pending posts per connection, so without this the daemon would refuse most of the load.`,
  `Every op is one signed action (EIP-712, secp256k1) ${transport === 'ws' ? 'in a WebSocket post on /ws (many in flight per connection)' : 'in a POST /exchange on a keep-alive connection (one request in flight per connection; a due request waits for the previous answer, and the wait counts in its latency)'}; ${generators} generator process(es) × ${connections} connections, one user address each; actions signed before each step (not timed). The daemon recovers every signer on its gateway thread.`,
  `${machine.cores} cores shared by the daemon, its worker thread(s) and the generator(s): CPU columns are % of one core.`,
];
const dir = resultsDir();
const command = `node ${process.argv.slice(1).join(' ')}`;
const chartFiles = writeChart(dir, BENCH, latencyChart(steps, p99BoundUs, machineLine(machine).slice(0, 160), BENCH));
const md = markdownSummary({ bench: BENCH, machineLine: machineLine(machine), command, startedAt, p99BoundUs, steps, summaries: [summary], notes, chartFile: `${BENCH}.svg` });
writeFileSync(join(dir, `${BENCH}.md`), md);
const file = writeJson(dir, `${BENCH}.json`, {
  bench: BENCH,
  command,
  startedAt,
  machine,
  options: { mode, transport, seed, p99BoundUs, warmupMs, durationMs, drainMs, maxRate, maxDoublings, generators, connections, workers, journal, pacing, napUs, rates, jsonApi: JSON_BENCH_LIMITS },
  summaries: [summary],
  steps,
  target: s.target.ready.detail,
  notes,
});
process.stderr.write(`\n${md}\nresults: ${file}, ${chartFiles.join(', ')}\n`);
