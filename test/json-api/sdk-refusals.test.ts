/**
 * Requests the JSON API must refuse, each sent by the unmodified Hyperliquid SDK,
 * each checked to change nothing: the user's clearinghouseState, open orders,
 * fills, the book, the number of accounts and the commands the engine received
 * are compared before and after.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExchangeClient, HttpRequestError } from '@nktkas/hyperliquid';
import { ApiRequestError } from '@nktkas/hyperliquid/api/exchange';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import * as S from './hl-shapes.js';
import { startJsonTestDaemon, type JsonTestDaemon } from './support.js';

const BTC = 0;
const GTC_BID = { a: BTC, b: true, p: '99000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' as const } } };

async function refusal(p: Promise<unknown>): Promise<{ message: string; response: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiRequestError) return { message: e.message, response: e.response };
    throw e;
  }
  return assert.fail('expected the request to be refused');
}

describe('JSON API refusals change nothing', () => {
  let d: JsonTestDaemon;
  let user: ReturnType<JsonTestDaemon['trader']>;

  /** Everything a refusal must leave alone (times stripped). */
  async function state(): Promise<unknown> {
    const ch = await d.info.clearinghouseState({ user: user.address });
    const book = (await d.info.l2Book({ coin: 'BTC' }))!;
    return {
      ch: { ...ch, time: 0 },
      orders: await d.info.frontendOpenOrders({ user: user.address }),
      fills: await d.info.userFills({ user: user.address }),
      book: book.levels,
      accounts: d.handle.ledger.accountCount,
      submitted: d.handle.runtime.submitted,
      hash: d.handle.ledger.stateHash(),
    };
  }

  before(async () => {
    d = await startJsonTestDaemon();
    user = d.trader();
    await d.info.clearinghouseState({ user: user.address });
    await user.exchange.order({ orders: [GTC_BID], grouping: 'na' }); // something to leave alone
  });
  after(async () => {
    await d.close();
    assert.deepEqual(d.fatal, []);
  });

  it('a wrong signature is refused: it recovers an address nobody registered', async () => {
    const before = await state();
    const wallet = user.wallet;
    // Signs correctly, then damages r: the server recovers some other address (or none).
    const tampering = {
      address: wallet.address,
      async signTypedData(params: Parameters<typeof wallet.signTypedData>[0]) {
        const sig = await wallet.signTypedData(params);
        return `${sig.slice(0, 10)}${sig[10] === 'a' ? 'b' : 'a'}${sig.slice(11)}` as `0x${string}`;
      },
    };
    const forged = new ExchangeClient({ transport: d.http, wallet: tampering });
    const r = await refusal(forged.order({ orders: [GTC_BID], grouping: 'na' }));
    S.mustMatch(S.ErrorResponse, r.response, 'error response');
    assert.match(r.message, /^(User or API Wallet 0x[0-9a-f]{40} does not exist\.|Invalid signature)/);
    assert.ok(!r.message.includes(user.address));
    assert.deepEqual(await state(), before);
  });

  it('a reused nonce is refused', async () => {
    const nonce = Date.now();
    const fixed = new ExchangeClient({ transport: d.http, wallet: user.wallet, nonceManager: () => nonce });
    const first = await fixed.order({ orders: [{ ...GTC_BID, p: '98000' }], grouping: 'na' });
    S.mustMatch(S.OrderResponse, first, 'order response');
    const before = await state();
    const r = await refusal(fixed.order({ orders: [{ ...GTC_BID, p: '97000' }], grouping: 'na' }));
    S.mustMatch(S.ErrorResponse, r.response, 'error response');
    assert.match(r.message, /Invalid nonce: duplicate nonce/);
    // the very same signed request, replayed byte for byte
    const replay = new ExchangeClient({ transport: d.http, wallet: user.wallet, nonceManager: () => nonce });
    assert.match((await refusal(replay.order({ orders: [{ ...GTC_BID, p: '98000' }], grouping: 'na' }))).message, /duplicate nonce/);
    const old = new ExchangeClient({ transport: d.http, wallet: user.wallet, nonceManager: () => nonce - 3 * 24 * 3600 * 1000 });
    assert.match((await refusal(old.order({ orders: [GTC_BID], grouping: 'na' }))).message, /outside the allowed window/);
    assert.deepEqual(await state(), before);
  });

  it('an unknown agent is refused and gets no account', async () => {
    const before = await state();
    const stranger = new ExchangeClient({ transport: d.http, wallet: privateKeyToAccount(generatePrivateKey()) });
    const r = await refusal(stranger.order({ orders: [GTC_BID], grouping: 'na' }));
    S.mustMatch(S.ErrorResponse, r.response, 'error response');
    assert.match(r.message, /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    assert.match((await refusal(stranger.cancel({ cancels: [{ a: BTC, o: 1 }] }))).message, /does not exist/);
    // an agent cannot approve agents, and an expired agent is refused
    const agentWallet = privateKeyToAccount(generatePrivateKey());
    await user.exchange.approveAgent({ agentAddress: agentWallet.address, agentName: `old valid_until ${Date.now() - 1}` });
    const expired = new ExchangeClient({ transport: d.http, wallet: agentWallet });
    assert.match((await refusal(expired.order({ orders: [GTC_BID], grouping: 'na' }))).message, /expired/);
    assert.deepEqual(await state(), before);
  });

  it('off-grid prices and sizes are refused, never rounded', async () => {
    const before = await state();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ p: '99000.05' }, /invalid price: 99000\.05 has 2 decimals; BTC allows at most 1/],
      [{ p: '99000.5' }, /invalid price: 99000\.5 has more than 5 significant figures/],
      [{ p: '99000.0001' }, /invalid price/],
      [{ s: '0.000001' }, /invalid size: 0\.000001 is not a multiple of the lot size 0\.00001/],
      [{ s: '0' }, /Order has zero size/],
      [{ a: 7 }, /Invalid asset 7/],
    ];
    for (const [change, expected] of cases) {
      const r = await refusal(user.exchange.order({ orders: [{ ...GTC_BID, ...change } as typeof GTC_BID], grouping: 'na' }));
      S.mustMatch(S.OrderResponse, r.response, 'order response');
      assert.match(r.message, expected, JSON.stringify(change));
    }
    const trig = await refusal(user.exchange.order({ orders: [{ ...GTC_BID, r: true, t: { trigger: { isMarket: true, triggerPx: '95000.01', tpsl: 'sl' } } }], grouping: 'na' }));
    assert.match(trig.message, /invalid trigger price/);
    assert.deepEqual(await state(), before, 'nothing reached the engine');
    // On the grid but outside the price band: the engine refuses it (it did reach the engine).
    const band = await refusal(user.exchange.order({ orders: [{ ...GTC_BID, p: '150000' }], grouping: 'na' }));
    assert.match(band.message, /more than 5% away from the reference price/);
    assert.deepEqual({ ...((await state()) as object), submitted: 0 }, { ...(before as object), submitted: 0 });
  });

  it('expired actions, vaults and malformed requests are refused whole', async () => {
    const before = await state();
    const expired = await refusal(user.exchange.order({ orders: [GTC_BID], grouping: 'na' }, { expiresAfter: Date.now() - 1_000 }));
    assert.match(expired.message, /Action expired/);
    const vault = await refusal(user.exchange.order({ orders: [GTC_BID], grouping: 'na' }, { vaultAddress: '0x' + '12'.repeat(20) as `0x${string}` }));
    assert.match(vault.message, /Vault and subaccount trading are not supported/);
    const raw = async (body: string): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${d.apiUrl}/exchange`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, json: await res.json() };
    };
    const notJson = await raw('{nope');
    assert.equal(notJson.status, 400);
    const noSig = await raw(JSON.stringify({ action: { type: 'order', orders: [] }, nonce: Date.now() }));
    S.mustMatch(S.ErrorResponse, noSig.json, 'error');
    const big = await fetch(`${d.apiUrl}/info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'meta', pad: 'x'.repeat(70_000) }) });
    assert.equal(big.status, 413);
    const unknownInfo = await fetch(`${d.apiUrl}/info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'spotMeta' }) });
    assert.equal(unknownInfo.status, 422);
    assert.match(((await unknownInfo.json()) as { error: string }).error, /Unsupported info request type "spotMeta"/);
    assert.deepEqual(await state(), before);
  });
});

describe('JSON API rate limits', () => {
  let d: JsonTestDaemon;
  before(async () => {
    d = await startJsonTestDaemon({}, { jsonApi: { rate: { capacity: 6, refillPerMinute: 6, maxKeys: 1_000 } } });
  });
  after(async () => {
    await d.close();
  });

  it('an address over its limit gets HTTP 429 with a clear error, and nothing reaches the engine', async () => {
    const t = d.trader();
    await d.info.clearinghouseState({ user: t.address }); // weight 2: 4 left
    const accountId = d.handle.ledger.accountCount - 1;
    for (let i = 0; i < 4; i++) await t.exchange.order({ orders: [{ ...GTC_BID, p: String(99000 - i * 100) }], grouping: 'na' });
    const ledgerBefore = JSON.stringify(d.handle.ledger.accountView(accountId));
    const submitted = d.handle.runtime.submitted;
    let caught: unknown;
    try {
      await t.exchange.order({ orders: [GTC_BID], grouping: 'na' });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof HttpRequestError, `expected an HTTP error, got ${String(caught)}`);
    const res = caught.response!;
    assert.equal(res.status, 429);
    const body = S.mustMatch(S.ErrorResponse, await res.json(), '429 body') as { response: string };
    assert.match(body.response, /^Too many cumulative requests sent for 0x[0-9a-f]{40}: rate limit exceeded \(weight 1\); retry in \d+ ms\. Nothing was executed\./);
    assert.equal(d.handle.runtime.submitted, submitted);
    assert.equal(JSON.stringify(d.handle.ledger.accountView(accountId)), ledgerBefore);
    // another address is not affected (but anonymous info from this IP is weighed too)
    const other = d.trader();
    await d.info.clearinghouseState({ user: other.address });
    await other.exchange.order({ orders: [{ ...GTC_BID, p: '96000' }], grouping: 'na' });
  });
});

describe('JSON API: signed actions from an IP whose signatures recover to nobody known', () => {
  let d: JsonTestDaemon;
  before(async () => {
    d = await startJsonTestDaemon({}, { jsonApi: { failedSigners: { capacity: 3, refillPerMinute: 3, maxKeys: 1_000 } } });
  });
  after(async () => {
    await d.close();
  });

  it('past the per-IP budget the IP is refused with HTTP 429 before any signer recovery, and nothing reaches the engine', async () => {
    const known = d.trader();
    await d.info.clearinghouseState({ user: known.address }); // opens its demo account
    await known.exchange.order({ orders: [{ ...GTC_BID, p: '95000' }], grouping: 'na' });
    const stranger = d.trader(); // never opened an account: its actions recover to nobody known
    for (let i = 0; i < 3; i++) {
      const r = await refusal(stranger.exchange.order({ orders: [GTC_BID], grouping: 'na' }));
      assert.match(r.message, /does not exist/);
    }
    const submitted = d.handle.runtime.submitted;
    for (const who of [stranger, known]) {
      let caught: unknown;
      try {
        await who.exchange.order({ orders: [{ ...GTC_BID, p: '94000' }], grouping: 'na' });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof HttpRequestError, `expected HTTP 429, got ${String(caught)}`);
      assert.equal(caught.response!.status, 429);
      const body = S.mustMatch(S.ErrorResponse, await caught.response!.json(), '429 body') as { response: string };
      assert.match(body.response, /^Too many signed actions from \S+ whose signature recovers to no known user or agent; retry in \d+ ms\. Nothing was executed\.$/);
    }
    assert.equal(d.handle.runtime.submitted, submitted, 'nothing reached the engine');
  });
});
