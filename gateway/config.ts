/**
 * The daemon's configuration: one typed object, embedded defaults, four layers.
 *
 *   defaults  ←  JSON config file (--config or PERPD_CONFIG)  ←  PERPD_* environment  ←  programmatic overrides
 *
 * A later layer wins key by key. `npm start` works on a fresh machine with no file.
 * Everything is validated once at start-up; all problems are reported together, each
 * naming where the bad value came from (file key, env var, CLI flag) and what to do.
 * Unknown keys in the file (or overrides) are rejected with a spelling suggestion.
 *
 * Env var names are derived from key paths: `dataDir` → PERPD_DATA_DIR,
 * `journal.mode` → PERPD_JOURNAL_MODE, `ledger.defaultLeverage` →
 * PERPD_LEDGER_DEFAULT_LEVERAGE. `markets` can only come from the file. An empty
 * variable counts as unset.
 *
 * Relative paths (`dataDir`, the config file) are relative to the working directory,
 * not to the config file.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  computeQuoteMicrosPerTickLot,
  demoMarkets,
  MAX_NOTIONAL_MICROS,
  mustValidateMarketSpec,
  type LeverageTier,
  type MarketSpec,
} from '../engine/market-spec.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const JOURNAL_MODES = ['sync', 'async'] as const;
export type JournalMode = (typeof JOURNAL_MODES)[number];
export const RETENTION_MODES = ['keep', 'prune', 'archive'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

/**
 * Durability (docs/durability.md). `sync` = a command is acknowledged only once its
 * group commit is flushed to disk (the architecture's non-negotiable default);
 * `async` = acknowledged once committed (survives kill -9; an OS crash or power loss
 * may lose the last ~ms of acknowledged commands).
 */
export interface JournalConfig {
  mode: JournalMode;
  /** A group commit starts at once when this many records are queued (and none is in flight). */
  groupCommitMaxRecords: number;
  /** Otherwise it starts after this long; below 1000 = at the end of the event-loop turn. */
  groupCommitMaxDelayMicros: number;
  /**
   * Backpressure: the most commands accepted but not yet acknowledgeable (appended,
   * not yet durable/committed). Beyond it new commands are answered OVERLOADED: output
   * is held until the journal covers it, so without this bound an offered rate above
   * what the gateway can answer would queue answers (and memory) without limit.
   */
  maxUnackedCommands: number;
  /** Snapshot every this many commands (0 = never). */
  snapshotEveryCommands: number;
  /** Snapshot when this long passed since the last one and commands arrived (0 = never). */
  snapshotEveryMs: number;
  /** Publish the state hash (journal, log) every this many commands between snapshots (0 = at snapshots only). */
  hashEveryCommands: number;
  /** What happens to journal entries older than the oldest kept snapshot. */
  retention: RetentionMode;
  /** Snapshots kept by retention 'prune' / 'archive' (the archive goes to <dataDir>/journal-archive). */
  keepSnapshots: number;
}

export interface LedgerConfig {
  /** Leverage of a position nobody set leverage on; the ledger caps it at each market's first tier. */
  defaultLeverage: number;
  /** Upper bound on accounts (bounded everything). */
  maxAccounts: number;
}

export interface PerpdConfig {
  port: number;
  host: string;
  /** Journal, snapshots and keys.json live here. */
  dataDir: string;
  /** Demo mode: an account is credited `demoCreditMicros` on first contact. Outside demo mode only deposits fund accounts. */
  demo: boolean;
  demoCreditMicros: number;
  /** Market specs; `maxOpenOrdersPerAccount` and the other per-market limits live in each spec. */
  markets: MarketSpec[];
  /** Market worker threads, 1..markets.length. Default max(1, min(markets, availableParallelism − 1)). */
  workers: number;
  /** false, or CPU ids: worker i is pinned to pinWorkers[i % pinWorkers.length] (Linux, taskset). */
  pinWorkers: false | number[];
  /** Capacity of each worker's command ring (gateway → worker), in records. */
  commandRingRecords: number;
  /** Capacity of each worker's event ring (worker → gateway), in records. */
  eventRingRecords: number;
  /**
   * Idle polls of an empty ring before a worker parks on its doorbell. Default
   * (`defaultSpinIterations`): 1,000 when the machine has a core to spare beyond the
   * gateway thread and one per worker, else 0 (park at once): a spinning worker on a
   * full machine takes the gateway thread's core (docs/runtime.md, "Waiting strategy").
   */
  spinIterations: number;
  /** Longest a parked thread sleeps before re-checking its rings. */
  parkTimeoutMs: number;
  /** Most records moved per ring pop. */
  batchSize: number;
  /** Largest WebSocket frame / HTTP body accepted. */
  maxFrameBytes: number;
  maxSubscriptionsPerConnection: number;
  /** A connection whose unsent data exceeds this is a slow consumer: market data to it is dropped. */
  maxBackpressureBytes: number;
  maxConnections: number;
  /** Longest dead-man countdown a client may arm. */
  deadManMaxMs: number;
  journal: JournalConfig;
  logLevel: LogLevel;
  /** Run even when uWebSockets.js fell back to its slow ws-based JS implementation. */
  allowJsFallback: boolean;
  ledger: LedgerConfig;
}

/** What `loadConfig` accepts as overrides: any top-level key, and sections key by key. */
export type PerpdConfigOverrides = Partial<Omit<PerpdConfig, 'journal' | 'ledger'>> & {
  journal?: Partial<JournalConfig>;
  ledger?: Partial<LedgerConfig>;
};

export interface LoadConfigOptions {
  /** Config file path; when absent, env.PERPD_CONFIG; when both are absent, no file. */
  file?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  overrides?: PerpdConfigOverrides;
  /** How to name an override key in errors, e.g. { port: '--port' } (set by the CLI). */
  overrideNames?: Readonly<Record<string, string>>;
}

/** All problems found, one sentence each: what is wrong, where it came from, what to do. */
export class ConfigError extends Error {
  readonly code = 'PERPD_CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} configuration problems:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------
// Scalar keys: one rule each (type, range, the fix to suggest). The env var name
// is derived from the path.

type ScalarKind = 'int' | 'bool' | 'string' | 'enum';

interface ScalarRule {
  path: string;
  kind: ScalarKind;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Completes "set X to …". */
  fix: string;
}

const SCALAR_RULES: readonly ScalarRule[] = [
  { path: 'port', kind: 'int', min: 0, max: 65535, fix: 'a free port (0 lets the system pick one; the chosen port is logged)' },
  { path: 'host', kind: 'string', fix: 'the address to listen on, such as 0.0.0.0 or 127.0.0.1' },
  { path: 'dataDir', kind: 'string', fix: 'a writable directory such as ./data' },
  { path: 'demo', kind: 'bool', fix: 'true (demo credit on first contact) or false (deposits only)' },
  { path: 'demoCreditMicros', kind: 'int', min: 1, max: MAX_NOTIONAL_MICROS, fix: 'the demo credit in quote micros, e.g. 1000000000000 for 1,000,000 USDC' },
  { path: 'workers', kind: 'int', min: 1, max: 1024, fix: 'a number of worker threads no larger than the number of markets' },
  { path: 'commandRingRecords', kind: 'int', min: 16, max: 16_777_216, fix: 'a ring capacity in records, e.g. 16384' },
  { path: 'eventRingRecords', kind: 'int', min: 16, max: 16_777_216, fix: 'a ring capacity in records, e.g. 65536' },
  { path: 'spinIterations', kind: 'int', min: 0, max: 100_000_000, fix: 'a number of idle polls before parking, e.g. 1000 (0 parks at once)' },
  { path: 'parkTimeoutMs', kind: 'int', min: 1, max: 60_000, fix: 'a park timeout in milliseconds, e.g. 50' },
  { path: 'batchSize', kind: 'int', min: 1, max: 65_536, fix: 'a batch size in records, e.g. 64' },
  { path: 'maxFrameBytes', kind: 'int', min: 256, max: 16_777_216, fix: 'a frame size limit in bytes, e.g. 65536' },
  { path: 'maxSubscriptionsPerConnection', kind: 'int', min: 1, max: 100_000, fix: 'a subscription limit, e.g. 100' },
  { path: 'maxBackpressureBytes', kind: 'int', min: 1024, max: 1_073_741_824, fix: 'a per-connection send buffer limit in bytes, e.g. 1048576' },
  { path: 'maxConnections', kind: 'int', min: 1, max: 1_000_000, fix: 'a connection limit, e.g. 10000' },
  { path: 'deadManMaxMs', kind: 'int', min: 1_000, max: 86_400_000, fix: 'the longest dead-man countdown in milliseconds, e.g. 300000' },
  { path: 'journal.mode', kind: 'enum', values: JOURNAL_MODES, fix: '"sync" (durable acks) or "async" (benchmarks only)' },
  { path: 'journal.groupCommitMaxRecords', kind: 'int', min: 1, max: 1_000_000, fix: 'the most commands per durable flush, e.g. 1000' },
  { path: 'journal.groupCommitMaxDelayMicros', kind: 'int', min: 0, max: 1_000_000, fix: 'a group-commit wait in microseconds, e.g. 500' },
  { path: 'journal.maxUnackedCommands', kind: 'int', min: 1, max: 10_000_000, fix: 'the most commands waiting for the journal before OVERLOADED, e.g. 16384' },
  { path: 'journal.snapshotEveryCommands', kind: 'int', min: 0, max: 1_000_000_000, fix: 'a number of commands between snapshots, e.g. 100000 (0 = never)' },
  { path: 'journal.snapshotEveryMs', kind: 'int', min: 0, max: 86_400_000, fix: 'milliseconds between snapshots, e.g. 600000 (0 = never)' },
  { path: 'journal.hashEveryCommands', kind: 'int', min: 0, max: 1_000_000_000, fix: 'a number of commands between published state hashes, e.g. 20000 (0 = at snapshots only)' },
  { path: 'journal.retention', kind: 'enum', values: RETENTION_MODES, fix: '"keep" (everything), "prune" or "archive" (entries before the oldest kept snapshot)' },
  { path: 'journal.keepSnapshots', kind: 'int', min: 1, max: 1_000, fix: 'how many snapshots retention keeps, e.g. 3' },
  { path: 'logLevel', kind: 'enum', values: LOG_LEVELS, fix: 'one of fatal, error, warn, info, debug, trace, silent' },
  { path: 'allowJsFallback', kind: 'bool', fix: 'true only to accept the slow ws-based uWebSockets.js fallback, otherwise false' },
  { path: 'ledger.defaultLeverage', kind: 'int', min: 1, max: 1_000, fix: 'a default leverage such as 20' },
  { path: 'ledger.maxAccounts', kind: 'int', min: 1, max: 100_000_000, fix: 'an account limit, e.g. 1000000' },
];

const RULE_BY_PATH = new Map(SCALAR_RULES.map((r) => [r.path, r]));
const SECTIONS = ['journal', 'ledger'] as const;
/** Non-scalar top-level keys with their own validation. */
const SPECIAL_PATHS = ['markets', 'pinWorkers'] as const;
const KNOWN_PATHS = new Set<string>([...SCALAR_RULES.map((r) => r.path), ...SPECIAL_PATHS]);
const TOP_LEVEL_KEYS = [...new Set([...KNOWN_PATHS].map((p) => p.split('.')[0]))];

/** `dataDir` → PERPD_DATA_DIR, `journal.mode` → PERPD_JOURNAL_MODE. */
export function envVarName(path: string): string {
  return 'PERPD_' + path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every environment variable loadConfig reads (for --help and typo warnings). */
export const CONFIG_ENV_VARS: readonly string[] = [
  'PERPD_CONFIG',
  ...SCALAR_RULES.map((r) => envVarName(r.path)),
  envVarName('pinWorkers'),
];

/** PERPD_* variables that loadConfig does not know: likely typos; the CLI warns about them. */
export function findUnknownEnvVars(env: NodeJS.ProcessEnv, alsoKnown: readonly string[] = []): string[] {
  const known = new Set([...CONFIG_ENV_VARS, ...alsoKnown]);
  return Object.keys(env)
    .filter((k) => k.startsWith('PERPD_') && !known.has(k))
    .sort();
}

/** max(1, min(markets, CPUs − 1)): one CPU stays with the gateway thread. */
export function defaultWorkerCount(marketCount: number, cpuCount: number = availableParallelism()): number {
  return Math.max(1, Math.min(marketCount, cpuCount - 1));
}

/** Spin only with a spare core: the gateway thread, each worker and one more (LMDB's writer, the OS, other processes). */
export function defaultSpinIterations(workers: number, cpuCount: number = availableParallelism()): number {
  return cpuCount >= workers + 2 ? 1_000 : 0;
}

/** The embedded defaults (workers is derived from the final market list unless set, spinIterations from workers). */
export function defaultConfig(): Omit<PerpdConfig, 'workers' | 'spinIterations'> {
  return {
    port: 8080,
    host: '0.0.0.0',
    dataDir: './data',
    demo: true,
    demoCreditMicros: 1_000_000_000_000, // 1,000,000 USDC
    markets: demoMarkets(),
    pinWorkers: false,
    commandRingRecords: 16_384, // × 18 Float64 = 2.4 MB per worker
    eventRingRecords: 65_536, // × 14 Float64 = 7.3 MB per worker; a command may emit many events
    parkTimeoutMs: 50,
    batchSize: 64, // ring throughput measured with batches of 64
    maxFrameBytes: 65_536,
    maxSubscriptionsPerConnection: 100,
    maxBackpressureBytes: 1_048_576,
    maxConnections: 10_000,
    deadManMaxMs: 300_000,
    journal: {
      mode: 'sync',
      groupCommitMaxRecords: 1_000,
      groupCommitMaxDelayMicros: 500,
      maxUnackedCommands: 16_384,
      snapshotEveryCommands: 100_000,
      snapshotEveryMs: 600_000,
      hashEveryCommands: 20_000,
      retention: 'keep',
      keepSnapshots: 3,
    },
    logLevel: 'info',
    allowJsFallback: false,
    ledger: { defaultLeverage: 20, maxAccounts: 1_000_000 },
  };
}

// ---------------------------------------------------------------------------------
// Layers: flat maps from key path to value, each with where it came from.

type Source =
  | { kind: 'default' }
  | { kind: 'file'; file: string }
  | { kind: 'env' }
  | { kind: 'override'; names: Readonly<Record<string, string>> };

interface Entry {
  value: unknown;
  source: Source;
}

/** How a key from `source` is named in an error, and how to say "change it to …". */
function describe(path: string, source: Source): { label: string; setTo: (what: string) => string } {
  switch (source.kind) {
    case 'default':
      return { label: `${path} (default)`, setTo: (what) => `set "${path}" in the config file or ${envVarName(path)} to ${what}` };
    case 'file':
      return { label: `"${path}" in ${source.file}`, setTo: (what) => `set "${path}" in ${source.file} to ${what}` };
    case 'env':
      return { label: envVarName(path), setTo: (what) => `set ${envVarName(path)} to ${what}` };
    case 'override': {
      const name = source.names[path];
      if (name) return { label: name, setTo: (what) => `give ${name} ${what}` };
      return { label: `overrides.${path}`, setTo: (what) => `set overrides.${path} to ${what}` };
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** Edit distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** "did you mean" suffix, or ''. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** Flattens a file / overrides object into path → value, rejecting unknown keys. */
function flattenObject(obj: Record<string, unknown>, where: string, fixPlace: string, problems: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (!TOP_LEVEL_KEYS.includes(key)) {
      problems.push(`unknown key "${key}" in ${where}${suggest(key, TOP_LEVEL_KEYS)}: remove it or correct the spelling in ${fixPlace}; known keys: ${TOP_LEVEL_KEYS.join(', ')}`);
      continue;
    }
    if ((SECTIONS as readonly string[]).includes(key)) {
      if (!isPlainObject(value)) {
        problems.push(`"${key}" in ${where} must be an object such as ${JSON.stringify(sectionExample(key))}, got ${kindOf(value)}: fix it in ${fixPlace}`);
        continue;
      }
      const subKeys = SCALAR_RULES.filter((r) => r.path.startsWith(key + '.')).map((r) => r.path.slice(key.length + 1));
      for (const [sub, subValue] of Object.entries(value)) {
        if (subValue === undefined) continue;
        if (!subKeys.includes(sub)) {
          problems.push(`unknown key "${key}.${sub}" in ${where}${suggest(sub, subKeys)}: remove it or correct the spelling in ${fixPlace}; known keys of "${key}": ${subKeys.join(', ')}`);
          continue;
        }
        out.set(`${key}.${sub}`, subValue);
      }
      continue;
    }
    out.set(key, value);
  }
  return out;
}

function sectionExample(section: string): unknown {
  const d = defaultConfig() as unknown as Record<string, unknown>;
  return d[section];
}

/** Env text → typed value; text that does not parse is returned as is, so validation reports it verbatim. */
export function parseConfigText(path: string, text: string): unknown {
  const t = text.trim();
  if (path === 'pinWorkers') {
    if (/^(false|0|no|off|none)$/i.test(t)) return false;
    if (/^\d+(\s*,\s*\d+)*$/.test(t)) return t.split(',').map((s) => Number(s.trim()));
    return text;
  }
  const rule = RULE_BY_PATH.get(path);
  if (!rule) return text;
  switch (rule.kind) {
    case 'int':
      return /^-?\d+$/.test(t) ? Number(t) : text;
    case 'bool':
      if (/^(true|1)$/i.test(t)) return true;
      if (/^(false|0)$/i.test(t)) return false;
      return text;
    default:
      return t;
  }
}

function readEnvLayer(env: NodeJS.ProcessEnv): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const path of [...SCALAR_RULES.map((r) => r.path), 'pinWorkers']) {
    const text = env[envVarName(path)];
    if (text === undefined || text.trim() === '') continue;
    out.set(path, parseConfigText(path, text));
  }
  return out;
}

function readFileLayer(file: string, fromEnv: boolean, problems: string[]): Map<string, unknown> | undefined {
  const path = resolve(file);
  const origin = fromEnv ? ' (from PERPD_CONFIG)' : '';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      problems.push(`config file ${path}${origin} does not exist: create it, or point --config / PERPD_CONFIG at an existing file, or drop both to use the defaults`);
    } else {
      problems.push(`config file ${path}${origin} cannot be read (${(err as Error).message}): check the path and its permissions`);
    }
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    problems.push(`config file ${path}${origin} is not valid JSON (${(err as Error).message}): fix the syntax`);
    return undefined;
  }
  if (!isPlainObject(parsed)) {
    problems.push(`config file ${path}${origin} must hold a JSON object such as {"port": 8080}, got ${kindOf(parsed)}: wrap the settings in { }`);
    return undefined;
  }
  return flattenObject(parsed, `config file ${path}`, path, problems);
}

// ---------------------------------------------------------------------------------
// Validation.

function checkScalar(rule: ScalarRule, value: unknown, max: number | undefined): string | undefined {
  switch (rule.kind) {
    case 'int': {
      const hi = max ?? rule.max!;
      const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= rule.min! && value <= hi;
      return ok ? undefined : `an integer ${rule.min}-${hi}`;
    }
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? undefined : 'a non-empty string';
    case 'enum':
      return typeof value === 'string' && rule.values!.includes(value) ? undefined : `one of ${rule.values!.map((v) => `"${v}"`).join(', ')}`;
  }
}

const MARKET_NUMBER_KEYS = [
  'marketId',
  'quoteMicrosPerTickLot',
  'minOrderLots',
  'maxOrderLots',
  'maxPositionLots',
  'maxPriceTicks',
  'makerFeePpm',
  'takerFeePpm',
  'priceBandPpm',
  'maxOpenOrdersPerAccount',
  'initialMarkPriceTicks',
] as const;
const MARKET_STRING_KEYS = ['symbol', 'tickSize', 'lotSize'] as const;
const MARKET_KEYS: readonly string[] = [...MARKET_STRING_KEYS, ...MARKET_NUMBER_KEYS, 'tiers'];
const TIER_KEYS: readonly string[] = ['maxNotionalMicros', 'imPpm', 'mmPpm'] satisfies (keyof LeverageTier)[];

/**
 * Checks the shape of one market entry (so mustValidateMarketSpec sees the right
 * types), derives quoteMicrosPerTickLot when it is left out, then validates the spec.
 * Returns the spec or undefined after recording a problem.
 */
function checkMarket(raw: unknown, label: string, hint: string, problems: string[]): MarketSpec | undefined {
  const fail = (what: string): undefined => {
    problems.push(`${label}: ${what}: ${hint}`);
    return undefined;
  };
  if (!isPlainObject(raw)) return fail(`must be a market spec object, got ${kindOf(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!MARKET_KEYS.includes(key)) return fail(`unknown key "${key}"${suggest(key, MARKET_KEYS)}; known keys: ${MARKET_KEYS.join(', ')}`);
  }
  for (const key of MARKET_STRING_KEYS) {
    if (typeof raw[key] !== 'string') return fail(`${key} must be a string${key === 'symbol' ? ' such as "BTC-PERP"' : ' decimal such as "0.1"'}, got ${JSON.stringify(raw[key]) ?? 'nothing'}`);
  }
  const spec = { ...raw } as Record<string, unknown>;
  if (spec.quoteMicrosPerTickLot === undefined) {
    try {
      spec.quoteMicrosPerTickLot = computeQuoteMicrosPerTickLot(raw.tickSize as string, raw.lotSize as string);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  for (const key of MARKET_NUMBER_KEYS) {
    if (typeof spec[key] !== 'number') return fail(`${key} must be a number, got ${JSON.stringify(spec[key]) ?? 'nothing'}`);
  }
  if (!Array.isArray(raw.tiers)) return fail(`tiers must be an array of leverage tiers, got ${JSON.stringify(raw.tiers) ?? 'nothing'}`);
  for (const [i, tier] of raw.tiers.entries()) {
    if (!isPlainObject(tier)) return fail(`tiers[${i}] must be an object {maxNotionalMicros, imPpm, mmPpm}, got ${kindOf(tier)}`);
    for (const key of Object.keys(tier)) {
      if (!TIER_KEYS.includes(key)) return fail(`tiers[${i}] has unknown key "${key}"${suggest(key, TIER_KEYS)}; known keys: ${TIER_KEYS.join(', ')}`);
    }
    for (const key of TIER_KEYS) {
      if (typeof tier[key] !== 'number') return fail(`tiers[${i}].${key} must be a number, got ${JSON.stringify(tier[key]) ?? 'nothing'}`);
    }
  }
  spec.tiers = raw.tiers.map((t) => {
    const tier = t as Record<string, unknown>;
    return { maxNotionalMicros: tier.maxNotionalMicros, imPpm: tier.imPpm, mmPpm: tier.mmPpm };
  });
  try {
    mustValidateMarketSpec(spec as unknown as MarketSpec);
  } catch (err) {
    return fail((err as Error).message);
  }
  return canonicalMarket(spec);
}

/** The spec's keys in a fixed, readable order (identity fields first). */
function canonicalMarket(spec: Record<string, unknown>): MarketSpec {
  const out: Record<string, unknown> = {};
  for (const key of ['marketId', 'symbol', 'tickSize', 'lotSize', ...MARKET_NUMBER_KEYS, 'tiers']) if (!(key in out)) out[key] = spec[key];
  return out as unknown as MarketSpec;
}

function checkMarkets(entry: Entry, problems: string[]): MarketSpec[] | undefined {
  const { label, setTo } = describe('markets', entry.source);
  const fix =
    entry.source.kind === 'file' ? `fix that market in ${entry.source.file}` : entry.source.kind === 'override' ? `fix that market in the markets override` : 'fix that market';
  if (!Array.isArray(entry.value) || entry.value.length === 0) {
    problems.push(`${label} must be a non-empty array of market specs, got ${Array.isArray(entry.value) ? 'an empty array' : kindOf(entry.value)}: ${setTo('a list of market specs')}, or remove it to use the demo markets`);
    return undefined;
  }
  const before = problems.length;
  const markets: MarketSpec[] = [];
  entry.value.forEach((raw, i) => {
    const where = describe(`markets[${i}]`, entry.source);
    const spec = checkMarket(raw, where.label, fix, problems);
    if (spec) markets.push(spec);
  });
  if (problems.length > before) return undefined;
  const byId = new Map<number, string>();
  const bySymbol = new Map<string, number>();
  for (const m of markets) {
    const otherSymbol = byId.get(m.marketId);
    if (otherSymbol !== undefined) problems.push(`${label}: marketId ${m.marketId} is used by both ${otherSymbol} and ${m.symbol}: give each market its own marketId`);
    else byId.set(m.marketId, m.symbol);
    const otherId = bySymbol.get(m.symbol);
    if (otherId !== undefined) problems.push(`${label}: symbol ${m.symbol} is used by both marketId ${otherId} and marketId ${m.marketId}: give each market its own symbol`);
    else bySymbol.set(m.symbol, m.marketId);
  }
  return problems.length > before ? undefined : markets;
}

function checkPinWorkers(entry: Entry, problems: string[]): void {
  const v = entry.value;
  if (v === false) return;
  const ok =
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((c) => typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 && c <= 4095) &&
    new Set(v).size === v.length;
  if (ok) return;
  const { label, setTo } = describe('pinWorkers', entry.source);
  const example = entry.source.kind === 'env' ? '"1,2" or "false"' : '[1, 2] or false';
  problems.push(`${label} must be false or a non-empty list of distinct CPU ids 0-4095, got ${JSON.stringify(v)}: ${setTo(example)} (worker i runs on the i-th listed CPU, cycling)`);
}

// ---------------------------------------------------------------------------------

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    target[path] = value;
    return;
  }
  const section = path.slice(0, dot);
  const inner = (target[section] ??= {}) as Record<string, unknown>;
  inner[path.slice(dot + 1)] = value;
}

function flattenDefaults(): Map<string, unknown> {
  const d = defaultConfig() as unknown as Record<string, unknown>;
  const out = new Map<string, unknown>();
  for (const path of KNOWN_PATHS) {
    if (path === 'workers' || path === 'spinIterations') continue; // derived below from the final market list
    const [a, b] = path.split('.');
    out.set(path, b === undefined ? d[a] : (d[a] as Record<string, unknown>)[b]);
  }
  return out;
}

/**
 * Builds the effective configuration: defaults ← file ← env ← overrides, then
 * validates it. Throws ConfigError listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): PerpdConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const merged = new Map<string, Entry>();
  const apply = (layer: Map<string, unknown> | undefined, source: Source): void => {
    if (layer) for (const [path, value] of layer) merged.set(path, { value, source });
  };

  apply(flattenDefaults(), { kind: 'default' });
  const envFile = env.PERPD_CONFIG?.trim() ? env.PERPD_CONFIG : undefined;
  const file = options.file ?? envFile;
  if (file !== undefined) apply(readFileLayer(file, options.file === undefined, problems), { kind: 'file', file: resolve(file) });
  apply(readEnvLayer(env), { kind: 'env' });
  if (options.overrides) {
    const names = options.overrideNames ?? {};
    const where = 'the overrides';
    if (!isPlainObject(options.overrides)) problems.push(`overrides must be an object, got ${kindOf(options.overrides)}`);
    else apply(flattenObject(options.overrides as Record<string, unknown>, where, where, problems), { kind: 'override', names });
  }

  // markets first: the worker bound depends on them.
  const marketsEntry = merged.get('markets')!;
  const markets = checkMarkets(marketsEntry, problems);
  if (markets) marketsEntry.value = markets;
  const marketCount = Array.isArray(marketsEntry.value) ? marketsEntry.value.length : undefined;
  if (!merged.has('workers') && marketCount !== undefined && marketCount > 0) {
    merged.set('workers', { value: defaultWorkerCount(marketCount), source: { kind: 'default' } });
  }
  const workers = merged.get('workers')?.value;
  if (!merged.has('spinIterations') && typeof workers === 'number') {
    merged.set('spinIterations', { value: defaultSpinIterations(workers), source: { kind: 'default' } });
  }

  const invalid = new Set<string>();
  for (const rule of SCALAR_RULES) {
    const entry = merged.get(rule.path);
    if (!entry) continue;
    const max = rule.path === 'workers' && marketCount ? Math.min(rule.max!, marketCount) : undefined;
    const expected = checkScalar(rule, entry.value, max);
    if (expected === undefined) continue;
    invalid.add(rule.path);
    const { label, setTo } = describe(rule.path, entry.source);
    const why = rule.path === 'workers' && marketCount ? ` (at most one worker per market; ${marketCount} market${marketCount === 1 ? '' : 's'} configured)` : '';
    problems.push(`${label} must be ${expected}${why}, got ${JSON.stringify(entry.value) ?? 'nothing'}: ${setTo(rule.fix)}`);
  }
  checkPinWorkers(merged.get('pinWorkers')!, problems);

  // Cross-field checks, only between individually valid fields.
  const batch = merged.get('batchSize')!;
  const ring = merged.get('commandRingRecords')!;
  if (!invalid.has('batchSize') && !invalid.has('commandRingRecords') && (batch.value as number) > (ring.value as number)) {
    const { label, setTo } = describe('batchSize', batch.source);
    problems.push(`${label} (${batch.value}) must not exceed commandRingRecords (${ring.value}): ${setTo(`at most ${ring.value}`)}, or enlarge commandRingRecords`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  const config: Record<string, unknown> = {};
  for (const [path, entry] of merged) setPath(config, path, entry.value);
  return orderKeys(config) as unknown as PerpdConfig;
}

/** Same key order as the defaults, so printed configs read consistently. */
function orderKeys(config: Record<string, unknown>): Record<string, unknown> {
  const order = ['port', 'host', 'dataDir', 'demo', 'demoCreditMicros', 'markets', 'workers', 'pinWorkers', 'spinIterations', ...Object.keys(defaultConfig())];
  const out: Record<string, unknown> = {};
  for (const key of order) if (key in config && !(key in out)) out[key] = config[key];
  return out;
}

/** The effective configuration as JSON (`perpd config print`); loadable again as a config file. */
export function effectiveConfigJson(config: PerpdConfig): string {
  return JSON.stringify(config, null, 2) + '\n';
}
