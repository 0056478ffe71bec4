import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OrderType, Side, TimeInForce } from '../../engine/types.js';
import { sleep, startTestDaemon } from '../support/daemon.js';

it('the daemon publishes the state hash every N commands on /metrics', async () => {
  const d = await startTestDaemon({ workers: 1, journal: { hashEveryCommands: 40 } });
  try {
    const a = await d.demoClient();
    for (let i = 0; i < 60; i++) await a.client.placeOrder({ marketId: 2, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 149_000 - i, sizeLots: 1 });
    let line: string | undefined;
    for (let i = 0; i < 40 && line === undefined; i++) {
      await sleep(100);
      line = (await (await fetch(`${d.httpBase}/metrics`)).text()).split('\n').find((l) => l.startsWith('perpd_state_hash_info{'));
    }
    assert.ok(line, 'a state hash was published');
    const m = /seq="(\d+)",event_cursor="(\d+)",exchange="([0-9a-f]+)",ledger="([0-9a-f]+)"/.exec(line!);
    assert.ok(m, line);
    assert.ok(Number(m![1]) >= 40);
  } finally {
    await d.close();
  }
});

it('the daemon exports its journal on /metrics: acknowledged commits, their records and commit times, commands waiting', async () => {
  const d = await startTestDaemon({ workers: 1 });
  try {
    const a = await d.demoClient();
    const orders = 30;
    for (let i = 0; i < orders; i++) await a.client.placeOrder({ marketId: 2, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 149_000 - i, sizeLots: 1 });
    const text = await (await fetch(`${d.httpBase}/metrics`)).text();
    const value = (name: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line, `${name} is exported`);
      return Number(line!.split(' ')[1]);
    };
    const commits = value('perpd_journal_commits_total');
    // Each order was acknowledged before the next was sent: each needed its own group commit.
    assert.ok(commits >= orders, `${commits} commits for ${orders} sequential orders`);
    assert.ok(value('perpd_journal_records_total') >= orders, 'every order journals at least its command');
    assert.equal(value('perpd_journal_commit_micros_count'), commits, 'one commit time per acknowledged commit');
    assert.ok(value('perpd_journal_commit_micros_sum') > 0);
    assert.equal(value('perpd_journal_unacked_commands'), 0, 'nothing waits once every order was acknowledged');
  } finally {
    await d.close();
  }
});
