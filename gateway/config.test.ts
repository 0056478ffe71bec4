import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoMarkets, type MarketSpec } from '../engine/market-spec.js';
import {
  ConfigError,
  CONFIG_ENV_VARS,
  defaultSpinIterations,
  defaultWorkerCount,
  effectiveConfigJson,
  envVarName,
  findUnknownEnvVars,
  loadConfig,
  type LoadConfigOptions,
} from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'perpd-config-test-'));
let fileCounter = 0;
/** Writes a config file (an object is JSON-encoded, a string written as is) and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCounter}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  try {
    loadConfig(options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected loadConfig to throw');
}

/** Exactly one problem, returned. */
function problemOf(options: LoadConfigOptions): string {
  const problems = problemsOf(options);
  assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join('\n')}`);
  return problems[0];
}

function market(overrides: Partial<MarketSpec> = {}): MarketSpec {
  return { ...demoMarkets()[0], ...overrides };
}

test('defaults are valid and match the documented values', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.port, 8080);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.dataDir, './data');
  assert.equal(c.demo, true);
  assert.equal(c.demoCreditMicros, 1_000_000_000_000);
  assert.deepEqual(
    c.markets.map((m) => m.symbol),
    demoMarkets().map((m) => m.symbol),
  );
  assert.equal(c.workers, defaultWorkerCount(demoMarkets().length));
  assert.equal(c.pinWorkers, false);
  assert.deepEqual(c.journal, {
    mode: 'sync',
    groupCommitMaxRecords: 1_000,
    groupCommitMaxDelayMicros: 500,
    maxUnackedCommands: 16_384,
    snapshotEveryCommands: 100_000,
    snapshotEveryMs: 600_000,
    hashEveryCommands: 20_000,
    retention: 'keep',
    keepSnapshots: 3,
  });
  assert.equal(c.logLevel, 'info');
  assert.equal(c.allowJsFallback, false);
  assert.equal(c.ledger.defaultLeverage, 20);
  assert.ok(c.batchSize <= c.commandRingRecords);
});

test('the printed effective config loads back as a config file to the same config', () => {
  const c = loadConfig({ env: {}, overrides: { port: 9100, journal: { mode: 'async' } } });
  const again = loadConfig({ env: {}, file: configFile(effectiveConfigJson(c)) });
  assert.deepEqual(again, c);
});

test('default worker count keeps one CPU for the gateway, at least one worker, at most one per market', () => {
  const cases: Array<[markets: number, cpus: number, workers: number]> = [
    [3, 2, 1],
    [3, 1, 1],
    [3, 8, 3],
    [5, 4, 3],
    [1, 16, 1],
  ];
  for (const [markets, cpus, workers] of cases) assert.equal(defaultWorkerCount(markets, cpus), workers, `${markets} markets, ${cpus} cpus`);
});

test('workers spin before parking only when a core is spare beyond the gateway thread and the workers', () => {
  assert.equal(defaultSpinIterations(1, 2), 0, '2 cores, 1 worker: no spare core');
  assert.equal(defaultSpinIterations(1, 3), 1_000);
  assert.equal(defaultSpinIterations(3, 4), 0);
  assert.equal(defaultSpinIterations(3, 5), 1_000);
  const derived = loadConfig({ env: {}, overrides: { workers: 1 } });
  assert.equal(derived.spinIterations, defaultSpinIterations(1), 'derived from the final worker count');
  assert.equal(loadConfig({ env: {}, overrides: { workers: 1, spinIterations: 7 } }).spinIterations, 7, 'an explicit value wins');
});

test('layers apply in order: defaults, file, environment, overrides', () => {
  const file = configFile({ port: 9000, host: '127.0.0.1', dataDir: '/var/perpd', journal: { mode: 'async' }, ledger: { defaultLeverage: 10 } });
  const fromFile = loadConfig({ env: {}, file });
  assert.equal(fromFile.port, 9000);
  assert.equal(fromFile.host, '127.0.0.1');
  assert.deepEqual(
    fromFile.journal,
    { mode: 'async', groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 500, maxUnackedCommands: 16_384, snapshotEveryCommands: 100_000, snapshotEveryMs: 600_000, hashEveryCommands: 20_000, retention: 'keep', keepSnapshots: 3 },
    'a section merges key by key',
  );
  assert.deepEqual(fromFile.ledger, { defaultLeverage: 10, maxAccounts: 1_000_000 });

  const withEnv = loadConfig({ env: { PERPD_PORT: '9100', PERPD_JOURNAL_MODE: 'sync' }, file });
  assert.equal(withEnv.port, 9100, 'env beats file');
  assert.equal(withEnv.journal.mode, 'sync');
  assert.equal(withEnv.host, '127.0.0.1', 'file beats defaults');

  const withOverrides = loadConfig({ env: { PERPD_PORT: '9100' }, file, overrides: { port: 9200, ledger: { maxAccounts: 50 } } });
  assert.equal(withOverrides.port, 9200, 'overrides beat env');
  assert.deepEqual(withOverrides.ledger, { defaultLeverage: 10, maxAccounts: 50 });
});

test('PERPD_CONFIG names the file unless a file is passed explicitly', () => {
  const viaEnv = configFile({ port: 9300 });
  const explicit = configFile({ port: 9400 });
  assert.equal(loadConfig({ env: { PERPD_CONFIG: viaEnv } }).port, 9300);
  assert.equal(loadConfig({ env: { PERPD_CONFIG: viaEnv }, file: explicit }).port, 9400);
});

test('environment values are parsed by type; empty variables count as unset', () => {
  const c = loadConfig({
    env: {
      PERPD_DEMO: 'false',
      PERPD_ALLOW_JS_FALLBACK: '1',
      PERPD_PIN_WORKERS: '1, 0',
      PERPD_HOST: '127.0.0.1',
      PERPD_LOG_LEVEL: 'debug',
      PERPD_LEDGER_DEFAULT_LEVERAGE: '5',
      PERPD_PORT: '',
    },
  });
  assert.equal(c.demo, false);
  assert.equal(c.allowJsFallback, true);
  assert.deepEqual(c.pinWorkers, [1, 0]);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.ledger.defaultLeverage, 5);
  assert.equal(c.port, 8080);
  assert.equal(loadConfig({ env: { PERPD_PIN_WORKERS: 'false' } }).pinWorkers, false);
});

test('markets from the file replace the demo markets; quoteMicrosPerTickLot may be left out', () => {
  const { quoteMicrosPerTickLot, ...withoutDerived } = market({ marketId: 7, symbol: 'DOGE-PERP' });
  const c = loadConfig({ env: {}, file: configFile({ markets: [withoutDerived] }) });
  assert.equal(c.markets.length, 1);
  assert.equal(c.markets[0].symbol, 'DOGE-PERP');
  assert.equal(c.markets[0].quoteMicrosPerTickLot, quoteMicrosPerTickLot);
  assert.equal(c.workers, 1, 'the default worker count follows the market list');
});

test('env var names derive from key paths', () => {
  assert.equal(envVarName('port'), 'PERPD_PORT');
  assert.equal(envVarName('dataDir'), 'PERPD_DATA_DIR');
  assert.equal(envVarName('journal.mode'), 'PERPD_JOURNAL_MODE');
  assert.equal(envVarName('allowJsFallback'), 'PERPD_ALLOW_JS_FALLBACK');
  for (const name of ['PERPD_PORT', 'PERPD_HOST', 'PERPD_DATA_DIR', 'PERPD_DEMO', 'PERPD_WORKERS', 'PERPD_LOG_LEVEL', 'PERPD_JOURNAL_MODE', 'PERPD_ALLOW_JS_FALLBACK', 'PERPD_CONFIG', 'PERPD_PIN_WORKERS']) {
    assert.ok(CONFIG_ENV_VARS.includes(name), name);
  }
  assert.deepEqual(findUnknownEnvVars({ PERPD_PROT: '1', PERPD_PORT: '2', HOME: '/' }), ['PERPD_PROT']);
});

test('the example error from the brief is exact', () => {
  assert.equal(problemOf({ env: { PERPD_PORT: 'abc' } }), 'PERPD_PORT must be an integer 0-65535, got "abc": set PERPD_PORT to a free port (0 lets the system pick one; the chosen port is logged)');
});

// Each case: how to provoke one problem, and fragments the message must contain:
// the field as the user wrote it, and the fix.
const invalidCases: Array<{ name: string; options: () => LoadConfigOptions; fragments: (string | RegExp)[] }> = [
  {
    name: 'a port out of range in the file names the file key and the file',
    options: () => ({ env: {}, file: configFile({ port: 70000 }) }),
    fragments: [/^"port" in \S+config-\d+\.json must be an integer 0-65535, got 70000: set "port" in \S+ to a free port \(0 lets the system pick one; the chosen port is logged\)$/],
  },
  {
    name: 'a port given as a string in the file is refused (no silent coercion)',
    options: () => ({ env: {}, file: configFile({ port: '8080' }) }),
    fragments: ['"port" in', 'got "8080"', 'to a free port'],
  },
  {
    name: 'a CLI flag is named as the flag',
    options: () => ({ env: {}, overrides: { port: 'abc' as unknown as number }, overrideNames: { port: '--port' } }),
    fragments: ['--port must be an integer 0-65535, got "abc": give --port a free port (0 lets the system pick one; the chosen port is logged)'],
  },
  {
    name: 'an unnamed programmatic override is named overrides.<key>',
    options: () => ({ env: {}, overrides: { maxConnections: 0 } }),
    fragments: ['overrides.maxConnections must be an integer 1-1000000, got 0: set overrides.maxConnections to'],
  },
  {
    name: 'more workers than markets',
    options: () => ({ env: { PERPD_WORKERS: '4' } }),
    fragments: ['PERPD_WORKERS must be an integer 1-3', '3 markets configured', 'got 4: set PERPD_WORKERS to'],
  },
  {
    name: 'a boolean that is not true/false',
    options: () => ({ env: { PERPD_DEMO: 'maybe' } }),
    fragments: ['PERPD_DEMO must be true or false, got "maybe": set PERPD_DEMO to true'],
  },
  {
    name: 'an unknown log level',
    options: () => ({ env: { PERPD_LOG_LEVEL: 'loud' } }),
    fragments: ['PERPD_LOG_LEVEL must be one of', 'got "loud": set PERPD_LOG_LEVEL to one of fatal, error'],
  },
  {
    name: 'an unknown journal mode',
    options: () => ({ env: { PERPD_JOURNAL_MODE: 'fast' } }),
    fragments: ['PERPD_JOURNAL_MODE must be one of "sync", "async", got "fast": set PERPD_JOURNAL_MODE to "sync"'],
  },
  {
    name: 'an empty host in the file',
    options: () => ({ env: {}, file: configFile({ host: '' }) }),
    fragments: ['"host" in', 'must be a non-empty string, got "": set "host" in', 'such as 0.0.0.0 or 127.0.0.1'],
  },
  {
    name: 'CPU ids that are not numbers',
    options: () => ({ env: { PERPD_PIN_WORKERS: 'a,b' } }),
    fragments: ['PERPD_PIN_WORKERS must be false or a non-empty list of distinct CPU ids', 'got "a,b": set PERPD_PIN_WORKERS to "1,2" or "false"'],
  },
  {
    name: 'a CPU listed twice',
    options: () => ({ env: {}, file: configFile({ pinWorkers: [1, 1] }) }),
    fragments: ['"pinWorkers" in', 'got [1,1]: set "pinWorkers" in', 'to [1, 2] or false'],
  },
  {
    name: 'a batch larger than the command ring',
    options: () => ({ env: { PERPD_BATCH_SIZE: '32768' } }),
    fragments: ['PERPD_BATCH_SIZE (32768) must not exceed commandRingRecords (16384): set PERPD_BATCH_SIZE to at most 16384'],
  },
  {
    name: 'a negative demo credit',
    options: () => ({ env: { PERPD_DEMO_CREDIT_MICROS: '-5' } }),
    fragments: ['PERPD_DEMO_CREDIT_MICROS must be an integer 1-', 'got -5: set PERPD_DEMO_CREDIT_MICROS to the demo credit in quote micros'],
  },
  {
    name: 'a zero default leverage in a file section',
    options: () => ({ env: {}, file: configFile({ ledger: { defaultLeverage: 0 } }) }),
    fragments: ['"ledger.defaultLeverage" in', 'must be an integer 1-1000, got 0: set "ledger.defaultLeverage" in', 'to a default leverage such as 20'],
  },
  {
    name: 'an unknown top-level key suggests the right spelling',
    options: () => ({ env: {}, file: configFile({ prot: 9000 }) }),
    fragments: ['unknown key "prot" in config file', '(did you mean "port"?)', 'remove it or correct the spelling'],
  },
  {
    name: 'an unknown key inside a section',
    options: () => ({ env: {}, file: configFile({ journal: { mdoe: 'sync' } }) }),
    fragments: ['unknown key "journal.mdoe"', '(did you mean "mode"?)', 'known keys of "journal": mode'],
  },
  {
    name: 'a section that is not an object',
    options: () => ({ env: {}, file: configFile({ journal: 'sync' }) }),
    fragments: ['"journal" in config file', 'must be an object such as {"mode":"sync"', 'got string: fix it in'],
  },
  {
    name: 'an unknown override key',
    options: () => ({ env: {}, overrides: { workerz: 2 } as never }),
    fragments: ['unknown key "workerz" in the overrides (did you mean "workers"?)'],
  },
  {
    name: 'a missing config file',
    options: () => ({ env: {}, file: join(dir, 'nope.json') }),
    fragments: ['nope.json does not exist: create it, or point --config / PERPD_CONFIG at an existing file'],
  },
  {
    name: 'a missing file named by PERPD_CONFIG says so',
    options: () => ({ env: { PERPD_CONFIG: join(dir, 'nope.json') } }),
    fragments: ['nope.json (from PERPD_CONFIG) does not exist'],
  },
  {
    name: 'a file that is not JSON',
    options: () => ({ env: {}, file: configFile('{ port: 1 ') }),
    fragments: ['is not valid JSON (', '): fix the syntax'],
  },
  {
    name: 'a file holding an array',
    options: () => ({ env: {}, file: configFile('[1]') }),
    fragments: ['must hold a JSON object such as {"port": 8080}, got an array: wrap the settings in { }'],
  },
  {
    name: 'an empty market list',
    options: () => ({ env: {}, file: configFile({ markets: [] }) }),
    fragments: ['"markets" in', 'must be a non-empty array of market specs, got an empty array: set "markets" in', 'or remove it to use the demo markets'],
  },
  {
    name: 'a market that fails mustValidateMarketSpec names the entry, the field and the fix',
    options: () => ({ env: {}, file: configFile({ markets: [market({ minOrderLots: 0 })] }) }),
    fragments: ['"markets[0]" in', 'market BTC-PERP (id 0): market spec: minOrderLots must be an integer', ': fix that market in'],
  },
  {
    name: 'a market tick size given as a number',
    options: () => ({ env: {}, file: configFile({ markets: [{ ...market(), tickSize: 0.1 }] }) }),
    fragments: ['"markets[0]" in', 'tickSize must be a string decimal such as "0.1", got 0.1: fix that market in'],
  },
  {
    name: 'a misspelt market key',
    options: () => ({ env: {}, file: configFile({ markets: [{ ...market(), tickSzie: '0.1' }] }) }),
    fragments: ['"markets[0]" in', 'unknown key "tickSzie" (did you mean "tickSize"?)', 'fix that market in'],
  },
  {
    name: 'two markets with one marketId',
    options: () => ({ env: {}, file: configFile({ markets: [market(), market({ symbol: 'OTHER-PERP' })] }) }),
    fragments: ['marketId 0 is used by both BTC-PERP and OTHER-PERP: give each market its own marketId'],
  },
  {
    name: 'two markets with one symbol',
    options: () => ({ env: {}, file: configFile({ markets: [market(), market({ marketId: 9 })] }) }),
    fragments: ['symbol BTC-PERP is used by both marketId 0 and marketId 9: give each market its own symbol'],
  },
];

for (const c of invalidCases) {
  test(`invalid: ${c.name}`, () => {
    const message = problemOf(c.options());
    for (const fragment of c.fragments) {
      if (typeof fragment === 'string') assert.ok(message.includes(fragment), `message lacks ${JSON.stringify(fragment)}:\n${message}`);
      else assert.match(message, fragment);
    }
  });
}

test('all problems are reported at once, and the error message lists them', () => {
  const options = { env: { PERPD_PORT: 'abc', PERPD_DEMO: 'maybe' }, file: configFile({ prot: 1 }) };
  const problems = problemsOf(options);
  assert.equal(problems.length, 3);
  assert.throws(() => loadConfig(options), (err: Error) => err.message.startsWith('3 configuration problems:\n  - unknown key "prot"'));
});
