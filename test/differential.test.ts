/**
 * Seeded differential test: the reference engine (engineFactories[0]) against every
 * other engine, event for event, with validateInternalState() after every command
 * and state hashes compared every 100 commands (test/support/differential.ts).
 *
 * DIFF_COMMANDS_TOTAL commands are split over SEEDS when a second engine exists;
 * with the reference alone, SINGLE_ENGINE_COMMANDS_TOTAL (the generator and the
 * reference still get exercised). PERPD_DIFF_COMMANDS overrides the total, e.g.
 * `PERPD_DIFF_COMMANDS=20000 node scripts/run-tests.mjs differential`.
 * Longer runs: `node dist/scripts/soak.js --seeds 1-100 --commands 200000`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDifferential } from './support/differential.js';
import { engineFactories } from './support/engines.js';

export const DIFF_COMMANDS_TOTAL = 1_000_000;
export const SINGLE_ENGINE_COMMANDS_TOTAL = 50_000;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function totalCommands(): number {
  const env = process.env.PERPD_DIFF_COMMANDS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < SEEDS.length) throw new Error(`PERPD_DIFF_COMMANDS must be an integer ≥ ${SEEDS.length}, got "${env}"`);
    return n;
  }
  return engineFactories.length > 1 ? DIFF_COMMANDS_TOTAL : SINGLE_ENGINE_COMMANDS_TOTAL;
}

const perSeed = Math.floor(totalCommands() / SEEDS.length);
const against = engineFactories.length > 1 ? engineFactories.slice(1).map((f) => f.name).join(', ') : 'itself (no second engine yet)';

for (const seed of SEEDS) {
  test(`seed ${seed}: ${perSeed} random commands give identical events and state hashes in ${engineFactories[0].name} and ${against}`, () => {
    const stats = runDifferential({ seed, commands: perSeed, factories: engineFactories });
    assert.equal(stats.commands, perSeed);
    if (perSeed >= 1_000) {
      // the stream must actually exercise matching, not just bounce off validation
      assert.ok(stats.fills > perSeed / 20, `only ${stats.fills} fills in ${perSeed} commands`);
      assert.ok((stats.codes.OK ?? 0) > perSeed / 2, `only ${stats.codes.OK} accepted commands in ${perSeed}`);
    }
  });
}
