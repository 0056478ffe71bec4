/**
 * Differential soak: the seeded checks of test/differential.test.ts over any number
 * of seeds and commands.
 *
 *   node dist/scripts/soak.js --seeds 1-100 --commands 200000
 *   node dist/scripts/soak.js --seeds 3,17,40-45 --commands 50000 --hash-every 100 --validate-every 1
 *
 * One line per seed (commands/s, fills, final hash). Exits 1 on the first divergence
 * or broken invariant, printing the failing seed and command; exits 2 on bad usage.
 * With only the reference engine registered it still runs (validation only).
 */
import { DivergenceError, runDifferential } from '../test/support/differential.js';
import { engineFactories } from '../test/support/engines.js';

interface SoakArgs {
  seeds: number[];
  commands: number;
  hashEvery: number;
  validateEvery: number;
}

function usage(message: string): never {
  console.error(`soak: ${message}`);
  console.error('usage: node dist/scripts/soak.js --seeds 1-100 --commands 200000 [--hash-every 100] [--validate-every 1]');
  process.exit(2);
}

function parseInteger(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < min) usage(`${name} must be an integer ≥ ${min}, got "${text}"`);
  return n;
}

/** "1-100", "7", "1,5,9-12" → seed list. */
function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) usage(`bad seed range "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) usage(`bad seed range "${part}"`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  return seeds;
}

function parseArgs(argv: string[]): SoakArgs {
  const args: SoakArgs = { seeds: [1], commands: 100_000, hashEvery: 100, validateEvery: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--seeds':
        if (value === undefined) usage('--seeds needs a value');
        args.seeds = parseSeeds(value);
        i++;
        break;
      case '--commands':
        args.commands = parseInteger('--commands', value, 1);
        i++;
        break;
      case '--hash-every':
        args.hashEvery = parseInteger('--hash-every', value, 1);
        i++;
        break;
      case '--validate-every':
        args.validateEvery = parseInteger('--validate-every', value, 0);
        i++;
        break;
      case '-h':
      case '--help':
        usage('help');
        break;
      default:
        usage(`unknown argument "${flag}"`);
    }
  }
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const names = engineFactories.map((f) => f.name).join(' vs ');
  console.log(
    `soak: ${args.seeds.length} seed(s) × ${args.commands} commands, engines: ${names}` +
      (engineFactories.length === 1 ? ' (only one engine: invariants and hashes only)' : '') +
      `, hash every ${args.hashEvery}, validate every ${args.validateEvery || 'never'}`,
  );
  const started = performance.now();
  let total = 0;
  for (const seed of args.seeds) {
    const t0 = performance.now();
    try {
      const s = runDifferential({ seed, commands: args.commands, factories: engineFactories, hashEvery: args.hashEvery, validateEvery: args.validateEvery });
      const secs = (performance.now() - t0) / 1000;
      total += s.commands;
      console.log(
        `seed ${seed}: ${s.commands} commands in ${secs.toFixed(2)} s, ${Math.round(s.commands / secs).toLocaleString('en-US')} commands/s, ` +
          `${s.fills} fills, ${s.triggers} triggers, max ${s.maxLiveOrders} live orders, hash ${s.finalHash}`,
      );
    } catch (err) {
      if (err instanceof DivergenceError) {
        console.error(err.message);
        console.error(`FAILED: seed ${seed} diverged at command #${err.commandIndex}`);
      } else {
        console.error((err as Error).stack ?? err);
        console.error(`FAILED: seed ${seed} (unexpected error)`);
      }
      process.exit(1);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(`soak: OK, ${total} commands over ${args.seeds.length} seed(s) in ${secs.toFixed(1)} s (${Math.round(total / secs).toLocaleString('en-US')} commands/s)`);
}

main();
