#!/usr/bin/env node
/**
 * The perpd command line (package.json bin; runs from dist/scripts/perpd.js).
 *
 *   perpd start [options]        run the daemon until SIGINT/SIGTERM
 *   perpd config print [options] print the effective configuration as JSON
 *   perpd keys add|list|revoke   manage API keys (<dataDir>/keys.json)
 *   perpd replay [--verify]      replay the journal, check state hashes (persistence/verify.ts)
 *   perpd journal inspect        print journal entries in human form (persistence/inspect.ts)
 *   perpd --help | --version
 *
 * Exit codes: 0 success; 1 failure (invalid configuration, refused start, key store
 * error, daemon error); 2 usage error (unknown command or option, missing value),
 * printed with the help.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  CONFIG_ENV_VARS,
  effectiveConfigJson,
  findUnknownEnvVars,
  loadConfig,
  parseConfigText,
  suggest,
  type PerpdConfig,
  type PerpdConfigOverrides,
} from '../gateway/config.js';
import { componentLogger, createLogger, type Logger } from '../gateway/logger.js';
import { mustUseNativeUws } from '../gateway/uws-check.js';
import { addKey, KeyStoreError, keyStorePath, listKeys, revokeKey, type ApiKeyRecord } from '../gateway/auth/key-store.js';

// ---------------------------------------------------------------------------------
// Command table.

interface OptionSpec {
  /** Without the leading dashes. */
  name: string;
  /** Placeholder of the value (e.g. 'N'); absent for a flag. */
  value?: string;
  help: string;
  /** Config key this option overrides, and the value of a flag. */
  configPath?: string;
  flagValue?: unknown;
}

type Parsed = Map<string, string | true>;

interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  run(opts: Parsed): Promise<number>;
}

const CONFIG_FILE_OPTION: OptionSpec = { name: 'config', value: 'FILE', help: 'JSON config file (default: $PERPD_CONFIG, else built-in defaults)' };
const DATA_DIR_OPTION: OptionSpec = { name: 'data-dir', value: 'DIR', help: 'data directory (journal, snapshots, keys.json)', configPath: 'dataDir' };

const CONFIG_OPTIONS: OptionSpec[] = [
  CONFIG_FILE_OPTION,
  { name: 'port', value: 'N', help: 'listen port (default 8080)', configPath: 'port' },
  { name: 'host', value: 'ADDR', help: 'listen address (default 0.0.0.0)', configPath: 'host' },
  DATA_DIR_OPTION,
  { name: 'no-demo', help: 'no demo credit: only deposits fund accounts', configPath: 'demo', flagValue: false },
  { name: 'workers', value: 'N', help: 'market worker threads (default: min(markets, CPUs - 1), at least 1)', configPath: 'workers' },
  { name: 'log-level', value: 'LEVEL', help: 'fatal|error|warn|info|debug|trace|silent (default info)', configPath: 'logLevel' },
  { name: 'allow-js-fallback', help: 'run even on the slow JS fallback of uWebSockets.js', configPath: 'allowJsFallback', flagValue: true },
];

const KEY_STORE_OPTIONS: OptionSpec[] = [CONFIG_FILE_OPTION, DATA_DIR_OPTION];

const COMMANDS: CommandSpec[] = [
  { name: 'start', summary: 'run the daemon (stops on SIGINT/SIGTERM; a second signal forces exit)', options: CONFIG_OPTIONS, run: runStart },
  { name: 'config print', summary: 'print the effective configuration as JSON (defaults <- file <- env <- options)', options: CONFIG_OPTIONS, run: runConfigPrint },
  {
    name: 'keys add',
    summary: 'register an Ed25519 API public key for an account',
    options: [
      { name: 'account', value: 'N', help: 'account id (required)' },
      { name: 'pubkey', value: 'HEX', help: '32-byte Ed25519 public key, 64 hex characters (required)' },
      ...KEY_STORE_OPTIONS,
    ],
    run: runKeysAdd,
  },
  {
    name: 'keys list',
    summary: 'list registered API keys',
    options: [
      { name: 'account', value: 'N', help: 'only this account' },
      { name: 'all', help: 'include revoked keys' },
      { name: 'json', help: 'print JSON' },
      ...KEY_STORE_OPTIONS,
    ],
    run: runKeysList,
  },
  {
    name: 'keys revoke',
    summary: 'revoke an API key (it can never be registered again)',
    options: [{ name: 'pubkey', value: 'HEX', help: 'the public key to revoke (required)' }, ...KEY_STORE_OPTIONS],
    run: runKeysRevoke,
  },
  // Durability tools (read-only: they never write to the journal).
  {
    name: 'replay',
    summary: 'replay the journal (<dataDir>/journal) and print the resulting state hash; exit 1 on any problem',
    options: [
      { name: 'verify', help: 'check the state hash at every published hash and snapshot point, and every snapshot record' },
      { name: 'from-snapshot', value: 'SEQ', help: 'start from the snapshot taken at SEQ instead of genesis' },
      { name: 'json', help: 'print the report as JSON' },
      ...KEY_STORE_OPTIONS,
    ],
    run: runReplay,
  },
  {
    name: 'journal inspect',
    summary: 'print journal entries in human form: commands, the events settled after each, snapshots',
    options: [
      { name: 'from', value: 'SEQ', help: 'first seq to print (default: the first in the journal)' },
      { name: 'limit', value: 'N', help: 'most entries to print (default 50)' },
      ...KEY_STORE_OPTIONS,
    ],
    run: runJournalInspect,
  },
];

// ---------------------------------------------------------------------------------
// Help, version, usage errors.

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function optionLines(options: OptionSpec[]): string[] {
  const left = options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length), 20);
  return options.map((o, i) => `      ${left[i].padEnd(width)}  ${o.help}`);
}

function commandHelp(cmd: CommandSpec): string {
  return [`Usage: perpd ${cmd.name} [options]`, '', `  ${cmd.summary}`, '', '  Options:', ...optionLines(cmd.options), ''].join('\n');
}

function mainHelp(): string {
  const lines = [
    `perpd ${readVersion()}: perpetual-futures exchange daemon`,
    '',
    'Usage: perpd <command> [options]',
    '',
    'Commands:',
  ];
  COMMANDS.forEach((cmd, i) => {
    const same = COMMANDS.slice(0, i).find((c) => c.options === cmd.options);
    const options = same ? [`      options: as for perpd ${same.name}`] : optionLines(cmd.options);
    lines.push(`  perpd ${cmd.name}`, `      ${cmd.summary}`, ...options, '');
  });
  lines.push(
    'Global options:',
    '  -h, --help       show this help (or: perpd <command> --help)',
    '  -V, --version    print the version',
    '',
    'Configuration layers, later wins: built-in defaults <- config file <- environment <- command-line options.',
    'Environment variables:',
    ...wrap(CONFIG_ENV_VARS.join(' '), 76).map((l) => `  ${l}`),
    '',
  );
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
  }
}

/** Strict option parser: --name VALUE, --name=VALUE, --flag. No positionals. */
function parseOptions(cmd: CommandSpec, args: string[]): Parsed {
  const parsed: Parsed = new Map();
  const names = cmd.options.map((o) => o.name);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`perpd ${cmd.name}: unexpected argument "${arg}" (this command takes only --options)`, cmd);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = cmd.options.find((o) => o.name === name);
    if (!spec) {
      const hint = suggest(name, names).replace(/"([^"]+)"/, '--$1');
      throw new UsageError(`perpd ${cmd.name}: unknown option --${name}${hint}`, cmd);
    }
    if (parsed.has(name)) throw new UsageError(`perpd ${cmd.name}: option --${name} is given twice`, cmd);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`perpd ${cmd.name}: option --${name} is a flag and takes no value`, cmd);
      parsed.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) value = args[++i];
    if (value === undefined || value === '') throw new UsageError(`perpd ${cmd.name}: option --${name} needs a value (${spec.value})`, cmd);
    parsed.set(name, value);
  }
  return parsed;
}

function requireOption(cmd: string, opts: Parsed, name: string, placeholder: string): string {
  const v = opts.get(name);
  if (typeof v !== 'string') throw new UsageError(`perpd ${cmd}: missing --${name} ${placeholder}`, COMMANDS.find((c) => c.name === cmd));
  return v;
}

// ---------------------------------------------------------------------------------
// Config from options.

function configFromOptions(cmd: CommandSpec, opts: Parsed): PerpdConfig {
  const overrides: Record<string, unknown> = {};
  const overrideNames: Record<string, string> = {};
  for (const spec of cmd.options) {
    const v = opts.get(spec.name);
    if (v === undefined || !spec.configPath) continue;
    overrides[spec.configPath] = v === true ? spec.flagValue : parseConfigText(spec.configPath, v);
    overrideNames[spec.configPath] = `--${spec.name}`;
  }
  const file = opts.get('config');
  return loadConfig({
    file: typeof file === 'string' ? file : undefined,
    env: process.env,
    overrides: overrides as PerpdConfigOverrides,
    overrideNames,
  });
}

/** Prints a failure for a human (stderr) and returns exit code 1. */
function fail(cmd: string, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  const prefix = err instanceof ConfigError ? `perpd ${cmd}: invalid configuration: ` : `perpd ${cmd}: `;
  process.stderr.write(prefix + message + '\n');
  return 1;
}

// ---------------------------------------------------------------------------------
// Commands.

async function runConfigPrint(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'config print')!;
  try {
    process.stdout.write(effectiveConfigJson(configFromOptions(cmd, opts)));
    return 0;
  } catch (err) {
    return fail(cmd.name, err);
  }
}

async function runStart(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'start')!;
  let config: PerpdConfig;
  try {
    config = configFromOptions(cmd, opts);
  } catch (err) {
    return fail(cmd.name, err);
  }
  const logger = createLogger({ level: config.logLevel });
  const log = componentLogger(logger, 'cli');
  for (const name of findUnknownEnvVars(process.env)) {
    log.warn({ env: name }, `unknown environment variable ${name} ignored (a typo of one of: ${CONFIG_ENV_VARS.join(', ')}?)`);
  }
  try {
    mustUseNativeUws(config, componentLogger(logger, 'uws'));
  } catch (err) {
    log.fatal({ err }, 'refusing to start');
    return fail(cmd.name, err);
  }
  return new Promise<number>((resolveExit) => runDaemon(config, logger, log, resolveExit));
}

/**
 * Starts the daemon and owns the signals: the first SIGINT/SIGTERM closes it and
 * exits 0 (1 if close fails); a second signal exits 1 at once. A signal during
 * start-up waits for start-up to finish, then closes.
 */
function runDaemon(config: PerpdConfig, logger: Logger, log: Logger, done: (code: number) => void): void {
  let stopping = false;
  const exit = (code: number): void => {
    logger.flush();
    done(code);
    process.exit(code);
  };
  log.info(
    { port: config.port, host: config.host, dataDir: config.dataDir, demo: config.demo, workers: config.workers, markets: config.markets.map((m) => m.symbol) },
    'starting perpd',
  );
  const started = import('../gateway/daemon.js').then((m) => m.startDaemon(config, logger));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.error({ signal }, 'second signal: forcing exit');
      exit(1);
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down (send the signal again to force)');
    started
      .then((handle) => handle.close())
      .then(
        () => {
          log.info('stopped');
          exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  started.then(
    () => {
      if (!stopping) log.info({ port: config.port, host: config.host }, 'perpd started');
    },
    (err: unknown) => {
      if (stopping) return; // the shutdown path reports it
      log.fatal({ err }, 'start failed');
      fail('start', err);
      exit(1);
    },
  );
}

function keyStoreFor(cmd: CommandSpec, opts: Parsed): string {
  return keyStorePath(configFromOptions(cmd, opts).dataDir);
}

function parseAccountId(text: string): number {
  if (!/^\d+$/.test(text)) throw new KeyStoreError('INVALID_ACCOUNT', `--account must be a non-negative integer account id, got "${text}"`);
  return Number(text);
}

async function runKeysAdd(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'keys add')!;
  const accountText = requireOption(cmd.name, opts, 'account', 'N');
  const pubkey = requireOption(cmd.name, opts, 'pubkey', 'HEX');
  try {
    const path = keyStoreFor(cmd, opts);
    const record = addKey(path, parseAccountId(accountText), pubkey);
    process.stdout.write(`added key ${record.pubkeyHex} for account ${record.accountId} (${path})\n`);
    return 0;
  } catch (err) {
    return fail(cmd.name, err);
  }
}

function formatKey(k: ApiKeyRecord): string {
  const status = k.revokedAtMs === null ? 'active' : `revoked ${new Date(k.revokedAtMs).toISOString()}`;
  return `${String(k.accountId).padEnd(10)}  ${k.pubkeyHex}  ${new Date(k.addedAtMs).toISOString()}  ${status}`;
}

async function runKeysList(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'keys list')!;
  try {
    const accountText = opts.get('account');
    const keys = listKeys(keyStoreFor(cmd, opts), {
      accountId: typeof accountText === 'string' ? parseAccountId(accountText) : undefined,
      includeRevoked: opts.has('all'),
    });
    if (opts.has('json')) {
      process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
    } else {
      const lines = [`${'ACCOUNT'.padEnd(10)}  ${'PUBKEY'.padEnd(64)}  ${'ADDED'.padEnd(24)}  STATUS`, ...keys.map(formatKey)];
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (err) {
    return fail(cmd.name, err);
  }
}

async function runKeysRevoke(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'keys revoke')!;
  const pubkey = requireOption(cmd.name, opts, 'pubkey', 'HEX');
  try {
    const record = revokeKey(keyStoreFor(cmd, opts), pubkey);
    process.stdout.write(`revoked key ${record.pubkeyHex} of account ${record.accountId}\n`);
    return 0;
  } catch (err) {
    return fail(cmd.name, err);
  }
}

function parsePositiveInt(cmd: string, name: string, text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`perpd ${cmd}: --${name} must be a non-negative integer, got "${text}"`, COMMANDS.find((c) => c.name === cmd));
  return Number(text);
}

async function runReplay(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'replay')!;
  const fromText = opts.get('from-snapshot');
  const from = typeof fromText === 'string' ? parsePositiveInt(cmd.name, 'from-snapshot', fromText) : 'genesis';
  try {
    const { dataDir } = configFromOptions(cmd, opts);
    const { verifyJournal } = await import('../persistence/verify.js');
    const r = await verifyJournal(dataDir, { from, checkSnapshots: opts.has('verify') });
    if (opts.has('json')) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    } else {
      const lines = [
        `replayed from ${r.from}: ${r.commands} commands, ${r.events} events (${r.eventsVerified} compared with the regenerated ones) in ${r.replayMs.toFixed(0)} ms (${r.commandsPerSecond} commands/s)`,
        `position: seq ${r.lastSeq}, event cursor ${r.lastEventCursor}; state hash ${r.finalHash || '(none)'}`,
        `state hashes checked: ${r.hashesVerified}${r.hashesNotReached ? ` (${r.hashesNotReached} beyond the end)` : ''}; snapshot records checked: ${r.snapshotsChecked}`,
      ];
      if (r.unsettledEvents > 0) lines.push(`${r.unsettledEvents} regenerated events are not in the journal yet (the daemon stopped before settling them; the next start journals them)`);
      lines.push(r.ok ? 'OK' : `FAILED:\n  - ${r.problems.join('\n  - ')}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return r.ok ? 0 : 1;
  } catch (err) {
    return fail(cmd.name, err);
  }
}

async function runJournalInspect(opts: Parsed): Promise<number> {
  const cmd = COMMANDS.find((c) => c.name === 'journal inspect')!;
  const fromText = opts.get('from');
  const limitText = opts.get('limit');
  const fromSeq = typeof fromText === 'string' ? parsePositiveInt(cmd.name, 'from', fromText) : undefined;
  const limit = typeof limitText === 'string' ? parsePositiveInt(cmd.name, 'limit', limitText) : undefined;
  try {
    const { dataDir } = configFromOptions(cmd, opts);
    const { JournalStore } = await import('../persistence/journal-store.js');
    const { inspectJournal } = await import('../persistence/inspect.js');
    const store = JournalStore.open(dataDir, { readOnly: true });
    try {
      const lines: string[] = [];
      const ok = inspectJournal(store, { fromSeq, limit }, (line) => lines.push(line));
      process.stdout.write(lines.join('\n') + '\n');
      return ok ? 0 : 1;
    } finally {
      await store.close();
    }
  } catch (err) {
    return fail(cmd.name, err);
  }
}

// ---------------------------------------------------------------------------------
// Dispatch.

function resolveCommand(args: string[]): { cmd: CommandSpec; rest: string[] } {
  const [first, second] = args;
  const groups = [...new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]))];
  if (groups.includes(first)) {
    const subs = COMMANDS.filter((c) => c.name.startsWith(first + ' ')).map((c) => c.name.split(' ')[1]);
    const cmd = COMMANDS.find((c) => c.name === `${first} ${second}`);
    if (!cmd) {
      const what = second === undefined || second.startsWith('-') ? 'missing subcommand' : `unknown subcommand "${second}"${suggest(second, subs)}`;
      throw new UsageError(`perpd ${first}: ${what}: use one of ${subs.map((s) => `"${first} ${s}"`).join(', ')}`);
    }
    return { cmd, rest: args.slice(2) };
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    const known = [...COMMANDS.map((c) => c.name.split(' ')[0])];
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"${suggest(first, [...new Set(known)])}`;
    throw new UsageError(`perpd: ${what}`);
  }
  return { cmd, rest: args.slice(1) };
}

async function main(args: string[]): Promise<number> {
  try {
    if (args.length === 0) throw new UsageError('perpd: missing command');
    if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      process.stdout.write(mainHelp());
      return 0;
    }
    if (args[0] === '--version' || args[0] === '-V') {
      process.stdout.write(`perpd ${readVersion()}\n`);
      return 0;
    }
    const { cmd, rest } = resolveCommand(args);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(parseOptions(cmd, rest));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${err.command ? commandHelp(err.command) : mainHelp()}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`perpd: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
