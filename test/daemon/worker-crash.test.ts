import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sleep, startTestDaemon } from '../support/daemon.js';

it('a crashed market worker stops the daemon: fatal reported, listener closed, clients disconnected', async () => {
  const d = await startTestDaemon({ workers: 2 });
  const a = await d.demoClient();
  const closed = new Promise<number>((r) => a.client.on('close', (code) => r(code)));
  assert.equal((await fetch(`${d.httpBase}/ready`, { headers: { connection: 'close' } })).status, 200);
  await d.handle.pool.killWorkerForTest(1);
  await sleep(100);
  assert.equal(d.fatal.length, 1);
  assert.match(d.fatal[0].message, /market worker 1 \(ETH-PERP\) exited/);
  assert.equal(await closed, 1001, 'sessions are closed when the venue goes down');
  await assert.rejects(fetch(`${d.httpBase}/ready`, { headers: { connection: 'close' } }), 'the listen socket is closed: no new connection');
  await d.close();
});
