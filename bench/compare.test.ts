import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRuns, rowsOf } from './compare.js';

const e2e = (achieved: number, p99: number) => ({
  bench: 'e2e-binary',
  steps: [{ variant: 'engine w1 journal=sync', kind: 'rate', offeredPerSec: 20_000, achievedPerSec: achieved, p50Us: 100, p99Us: p99 }],
  summaries: [{ variant: 'engine w1 journal=sync', kneePerSec: 50_000, maxPerSec: 60_000, ratioToEcho: null }],
});

describe('bench:compare', () => {
  it('keys results so the same step matches across runs', () => {
    const rows = rowsOf(e2e(19_990, 800));
    assert.deepEqual(
      rows.map((r) => r.key),
      ['engine w1 journal=sync rate 20000/s', 'engine w1 journal=sync summary'],
    );
    assert.deepEqual(rows[1].values, { kneePerSec: 50_000, maxPerSec: 60_000 }, 'null figures are left out');
    assert.deepEqual(
      rowsOf({ bench: 'micro', rows: [{ task: 't', opsPerSec: 5, nsPerOp: 200 }, { topic: 'journal', skipped: 'x' }] }).map((r) => r.key),
      ['t'],
    );
    assert.deepEqual(
      rowsOf({ bench: 'book', rows: [{ workload: 'exchange-core', opsPerSec: 6e6, p99Ns: 500 }] })[0].values,
      { opsPerSec: 6e6, p99Ns: 500 },
    );
  });

  it('prints B/A with the good direction marked', () => {
    const toRun = (dir: string, j: Record<string, unknown>) => ({ dir, machine: 'm', commit: dir, rows: new Map(rowsOf(j).map((r) => [`${r.bench}\u0000${r.key}`, r])) });
    const out = compareRuns(toRun('a', e2e(20_000, 1000)), toRun('b', e2e(20_000, 500)));
    assert.match(out, /\| e2e-binary \| engine w1 journal=sync rate 20000\/s \| p99Us \| 1,000 \| 500 \| 0\.500 \| ▲ \|/);
    assert.match(out, /\| achievedPerSec \| 20,000 \| 20,000 \| 1\.000 \|  \|/);
    assert.match(out, /2 results in both runs/);
  });
});
