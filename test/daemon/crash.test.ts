/**
 * The bounded run of the kill -9 crash test (scripts/crash-test.ts; the long one is
 * `npm run test:crash`): the real daemon as a child process, a mixed load through the
 * binary gateway, SIGKILL at random moments, restart, and every acknowledged command,
 * cancel and fill must be in the journal, each recovered state equal to a replay from
 * genesis.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCrashTest } from '../../scripts/crash-test.js';

describe('kill -9 crash test (bounded)', () => {
  it('3 kills under load lose nothing acknowledged and recover to the replayed state', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const r = await runCrashTest({ kills: 3, seed: 20261121, clients: 3, minRunMs: 300, maxRunMs: 900, log: (l) => lines.push(l) });
    assert.deepEqual(r.problems, [], lines.join('\n'));
    assert.equal(r.kills, 3);
    assert.equal(r.hashChecks, 3);
    assert.ok(r.commandsChecked > 500, `only ${r.commandsChecked} acknowledged commands`);
    assert.ok(r.fillsChecked > 100 && r.cancelsChecked > 100, `fills ${r.fillsChecked}, cancels ${r.cancelsChecked}`);
  });
});
