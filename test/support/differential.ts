/**
 * The seeded differential check shared by test/differential.test.ts and
 * scripts/soak.ts: one CommandGenerator stream is fed to every engine; after every
 * command the return codes and the recorded sink calls must be identical (compared
 * with the first engine, the reference), `validateInternalState()` must pass on each
 * engine, and the state hashes must agree every `hashEvery` commands and at the end.
 *
 * With a single engine it still runs the stream through it with validation, so the
 * generator and the reference are exercised until a second engine exists.
 */
import { isDeepStrictEqual } from 'node:util';
import { cancelReasonName, Code, codeName } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { RecordingSink, type RecordedEvent } from '../../engine/events.js';
import type { MarketEngine, MarketEngineFactory } from '../../engine/market-engine.js';
import { demoMarkets, makeMarketSpec, prdLeverageTiers, type MarketSpec } from '../../engine/market-spec.js';
import { CommandGenerator, type CommandGeneratorOptions } from './command-generator.js';

export interface NamedFactory {
  name: string;
  create: MarketEngineFactory;
}

export interface DifferentialOptions {
  seed: number;
  commands: number;
  factories: NamedFactory[];
  /** Default: `differentialSpec(seed)`. */
  spec?: MarketSpec;
  /** Compare state hashes every this many commands (default 100) and at the end. */
  hashEvery?: number;
  /** Call validateInternalState() every this many commands (default 1 = after every command). */
  validateEvery?: number;
  generator?: CommandGeneratorOptions;
}

export interface DifferentialStats {
  commands: number;
  finalHash: string;
  events: number;
  fills: number;
  /** Count per return code name (OK included). */
  codes: Record<string, number>;
  /** Count per cancel reason name. */
  cancelReasons: Record<string, number>;
  triggers: number;
  maxLiveOrders: number;
}

export class DivergenceError extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly commandIndex: number,
  ) {
    super(message);
    this.name = 'DivergenceError';
  }
}

const opNames = new Map<number, string>(Object.entries(Op).map(([k, v]) => [v, k]));

/** The non-zero fields of a command, op named: short enough for a failure message. */
export function describeCommand(cmd: Command): string {
  const parts: string[] = [`op: ${opNames.get(cmd.op) ?? cmd.op}`];
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'op' || v === 0) continue;
    parts.push(`${k}: ${Number.isNaN(v) ? 'NaN' : v}`);
  }
  return `{ ${parts.join(', ')} }`;
}

function describeEvent(e: RecordedEvent | undefined): string {
  if (!e) return '(none)';
  const extra = e.e === 'reject' ? ` (${codeName(e.code)})` : e.e === 'cancel' ? ` (${cancelReasonName(e.reason)})` : '';
  return JSON.stringify(e) + extra;
}

/**
 * Market specs the differential cycles through by seed: a small test market (tick and
 * lot 0.01, band ±10%), one with a minimum size above 1 and a narrow band, and the
 * BTC demo market (large tick counts) with a smaller open-order limit.
 */
export function differentialSpec(seed: number): MarketSpec {
  const common = {
    symbol: 'DIFF-PERP',
    tickSize: '0.01',
    lotSize: '0.01',
    maxPositionLots: 1_000_000,
    maxPriceTicks: 1_000_000,
    makerFeePpm: 200,
    takerFeePpm: 500,
    tiers: prdLeverageTiers(),
  };
  switch (((seed % 3) + 3) % 3) {
    case 0:
      return makeMarketSpec({ ...common, marketId: 1, minOrderLots: 1, maxOrderLots: 500, priceBandPpm: 100_000, maxOpenOrdersPerAccount: 16, initialMarkPriceTicks: 10_000 });
    case 1:
      return makeMarketSpec({ ...common, marketId: 2, minOrderLots: 2, maxOrderLots: 300, priceBandPpm: 20_000, maxOpenOrdersPerAccount: 10, initialMarkPriceTicks: 2_500 });
    default:
      return { ...demoMarkets()[0], maxOpenOrdersPerAccount: 24 };
  }
}

/** Runs one seed; throws DivergenceError (or the engine's invariant error, with context) on the first problem. */
export function runDifferential(opts: DifferentialOptions): DifferentialStats {
  const { seed, commands, factories } = opts;
  if (factories.length === 0) throw new Error('runDifferential: no engines');
  const spec = opts.spec ?? differentialSpec(seed);
  const hashEvery = opts.hashEvery ?? 100;
  const validateEvery = opts.validateEvery ?? 1;
  const sinks = factories.map(() => new RecordingSink());
  const engines: MarketEngine[] = factories.map((f, i) => f.create(spec, sinks[i]));
  const gen = new CommandGenerator(seed, spec, { isLive: (id) => engines[0].order(id) !== undefined, ...opts.generator });
  const cmd = new Command();
  const copy = new Command();
  const stats: DifferentialStats = { commands: 0, finalHash: '', events: 0, fills: 0, codes: {}, cancelReasons: {}, triggers: 0, maxLiveOrders: 0 };
  const codeCounts = new Map<number, number>();
  const reasonCounts = new Map<number, number>();

  const fail = (i: number, what: string): never => {
    const upTo = i + 1;
    throw new DivergenceError(
      `differential failure: seed ${seed}, command #${i} (seq ${cmd.seq}), market ${spec.symbol}\n` +
        `command: ${describeCommand(cmd)}\n${what}\n` +
        `reproduce: node dist/scripts/soak.js --seeds ${seed} --commands ${upTo}`,
      seed,
      i,
    );
  };

  const mustValidate = (i: number): void => {
    for (let k = 0; k < engines.length; k++) {
      try {
        engines[k].validateInternalState();
      } catch (err) {
        fail(i, `${factories[k].name}.validateInternalState() failed: ${(err as Error).message}`);
      }
    }
  };

  const mustAgreeOnHash = (i: number): string => {
    const h0 = engines[0].stateHash();
    for (let k = 1; k < engines.length; k++) {
      const hk = engines[k].stateHash();
      if (hk !== h0) fail(i, `state hash differs: ${factories[0].name} ${h0}, ${factories[k].name} ${hk} (events agreed up to here)`);
    }
    return h0;
  };

  for (let i = 0; i < commands; i++) {
    gen.next(cmd);
    const codes: number[] = [];
    for (let k = 0; k < engines.length; k++) {
      copy.copyFrom(cmd); // an engine must not depend on (or be able to spoil) another's input
      try {
        codes.push(engines[k].process(copy));
      } catch (err) {
        fail(i, `${factories[k].name}.process() threw: ${(err as Error).stack ?? err}`);
      }
    }
    const ref = sinks[0].take();
    for (let k = 1; k < engines.length; k++) {
      const other = sinks[k].take();
      if (codes[k] !== codes[0] || !isDeepStrictEqual(other, ref)) {
        let at = 0;
        while (at < Math.max(ref.length, other.length) && isDeepStrictEqual(ref[at], other[at])) at++;
        fail(
          i,
          `${factories[0].name} → ${codeName(codes[0])}, ${factories[k].name} → ${codeName(codes[k])}\n` +
            `first differing event: #${at}\n` +
            `  ${factories[0].name}: ${describeEvent(ref[at])}\n` +
            `  ${factories[k].name}: ${describeEvent(other[at])}\n` +
            `${factories[0].name} events:\n${ref.map((e) => '    ' + describeEvent(e)).join('\n')}\n` +
            `${factories[k].name} events:\n${other.map((e) => '    ' + describeEvent(e)).join('\n')}`,
        );
      }
    }
    if (validateEvery > 0 && i % validateEvery === 0) mustValidate(i);
    if ((i + 1) % hashEvery === 0) mustAgreeOnHash(i);

    codeCounts.set(codes[0], (codeCounts.get(codes[0]) ?? 0) + 1);
    stats.events += ref.length;
    for (const e of ref) {
      if (e.e === 'fill') stats.fills++;
      else if (e.e === 'cancel') reasonCounts.set(e.reason, (reasonCounts.get(e.reason) ?? 0) + 1);
      else if (e.e === 'trigger') stats.triggers++;
    }
    const live = engines[0].liveOrderCount();
    if (live > stats.maxLiveOrders) stats.maxLiveOrders = live;
  }
  mustValidate(commands - 1);
  stats.finalHash = mustAgreeOnHash(commands - 1);
  stats.commands = commands;
  for (const [c, n] of [...codeCounts].sort((a, b) => b[0] - a[0])) stats.codes[c === Code.OK ? 'OK' : codeName(c)] = n;
  for (const [r, n] of [...reasonCounts].sort((a, b) => a[0] - b[0])) stats.cancelReasons[cancelReasonName(r)] = n;
  return stats;
}
