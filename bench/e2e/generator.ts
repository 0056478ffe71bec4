/**
 * A load generator process of e2e-binary (forked by bench/e2e.ts; the request loop
 * is ./generator-loop.ts). It holds N binary-protocol connections (one demo account
 * each: account 0 and a fresh Ed25519 key) and pre-encodes each step's planned ops
 * into frames (./step-frames.ts) before the step starts.
 */
import { generateEd25519KeyPair } from '../../gateway/binary/auth.js';
import { serveGenerator } from './generator-loop.js';
import { LoadConnection } from './load-connection.js';
import { encodeStep, type StepFrames } from './step-frames.js';
import { ConnectionPlanner } from './workload.js';

let conns: LoadConnection[] = [];
let planners: ConnectionPlanner[] = [];

serveGenerator<StepFrames, LoadConnection>({
  async connect(m) {
    const tagBase = m.proc * 65536;
    conns = await Promise.all(Array.from({ length: m.connections }, (_, i) => LoadConnection.open(m.url, i, tagBase + i, generateEd25519KeyPair().privateKey)));
    planners = conns.map((_, i) => new ConnectionPlanner(m.seed * 1000 + m.proc * 100 + i, m.markets, m.mix));
    return { conns, accounts: conns.map((c) => c.accountId), planners };
  },
  prepare: (c, rows) => encodeStep(planners[c].plan(rows), conns[c].tag),
});
