/**
 * The e2e step's view of the daemon's journal: parsed from the real /metrics text
 * (PerpdMetrics renders it) before and after, so only the step's commits count.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { demoMarkets } from '../../engine/market-spec.js';
import { PerpdMetrics } from '../../gateway/metrics.js';
import { journalDelta, parseHistogram, type ServerScrape } from './server-metrics.js';

function scrape(m: PerpdMetrics): ServerScrape {
  const text = m.render();
  const counter = (name: string): number => Number(text.split('\n').find((l) => l.startsWith(`${name} `))!.split(' ')[1]);
  return {
    journalCommit: parseHistogram(text, 'perpd_journal_commit_micros'),
    journalCommits: counter('perpd_journal_commits_total'),
    journalRecords: counter('perpd_journal_records_total'),
  };
}

it('journalDelta counts only the commits between two scrapes, with records per commit and commit-time bounds', () => {
  const m = new PerpdMetrics({ markets: demoMarkets() });
  for (let i = 0; i < 50; i++) m.observeJournalGroup(10, 30_000); // before the step: slow commits
  const before = scrape(m);
  for (let i = 0; i < 98; i++) m.observeJournalGroup(40, 400);
  m.observeJournalGroup(40, 4_000);
  m.observeJournalGroup(40, 4_000);
  const d = journalDelta(before, scrape(m))!;
  assert.equal(d.commits, 100);
  assert.equal(d.recordsPerCommit, 40);
  assert.equal(d.commitP50LeUs, 500, '400 µs falls in the ≤ 500 µs bucket');
  assert.equal(d.commitP99LeUs, 5_000, 'the 99th of 100 commits took 4 ms');
});

it('journalDelta is undefined when the daemon exports no journal metrics', () => {
  assert.equal(journalDelta({}, {}), undefined);
});
