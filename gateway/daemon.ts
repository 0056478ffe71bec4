/**
 * The daemon: one process, one port. Wires, in order:
 *   ledger → market workers (rings) → sequencer + runtime (R1, rings, R2) →
 *   report router (execution reports, market data) → uWS routes:
 *     GET /health, /ready, /metrics      (gateway/http/routes.ts)
 *     WS  /binary                        binary protocol (docs/protocol-binary.md)
 *     POST /info, /exchange, WS /ws      JSON API, Hyperliquid dialect (docs/api-json.md)
 *
 * Durability (docs/durability.md): before anything else the journal under
 * <dataDir>/journal is opened and the state recovered from it; the recovered ledger
 * is the ledger, the recovered markets are loaded by their workers, the sequencer
 * continues after the last journaled seq. Every sequenced command is journaled
 * before it leaves for its market; every settled event is journaled in settlement
 * order; all output waits until the journal acknowledged what it depends on.
 *
 * Shutdown closes the listen socket first (a worker still holding a uWS socket when
 * the process exits aborts it), then the connections, then drains and stops the
 * workers. A crashed worker stops the whole daemon loudly: serving half a venue is
 * worse than serving none.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import uws from 'uWebSockets.js';
import { Code } from '../engine/codes.js';
import type { Ledger } from '../engine/ledger/ledger.js';
import { RuntimeJournal } from '../persistence/runtime-journal.js';
import { PiscinaBuilder } from '../persistence/snapshot-builder.js';
import { AccountDirectory } from './accounts/account-directory.js';
import { addressStorePath } from './accounts/address-store.js';
import { keyStorePath } from './auth/key-store.js';
import type { PerpdConfig } from './config.js';
import { attachOpsRoutes } from './http/routes.js';
import { componentLogger } from './logger.js';
import { RECOVER_BACKEND } from './json/secp256k1-recover.js';
import { PerpdMetrics } from './metrics.js';
import { EngineRuntime } from './runtime/engine-runtime.js';
import { LedgerStage } from './runtime/ledger-stage.js';
import { Sequencer } from './runtime/sequencer.js';
import { WorkerPool } from './runtime/worker-pool.js';
import { BinaryEndpoint } from './session/binary-endpoint.js';
import { JsonApi, type JsonApiLimits } from './json/json-api.js';
import { PublishFanout } from './runtime/publish-fanout.js';
import { ReportRouter } from './session/report-router.js';

export const BINARY_PATH = '/binary';

export interface DaemonHandle {
  /** The port actually listened on (config.port, or the system's choice for 0). */
  readonly port: number;
  readonly ledger: Ledger;
  readonly runtime: EngineRuntime;
  readonly pool: WorkerPool;
  close(): Promise<void>;
}

export interface DaemonOptions {
  /** What to do when a worker dies; default: log fatal and exit the process with code 70. */
  onFatal?: (err: Error) => void;
  /** JSON API tunables (rate limits, timeouts); defaults in gateway/json/json-api.ts. */
  jsonApi?: Partial<JsonApiLimits>;
}

export async function startDaemon(config: PerpdConfig, logger: Logger, options: DaemonOptions = {}): Promise<DaemonHandle> {
  const log = componentLogger(logger, 'daemon');
  mkdirSync(config.dataDir, { recursive: true });
  const metrics = new PerpdMetrics({ markets: config.markets });
  let ready = false;
  // Durability: recover from the journal first (docs/durability.md, "Recovery").
  const journal = await RuntimeJournal.open({
    dataDir: config.dataDir,
    engine: { markets: config.markets, ledger: { defaultLeverage: config.ledger.defaultLeverage, maxAccounts: config.ledger.maxAccounts } },
    journal: config.journal,
    builder: new PiscinaBuilder(), // snapshots are encoded, hashed and compressed off the gateway thread
    snapshotEveryCommands: config.journal.snapshotEveryCommands,
    snapshotEveryMs: config.journal.snapshotEveryMs,
    hashEveryCommands: config.journal.hashEveryCommands,
    retention: { mode: config.journal.retention, keepSnapshots: config.journal.keepSnapshots, archiveDir: join(config.dataDir, 'journal-archive') },
    onCut: (c) => {
      log.info(
        { seq: c.seq, eventCursor: c.eventCursor, stateHash: c.hashes.exchange, ledgerHash: c.hashes.ledger, markets: c.hashes.markets, snapshot: c.snapshotWritten, ms: c.ms },
        c.snapshotWritten ? 'snapshot written; state hash published' : 'state hash published',
      );
      metrics.stateHash.set({ seq: c.seq, event_cursor: c.eventCursor, exchange: c.hashes.exchange, ledger: c.hashes.ledger });
      metrics.lastCutSeq.set(c.seq);
      if (c.snapshotWritten) metrics.lastSnapshotSeq.set(c.seq);
    },
    onCutError: (err) => log.error({ err }, 'snapshot / state-hash cut failed (matching goes on; the next one retries)'),
    onGroupAcknowledged: (records, commitMicros) => metrics.observeJournalGroup(records, commitMicros),
    onFailure: (err) => {
      ready = false;
      log.fatal({ err }, 'journal write failed: every command is refused from now on (nothing unpersisted was acknowledged); fix the disk and restart');
    },
  });
  const rec = journal.recovery;
  log.info(
    {
      snapshotSeq: rec.snapshot?.seq ?? 0,
      rejectedSnapshots: rec.rejectedSnapshots,
      replayedCommands: rec.replayed.commands,
      replayedEvents: rec.replayed.events,
      hashesVerified: rec.hashesVerified,
      lastSeq: journal.resume.lastSeq,
      stateHash: journal.recoveredHash,
      ms: Math.round(rec.snapshotLoadMs + rec.replayMs),
    },
    'state recovered from the journal',
  );
  const ledger: Ledger = journal.ledger;
  let listenSocket: uws.us_listen_socket | false = false;
  let endpoint: BinaryEndpoint | undefined;
  // JSON API (Hyperliquid dialect): its router is a second publication handler.
  if (RECOVER_BACKEND !== 'libsecp256k1') {
    log.warn({ signerRecovery: RECOVER_BACKEND }, 'JSON API signer recovery runs in pure JS (~1.5 ms per signed action, ~20x slower): reinstall with `npm ci` so the secp256k1 package and its prebuilt binary are present');
  }
  const jsonApi = new JsonApi({ markets: config.markets, ledger, logger: componentLogger(logger, 'json'), limits: options.jsonApi });

  const onFatal =
    options.onFatal ??
    ((err: Error) => {
      log.fatal({ err }, 'a market worker died; stopping the daemon (restart it: the journal restores the state)');
      process.exit(70);
    });

  const pool = await WorkerPool.start({
    markets: config.markets,
    workers: config.workers,
    commandRingRecords: config.commandRingRecords,
    eventRingRecords: config.eventRingRecords,
    spinIterations: config.spinIterations,
    parkTimeoutMs: config.parkTimeoutMs,
    batchSize: config.batchSize,
    pinCpus: config.pinWorkers === false ? [] : config.pinWorkers,
    initialMarkets: journal.takeMarketParts(), // durability: the recovered books
    onSnapshotImages: (_w, cutSeq, images) => journal.onSnapshotImages(cutSeq, images), // durability: periodic cuts
    onFatal: (err) => {
      ready = false;
      if (listenSocket) uws.us_listen_socket_close(listenSocket);
      listenSocket = false;
      endpoint?.closeAll();
      jsonApi.close();
      onFatal(err);
    },
  });
  pool.depths().forEach((d) => {
    metrics.trackRingDepth('command', d.worker, () => pool.depths()[d.worker].commands);
    metrics.trackRingDepth('event', d.worker, () => pool.depths()[d.worker].events);
  });
  metrics.journalUnackedCommands.setCallback(() => journal.unackedCommands);

  const sequencer = new Sequencer();
  sequencer.resumeAfter(journal.resume.lastSeq, journal.resume.lastTsUs); // durability
  const router = new ReportRouter({ markets: config.markets, metrics, logger: componentLogger(logger, 'reports'), maxBackpressureBytes: config.maxBackpressureBytes });
  const runtime = new EngineRuntime({
    pool,
    sequencer,
    risk: new LedgerStage(ledger),
    // Durability: settled events are journaled, and all output is held until the journal acknowledged it.
    publish: journal.publisher(new PublishFanout([router, jsonApi.router])),
    admission: () => (journal.failure ? Code.JOURNAL_UNAVAILABLE : journal.unackedCommands >= config.journal.maxUnackedCommands ? Code.OVERLOADED : Code.OK),
    onSequenced: (cmd) => {
      journal.appendCommand(cmd); // durability: before the command leaves for its market
      router.noteSequenced(cmd);
      jsonApi.router.noteSequenced(cmd);
    },
    parkTimeoutMs: config.parkTimeoutMs,
  });
  runtime.start();
  // Durability: periodic snapshots and state-hash publication (the policy decides; a cut takes no lock).
  const cutTimer = setInterval(() => journal.maybeSnapshot(pool), 1_000);
  cutTimer.unref();

  const accounts = new AccountDirectory({ keysPath: keyStorePath(config.dataDir), demo: config.demo, demoCreditMicros: config.demoCreditMicros, ledger, runtime, addressesPath: addressStorePath(config.dataDir) });
  const dropped = accounts.dropIdentitiesOfLostDemoAccounts(); // durability: see the method's comment
  if (dropped > 0) log.warn({ dropped }, 'forgot demo identities whose account creation was not journaled before a crash');
  accounts.ensurePlatformAccount();

  const app = uws.App();
  endpoint = new BinaryEndpoint({
    path: BINARY_PATH,
    runtime,
    router,
    accounts,
    metrics,
    logger: componentLogger(logger, 'binary'),
    nowUs: () => sequencer.nowUs(),
    maxConnections: config.maxConnections,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxBackpressureBytes: config.maxBackpressureBytes,
    deadManMaxMs: config.deadManMaxMs,
  });
  endpoint.attach(app);
  jsonApi.attach(app, {
    runtime,
    accounts,
    maxFrameBytes: config.maxFrameBytes,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxBackpressureBytes: config.maxBackpressureBytes,
    maxConnections: config.maxConnections,
  });
  attachOpsRoutes(app, {
    live: () => true,
    ready: () => ready,
    readyDetail: () => ({ markets: config.markets.map((m) => m.symbol), workers: pool.assignment(), connections: endpoint?.connectionCount ?? 0, demo: config.demo }),
    metricsText: () => metrics.render(),
  });

  listenSocket = await new Promise<uws.us_listen_socket | false>((resolve) => app.listen(config.host, config.port, resolve));
  if (!listenSocket) {
    jsonApi.close();
    clearInterval(cutTimer);
    await runtime.stop();
    await pool.close();
    await journal.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: the port is taken or not allowed; set PERPD_PORT (or --port) to a free port`);
  }
  const port = uws.us_socket_local_port(listenSocket as unknown as uws.us_socket);
  ready = true;
  log.info(
    { host: config.host, port, binaryPath: BINARY_PATH, demo: config.demo, markets: config.markets.map((m) => m.symbol), workers: pool.assignment() },
    'perpd listening',
  );

  let closed = false;
  return {
    port,
    ledger,
    runtime,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      ready = false;
      if (listenSocket) uws.us_listen_socket_close(listenSocket);
      listenSocket = false;
      endpoint?.closeAll();
      jsonApi.close();
      clearInterval(cutTimer);
      await runtime.stop();
      await pool.close();
      await journal.close();
      log.info('perpd stopped');
    },
  };
}
