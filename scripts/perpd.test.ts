import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the compiled CLI (dist/scripts/perpd.js, beside this compiled test).
const PERPD = fileURLToPath(new URL('./perpd.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const workDir = mkdtempSync(join(tmpdir(), 'perpd-cli-test-'));

/** The caller's environment without PERPD_* / UWS_* settings, plus `env`. */
function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PERPD_') && !k.startsWith('UWS_')));
  return { ...base, ...env };
}

function perpd(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PERPD, ...args], { cwd: workDir, env: cleanEnv(env), encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists every command and its options, exit 0', () => {
  const r = perpd(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const fragment of [
    'Usage: perpd <command> [options]',
    'perpd start',
    '--config FILE',
    '--port N',
    '--data-dir DIR',
    '--no-demo',
    '--workers N',
    'perpd config print',
    'perpd keys add',
    '--account N',
    '--pubkey HEX',
    'perpd keys list',
    'perpd keys revoke',
    '--version',
    'PERPD_PORT',
    'PERPD_CONFIG',
  ]) {
    assert.ok(r.stdout.includes(fragment), `help lacks ${fragment}`);
  }
  assert.equal(r.stderr, '');
});

test('a command with --help prints that command\'s usage', () => {
  const r = perpd(['keys', 'add', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: perpd keys add \[options\]/);
});

test('--version prints the package version', () => {
  const r = perpd(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `perpd ${VERSION}\n`);
});

test('config print prints the effective configuration as JSON', () => {
  const r = perpd(['config', 'print']);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout) as { port: number; demo: boolean; markets: { symbol: string }[]; journal: { mode: string } };
  assert.equal(config.port, 8080);
  assert.equal(config.demo, true);
  assert.deepEqual(
    config.markets.map((m) => m.symbol),
    ['BTC-PERP', 'ETH-PERP', 'SOL-PERP'],
  );
  assert.equal(config.journal.mode, 'sync');
});

test('config print applies file, environment and options in that order', () => {
  const file = join(workDir, 'layers.json');
  writeFileSync(file, JSON.stringify({ port: 9000, host: '127.0.0.1', dataDir: './from-file' }));
  const r = perpd(['config', 'print', '--config', file, '--data-dir', './from-flag', '--no-demo'], { PERPD_PORT: '9100', PERPD_DATA_DIR: './from-env' });
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout) as { port: number; host: string; dataDir: string; demo: boolean };
  assert.deepEqual([config.port, config.host, config.dataDir, config.demo], [9100, '127.0.0.1', './from-flag', false]);
});

test('an invalid configuration exits 1 with the precise problem and no help', () => {
  const r = perpd(['config', 'print'], { PERPD_PORT: 'abc' });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'perpd config print: invalid configuration: PERPD_PORT must be an integer 0-65535, got "abc": set PERPD_PORT to a free port (0 lets the system pick one; the chosen port is logged)\n');
});

test('a bad flag value is named as the flag', () => {
  const r = perpd(['start', '--port', 'abc']);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes('--port must be an integer 0-65535, got "abc": give --port a free port (0 lets the system pick one; the chosen port is logged)'), r.stderr);
});

// Usage errors: exit 2, a precise first line on stderr, then the help.
const usageErrors: Array<{ args: string[]; first: string; help: string }> = [
  { args: ['start', '--prot', '9000'], first: 'perpd start: unknown option --prot (did you mean --port?)', help: 'Usage: perpd start [options]' },
  { args: ['config', 'print', '--bogus'], first: 'perpd config print: unknown option --bogus', help: 'Usage: perpd config print [options]' },
  { args: ['strat'], first: 'perpd: unknown command "strat" (did you mean "start"?)', help: 'Usage: perpd <command> [options]' },
  { args: ['--bogus'], first: 'perpd: unknown option --bogus', help: 'Usage: perpd <command> [options]' },
  { args: [], first: 'perpd: missing command', help: 'Usage: perpd <command> [options]' },
  { args: ['keys', 'remove'], first: 'perpd keys: unknown subcommand "remove" (did you mean "revoke"?): use one of "keys add", "keys list", "keys revoke"', help: 'Usage: perpd <command>' },
  { args: ['config'], first: 'perpd config: missing subcommand: use one of "config print"', help: 'Usage: perpd <command>' },
  { args: ['start', '--port'], first: 'perpd start: option --port needs a value (N)', help: 'Usage: perpd start [options]' },
  { args: ['start', '--port', '1', '--port', '2'], first: 'perpd start: option --port is given twice', help: 'Usage: perpd start' },
  { args: ['start', '--no-demo=yes'], first: 'perpd start: option --no-demo is a flag and takes no value', help: 'Usage: perpd start' },
  { args: ['start', 'now'], first: 'perpd start: unexpected argument "now"', help: 'Usage: perpd start' },
  { args: ['keys', 'add', '--pubkey', 'ab'], first: 'perpd keys add: missing --account N', help: 'Usage: perpd keys add' },
];
for (const { args, first, help } of usageErrors) {
  test(`usage error: perpd ${args.join(' ') || '(nothing)'}`, () => {
    const r = perpd(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const [line, blank, ...rest] = r.stderr.split('\n');
    assert.ok(line.startsWith(first), `first line: ${line}`);
    assert.equal(blank, '');
    assert.ok(rest.join('\n').startsWith(help) || rest.join('\n').includes(help), r.stderr);
  });
}

test('keys add, list, revoke round-trip through <dataDir>/keys.json', () => {
  const dataDir = join(workDir, 'keys-data');
  const key = 'c3'.repeat(32);
  const added = perpd(['keys', 'add', '--account', '42', '--pubkey', key.toUpperCase(), '--data-dir', dataDir]);
  assert.equal(added.code, 0, added.stderr);
  assert.ok(added.stdout.startsWith(`added key ${key} for account 42`));

  const listed = perpd(['keys', 'list', '--json', '--data-dir', dataDir]);
  assert.equal(listed.code, 0, listed.stderr);
  const keys = JSON.parse(listed.stdout) as { accountId: number; pubkeyHex: string; revokedAtMs: number | null }[];
  assert.deepEqual(
    keys.map((k) => [k.accountId, k.pubkeyHex, k.revokedAtMs]),
    [[42, key, null]],
  );

  const again = perpd(['keys', 'add', '--account', '43', '--pubkey', key, '--data-dir', dataDir]);
  assert.equal(again.code, 1);
  assert.ok(again.stderr.includes('already registered to account 42'), again.stderr);

  const revoked = perpd(['keys', 'revoke', '--pubkey', key], { PERPD_DATA_DIR: dataDir });
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, `revoked key ${key} of account 42\n`);

  const table = perpd(['keys', 'list', '--all', '--data-dir', dataDir]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^ACCOUNT +PUBKEY +ADDED +STATUS\n42 +c3c3\S+ +\S+ +revoked /);
  assert.equal(perpd(['keys', 'list', '--data-dir', dataDir]).stdout.split('\n').length, 2, 'header only: no active keys');
});

test('keys add refuses a key that is not 64 hex characters, exit 1', () => {
  const r = perpd(['keys', 'add', '--account', '1', '--pubkey', 'abc', '--data-dir', join(workDir, 'bad-key')]);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.startsWith('perpd keys add: public key must be 64 hex characters'), r.stderr);
});

test('start refuses the uWebSockets.js JS fallback unless allowed', () => {
  const r = perpd(['start', '--data-dir', join(workDir, 'fallback'), '--log-level', 'silent'], { UWS_USE_FALLBACK: '1' });
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes('perpd start: uWebSockets.js would run on its slow JS (ws-based) fallback'), r.stderr);
  assert.ok(r.stderr.includes('PERPD_ALLOW_JS_FALLBACK=true'), r.stderr);
});
