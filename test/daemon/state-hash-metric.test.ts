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
