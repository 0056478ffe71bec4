/**
 * A load generator process of e2e-json (forked by bench/e2e-json.ts; the request
 * loop is ./generator-loop.ts). It holds N connections to the daemon's JSON API —
 * WebSockets to `/ws` (actions as `post` messages) when the URL is ws://, keep-alive
 * HTTP sockets (`POST /exchange`, one in flight) when it is http:// — each its own
 * user address (a fresh secp256k1 key, viem `generatePrivateKey`) whose demo account
 * is opened at connect time. Preparing a step plans it (./workload.ts, prices in
 * Hyperliquid price steps) and builds, SIGNS and lays out every action
 * (./json-actions.ts): all untimed.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { demoMarkets } from '../../engine/market-spec.js';
import { serveGenerator } from './generator-loop.js';
import { ActionBuilder, httpExchangeFrame, jsonMarkets, NoncePlan, plannerMarkets, signStep, wsPostFrame, type JsonStepMessages } from './json-actions.js';
import { JsonLoadConnection } from './json-connection.js';
import { ConnectionPlanner } from './workload.js';

let prepareStep: (c: number, rows: number) => Promise<JsonStepMessages>;

serveGenerator<JsonStepMessages, JsonLoadConnection>({
  async connect(m) {
    const markets = jsonMarkets(demoMarkets(), m.markets);
    const wallets = Array.from({ length: m.connections }, () => privateKeyToAccount(generatePrivateKey()));
    const conns = await Promise.all(wallets.map((w, i) => JsonLoadConnection.open(m.url, i, w.address.toLowerCase())));
    const frame = m.url.startsWith('http:') ? httpExchangeFrame(new URL(m.url).host) : wsPostFrame;
    const signers = wallets.map((wallet, i) => ({ wallet, builder: new ActionBuilder(markets, m.proc * 65536 + i), nonces: new NoncePlan() }));
    const planners = wallets.map((_, i) => new ConnectionPlanner(m.seed * 1000 + m.proc * 100 + i, plannerMarkets(markets), m.mix));
    prepareStep = (c, rows) => signStep(planners[c].plan(rows), signers[c].builder, signers[c].wallet, signers[c].nonces, Date.now(), frame);
    return { conns, accounts: conns.map((c) => c.index), planners };
  },
  prepare: (c, rows) => prepareStep(c, rows),
});
