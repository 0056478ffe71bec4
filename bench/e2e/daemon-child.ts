/**
 * The engine under test: the real daemon (gateway/daemon.ts) in a process of its own,
 * forked by bench/e2e.ts, so the load generator never shares its event loop. Demo
 * mode, loopback, a fresh data directory (deleted at the end), logs at `warn` on
 * stderr. IPC as in ./protocol.ts.
 *
 *   node dist/bench/e2e/daemon-child.js '{"workers":1,"journalMode":"sync"}'
 *   node dist/bench/e2e/daemon-child.js '{"workers":1,"journalMode":"sync","jsonApi":{"rate":{"capacity":1e9,"refillPerMinute":1e9}}}'
 *
 * `jsonApi` (optional) is passed to startDaemon as DaemonOptions.jsonApi: the JSON
 * benchmark raises the per-address rate limits and pending posts with it. Absent, the
 * daemon has its defaults.
 *
 * Journal: the mode is passed as `journal: { mode }` in the config overrides. Whether
 * the daemon actually journals is detected, not assumed: the handle exposes a
 * `journal`, a /metrics metric is named after it, or <dataDir>/journal exists after
 * start. Otherwise `detail.journal.wired` is false and the orchestrator reports
 * "journal not yet wired" instead of sync/async figures.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig, type JournalMode, type PerpdConfigOverrides } from '../../gateway/config.js';
import { BINARY_PATH, startDaemon } from '../../gateway/daemon.js';
import type { JsonApiLimits } from '../../gateway/json/json-api.js';
import { createLogger } from '../../gateway/logger.js';
import { serveTargetRequests, type TargetReply } from './protocol.js';

interface DaemonChildOptions {
  workers: number;
  journalMode: JournalMode;
  /** JSON API limits (DaemonOptions.jsonApi); absent: the defaults. */
  jsonApi?: Partial<JsonApiLimits>;
  /** Parent of the temporary data directory (default: bench/results/.e2e-data, on the repository's disk). */
  dataRoot?: string;
  /** Extra config overrides for experiments (e.g. {"spinIterations":0,"journal":{"hashEveryCommands":0}}); e2e --engine-config. */
  config?: PerpdConfigOverrides;
}

/** The daemon's log level on stderr (PERPD_BENCH_DAEMON_LOG=info shows each cut with its duration). */
const LOG_LEVEL = (process.env.PERPD_BENCH_DAEMON_LOG ?? 'warn') as 'warn';
/**
 * PERPD_BENCH_ALLOC_PROFILE=FILE: V8's sampling heap profiler on the gateway thread for
 * the whole session, counting objects the GC already collected too (what a
 * .heapprofile from --heap-prof leaves out), written to FILE at stop. Shows where the
 * garbage per order comes from (open it in Chrome DevTools, Memory tab).
 */
async function startAllocationProfile(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
  if (!file) return undefined;
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

const opts = JSON.parse(process.argv[2] ?? '{}') as DaemonChildOptions;
const dataRoot = opts.dataRoot ?? fileURLToPath(new URL('../../../bench/results/', import.meta.url));
mkdirSync(dataRoot, { recursive: true });
const dataDir = mkdtempSync(join(dataRoot, '.e2e-data-'));
const fail = (err: Error): void => {
  process.send?.({ type: 'error', message: err.stack ?? err.message } satisfies TargetReply, () => process.exit(70));
};

try {
  const config = loadConfig({
    env: {},
    overrides: {
      ...opts.config,
      port: 0,
      host: '127.0.0.1',
      dataDir,
      demo: true,
      logLevel: LOG_LEVEL,
      workers: opts.workers,
      journal: { ...opts.config?.journal, mode: opts.journalMode },
    },
  });
  const logger = createLogger({ level: LOG_LEVEL, destination: pino.destination({ dest: 2, sync: false }) });
  const handle = await startDaemon(config, logger, { onFatal: fail, ...(opts.jsonApi ? { jsonApi: opts.jsonApi } : {}) });
  const exposed = (handle as unknown as Record<string, unknown>).journal;
  const metrics = await (await fetch(`http://127.0.0.1:${handle.port}/metrics`)).text();
  // A metric whose NAME mentions the journal (label values such as a JOURNAL_UNAVAILABLE reject code do not count).
  const metricLines = metrics.split('\n').filter((l) => !l.startsWith('#') && /journal/i.test(l.split(/[{\s]/)[0])).length;
  // persistence/journal-store.ts keeps the journal in <dataDir>/journal.
  const onDisk = existsSync(join(dataDir, 'journal'));
  const wired = exposed !== undefined || metricLines > 0 || onDisk;
  process.send?.({
    type: 'ready',
    port: handle.port,
    path: BINARY_PATH,
    detail: {
      workers: config.workers,
      ...(opts.jsonApi ? { jsonApi: opts.jsonApi } : {}),
      assignment: handle.pool.assignment(),
      journal: {
        requested: opts.journalMode,
        wired,
        evidence: [exposed !== undefined ? 'handle.journal' : '', metricLines > 0 ? `${metricLines} journal metrics` : '', onDisk ? '<dataDir>/journal exists' : ''].filter(Boolean).join(', ') || 'none',
      },
      dataDir,
    },
  } satisfies TargetReply);
  const allocProfile = await startAllocationProfile(process.env.PERPD_BENCH_ALLOC_PROFILE);
  serveTargetRequests(async () => {
    await allocProfile?.();
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
} catch (err) {
  rmSync(dataDir, { recursive: true, force: true });
  fail(err as Error);
}
