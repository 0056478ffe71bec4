/**
 * Micro: JSON handling of Hyperliquid-style order actions (what the JSON API's
 * POST /exchange receives): JSON.parse of a signed `order` action with 1 and with
 * 10 orders (256 distinct pre-built bodies, so no string is parsed twice in a row),
 * and JSON.stringify of the matching `{status:"ok", response:{type:"order", …}}`.
 * The signature check (EIP-712, secp256k1) is not included: it dominates a real
 * request and belongs to the JSON API's own benchmark.
 */
import { Prng } from '../../engine/util/prng.js';
import type { MicroTask, MicroTopic } from './task.js';

const N = 256;

function hex(r: Prng, bytes: number): string {
  let s = '0x';
  for (let i = 0; i < bytes; i++) s += r.int(0, 255).toString(16).padStart(2, '0');
  return s;
}

function orderBody(r: Prng, orders: number): string {
  const list = Array.from({ length: orders }, () => ({
    a: r.int(0, 2),
    b: r.chance(0.5),
    p: (100_000 + r.int(-500, 500) / 10).toFixed(1),
    s: (r.int(1, 1000) / 1000).toFixed(3),
    r: false,
    t: { limit: { tif: r.chance(0.8) ? 'Gtc' : 'Ioc' } },
    c: hex(r, 16),
  }));
  return JSON.stringify({
    action: { type: 'order', orders: list, grouping: 'na' },
    nonce: 1_700_000_000_000 + r.int(0, 1e6),
    signature: { r: hex(r, 32), s: hex(r, 32), v: 27 + r.int(0, 1) },
    vaultAddress: null,
  });
}

export const jsonTopic: MicroTopic = {
  async tasks() {
    const r = new Prng(42);
    const one = Array.from({ length: N }, () => orderBody(r, 1));
    const ten = Array.from({ length: N }, () => orderBody(r, 10));
    const responses = Array.from({ length: N }, (_, i) => ({ status: 'ok', response: { type: 'order', data: { statuses: [{ resting: { oid: 1_000_000 + i, cloid: hex(r, 16) } }] } } }));
    let sink = 0;
    const tasks: MicroTask[] = [
      {
        name: `json: JSON.parse order action, 1 order (${one[0].length} B)`,
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) sink += (JSON.parse(one[i]) as { nonce: number }).nonce;
        },
      },
      {
        name: `json: JSON.parse order action, 10 orders (${ten[0].length} B; per action)`,
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) sink += (JSON.parse(ten[i]) as { nonce: number }).nonce;
        },
      },
      {
        name: 'json: JSON.stringify order response (1 status)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) sink += JSON.stringify(responses[i]).length;
        },
      },
    ];
    void sink;
    return tasks;
  },
};
