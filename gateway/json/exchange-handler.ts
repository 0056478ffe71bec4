import { Code, codeName } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { tryNormalizeAddress } from '../accounts/address-store.js';
import type { AddressAccounts, SignerAccount } from './address-accounts.js';
import type { NonceWindow } from './nonce-window.js';
import type { OrderExecutor } from './order-executor.js';
import { isCloid, mustOrderWireShape, WireShapeError, type OrderStatusWire } from './order-wire.js';
import { actionWeight, type RateLimiter } from './rate-limiter.js';
import type { CancelSchedule } from './schedule-cancel.js';
import { isWireSignature, tryRecoverApproveAgentSigner, tryRecoverL1Signer, type WireSignature } from './signing.js';

/** An answer to POST /exchange (or a WebSocket `post` of type "action"). */
export interface ExchangeResult {
  httpStatus: number;
  body: unknown;
}

/** Orders, cancels or modifies in one action. */
export const MAX_ACTION_BATCH = 1_000;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const VALID_UNTIL_RE = / valid_until (\d+)$/;

export const ACTION_TYPES = ['order', 'cancel', 'cancelByCloid', 'modify', 'batchModify', 'scheduleCancel', 'updateLeverage', 'updateIsolatedMargin', 'approveAgent'] as const;

const ok = (response: unknown): ExchangeResult => ({ httpStatus: 200, body: { status: 'ok', response } });
const err = (message: string): ExchangeResult => ({ httpStatus: 200, body: { status: 'err', response: message } });

export interface ExchangeHandlerOptions {
  accounts: AddressAccounts;
  executor: OrderExecutor;
  schedule: CancelSchedule;
  nonces: NonceWindow;
  limiter: RateLimiter;
  /** Per client IP: actions whose signer is nobody known (checked before recovery, charged after). */
  failedSigners?: RateLimiter;
  runtime: { submit(cmd: Command): number };
  gridExists: (asset: number) => boolean;
}

/** A signed request after its envelope was checked. */
interface Envelope {
  action: Record<string, unknown>;
  nonce: number;
  signature: WireSignature;
  expiresAfter: number | undefined;
}

/**
 * POST /exchange: a signed action, verified then executed.
 *
 *   1. envelope and action shape (a malformed request changes nothing, not even the nonce);
 *   2. signer recovery (module signing.ts) and its account: a registered user or an
 *      approved agent (module address-accounts.ts);
 *   3. expiresAfter, then the user's rate limit (weight 1 + floor(batch / 40));
 *   4. the signer's nonce (module nonce-window.ts), recorded once it passes;
 *   5. execution: order operations through the engine (module order-executor.ts),
 *      leverage through the ledger, agents and schedules here.
 *
 * Whole-request refusals answer {status: "err", response: sentence} (HTTP 200, as
 * Hyperliquid); a rate-limited request answers HTTP 429 with the same body shape.
 */
export class ExchangeHandler {
  readonly #o: ExchangeHandlerOptions;
  readonly #cmd = new Command();

  constructor(options: ExchangeHandlerOptions) {
    this.#o = options;
  }

  /** `ip`: the client's address (HTTP or the WebSocket's), for the failed-signer budget. */
  async handle(body: unknown, nowMs: number, ip?: string): Promise<ExchangeResult> {
    const env = parseEnvelope(body);
    if (typeof env === 'string') return err(env);
    const { action } = env;
    let batch: number;
    try {
      batch = mustActionShape(action);
    } catch (e) {
      if (e instanceof WireShapeError) return err(e.message);
      throw e;
    }
    if (action.type === 'updateIsolatedMargin') {
      return err('updateIsolatedMargin is not supported: perpd tops isolated margin up on opening fills and does not let margin be added or removed by hand yet.');
    }
    if (env.expiresAfter !== undefined && env.expiresAfter < nowMs) return err(`Action expired: expiresAfter ${env.expiresAfter} is before the server time ${nowMs}.`);
    const guard = ip === undefined ? undefined : this.#o.failedSigners;
    const blockedMs = guard?.waitMs(ip!, 1, nowMs) ?? 0;
    if (blockedMs > 0) {
      return { httpStatus: 429, body: { status: 'err', response: `Too many signed actions from ${ip} whose signature recovers to no known user or agent; retry in ${blockedMs} ms. Nothing was executed.` } };
    }
    const isUserSigned = action.type === 'approveAgent';
    const signer = isUserSigned ? recoverApproveAgent(action, env) : tryRecoverL1Signer(action, env.nonce, env.signature, env.expiresAfter);
    if (typeof signer !== 'string' || signer.startsWith('!')) {
      guard?.tryTake(ip!, 1, nowMs);
      return err(signer === undefined ? 'Invalid signature: it does not recover to a public key.' : signer.slice(1));
    }
    const who = this.#o.accounts.resolveSigner(signer, nowMs);
    if (typeof who === 'string') {
      guard?.tryTake(ip!, 1, nowMs);
      return err(who);
    }
    if (isUserSigned && who.isAgent) return err(`API Wallet ${signer} cannot approve agents: sign approveAgent with the user's own key.`);
    const wait = this.#o.limiter.tryTake(who.userAddress, actionWeight(batch), nowMs);
    if (wait > 0) {
      return { httpStatus: 429, body: { status: 'err', response: `Too many cumulative requests sent for ${who.userAddress}: rate limit exceeded (weight ${actionWeight(batch)}); retry in ${wait} ms. Nothing was executed.` } };
    }
    const nonceError = this.#o.nonces.check(signer, env.nonce, nowMs);
    if (nonceError !== undefined) return err(nonceError);
    this.#o.nonces.use(signer, env.nonce);
    return this.#execute(action, who, nowMs);
  }

  async #execute(action: Record<string, unknown>, who: SignerAccount, nowMs: number): Promise<ExchangeResult> {
    const ex = this.#o.executor;
    const acct = who.accountId;
    switch (action.type) {
      case 'order': {
        const statuses = await ex.placeAll(acct, action.orders as Record<string, unknown>[], (action.grouping as string | undefined) ?? 'na');
        return ok({ type: 'order', data: { statuses } });
      }
      case 'cancel': {
        const list = action.cancels as { a: number; o: number }[];
        const statuses = await Promise.all(list.map((c) => ex.submitCancel(acct, c.a, c.o, null)));
        return ok({ type: 'cancel', data: { statuses } });
      }
      case 'cancelByCloid': {
        const list = action.cancels as { asset: number; cloid: string }[];
        const statuses = await Promise.all(list.map((c) => ex.submitCancel(acct, c.asset, null, c.cloid.toLowerCase())));
        return ok({ type: 'cancel', data: { statuses } });
      }
      case 'modify': {
        const status = await ex.modify(acct, action.oid as number | string, action.order as Record<string, unknown>);
        return 'error' in status ? err(status.error) : ok({ type: 'default' });
      }
      case 'batchModify': {
        const list = action.modifies as { oid: number | string; order: Record<string, unknown> }[];
        const statuses: OrderStatusWire[] = await Promise.all(list.map((m) => ex.modify(acct, m.oid, m.order)));
        return ok({ type: 'order', data: { statuses } });
      }
      case 'scheduleCancel': {
        const problem = this.#o.schedule.set(acct, (action.time as number | null | undefined) ?? undefined, nowMs);
        return problem === undefined ? ok({ type: 'default' }) : err(problem);
      }
      case 'updateLeverage': {
        if (action.isCross === true) return err('Cross margin is not supported: perpd margins every position in isolation; send isCross=false.');
        const asset = action.asset as number;
        if (!this.#o.gridExists(asset)) return err(`Invalid asset ${asset}.`);
        const c = this.#cmd.reset();
        c.op = Op.SET_LEVERAGE;
        c.accountId = acct;
        c.marketId = asset;
        c.amount = action.leverage as number;
        const code = this.#o.runtime.submit(c);
        if (code === Code.OK) return ok({ type: 'default' });
        if (code === Code.INVALID_LEVERAGE) return err(`Invalid leverage value ${action.leverage} for asset ${asset}: see maxLeverage in meta.universe.`);
        if (code === Code.INSUFFICIENT_MARGIN) return err('Insufficient margin to change leverage: open orders would need more margin than is free.');
        return err(`Leverage update refused (${codeName(code)}).`);
      }
      case 'approveAgent': {
        const agent = tryNormalizeAddress(action.agentAddress)!;
        const { name, validUntilMs } = agentNameOf(action.agentName);
        const problem = this.#o.accounts.approveAgent(who.userAddress, agent, name, validUntilMs, nowMs);
        return problem === undefined ? ok({ type: 'default' }) : err(problem);
      }
    }
    return err(`Unsupported action type ${JSON.stringify(action.type)}.`);
  }
}

function parseEnvelope(body: unknown): Envelope | string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Failed to deserialize the JSON body: expected {action, nonce, signature}.';
  const b = body as Record<string, unknown>;
  const action = b.action;
  if (!action || typeof action !== 'object' || Array.isArray(action) || typeof (action as Record<string, unknown>).type !== 'string') {
    return 'Failed to deserialize the JSON body: "action" must be an object with a "type".';
  }
  if (!Number.isSafeInteger(b.nonce) || (b.nonce as number) < 0) return 'Failed to deserialize the JSON body: "nonce" must be a non-negative integer (ms).';
  if (!isWireSignature(b.signature)) return 'Failed to deserialize the JSON body: "signature" must be {r: 0x…, s: 0x…, v: 27|28}.';
  if (b.vaultAddress !== undefined && b.vaultAddress !== null) return 'Vault and subaccount trading are not supported by perpd: omit vaultAddress.';
  const exp = b.expiresAfter;
  if (exp !== undefined && exp !== null && (!Number.isSafeInteger(exp) || (exp as number) < 0)) return 'Failed to deserialize the JSON body: "expiresAfter" must be a time in ms.';
  const type = (action as Record<string, unknown>).type as string;
  if (!(ACTION_TYPES as readonly string[]).includes(type)) return `Unsupported action type ${JSON.stringify(type)}; perpd executes: ${ACTION_TYPES.join(', ')}.`;
  return { action: action as Record<string, unknown>, nonce: b.nonce as number, signature: b.signature, expiresAfter: exp === null ? undefined : (exp as number | undefined) };
}

function shapeFail(what: string): never {
  throw new WireShapeError(`Failed to deserialize the action: ${what}.`);
}

function mustBatch(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) shapeFail(`"${name}" must be a non-empty array`);
  if ((v as unknown[]).length > MAX_ACTION_BATCH) shapeFail(`"${name}" has ${(v as unknown[]).length} entries; at most ${MAX_ACTION_BATCH} per action`);
  return v as unknown[];
}

const isIndex = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks the action's shape; returns its batch length (rate-limit weight). Throws WireShapeError. */
function mustActionShape(a: Record<string, unknown>): number {
  switch (a.type) {
    case 'order': {
      const orders = mustBatch(a.orders, 'orders');
      if (a.grouping !== undefined && a.grouping !== 'na' && a.grouping !== 'normalTpsl' && a.grouping !== 'positionTpsl') shapeFail('"grouping" must be na, normalTpsl or positionTpsl');
      if (a.builder !== undefined && a.builder !== null) shapeFail('builder fees are not supported by perpd; omit "builder"');
      orders.forEach((o, i) => mustOrderWireShape(o, `order ${i}`));
      return orders.length;
    }
    case 'cancel': {
      const list = mustBatch(a.cancels, 'cancels');
      list.forEach((c, i) => {
        const o = c as Record<string, unknown>;
        if (!o || typeof o !== 'object' || !isIndex(o.a) || !isIndex(o.o)) shapeFail(`cancel ${i} must be {a: asset, o: oid}`);
      });
      return list.length;
    }
    case 'cancelByCloid': {
      const list = mustBatch(a.cancels, 'cancels');
      list.forEach((c, i) => {
        const o = c as Record<string, unknown>;
        if (!o || typeof o !== 'object' || !isIndex(o.asset) || !isCloid(o.cloid)) shapeFail(`cancel ${i} must be {asset, cloid: 0x + 32 hex}`);
      });
      return list.length;
    }
    case 'modify':
      if (!isIndex(a.oid) && !isCloid(a.oid)) shapeFail('"oid" must be an order id or a cloid');
      mustOrderWireShape(a.order, 'the modified order');
      return 1;
    case 'batchModify': {
      const list = mustBatch(a.modifies, 'modifies');
      list.forEach((m, i) => {
        const o = m as Record<string, unknown>;
        if (!o || typeof o !== 'object' || (!isIndex(o.oid) && !isCloid(o.oid))) shapeFail(`modify ${i}: "oid" must be an order id or a cloid`);
        mustOrderWireShape(o.order, `modify ${i}'s order`);
      });
      return list.length;
    }
    case 'scheduleCancel':
      if (a.time !== undefined && a.time !== null && !isIndex(a.time)) shapeFail('"time" must be a time in ms');
      return 1;
    case 'updateLeverage':
      if (!isIndex(a.asset) || typeof a.isCross !== 'boolean' || !Number.isSafeInteger(a.leverage) || (a.leverage as number) < 1) shapeFail('updateLeverage needs {asset, isCross: boolean, leverage ≥ 1}');
      return 1;
    case 'updateIsolatedMargin':
      return 1;
    case 'approveAgent': {
      if (typeof a.signatureChainId !== 'string' || !HEX_RE.test(a.signatureChainId)) shapeFail('"signatureChainId" must be a 0x hex chain id');
      if (a.hyperliquidChain !== 'Mainnet') shapeFail('"hyperliquidChain" must be "Mainnet" (perpd speaks as mainnet)');
      if (tryNormalizeAddress(a.agentAddress) === undefined) shapeFail('"agentAddress" must be an address');
      if (!isIndex(a.nonce)) shapeFail('"nonce" must be a time in ms');
      const name = a.agentName;
      if (name !== undefined && name !== null) {
        if (typeof name !== 'string') shapeFail('"agentName" must be a string');
        const base = (name as string).replace(VALID_UNTIL_RE, '');
        if (base.length < 1 || base.length > 16) shapeFail('"agentName" must be 1 to 16 characters (plus an optional " valid_until <ms>")');
      }
      return 1;
    }
  }
  return shapeFail(`unknown action type ${String(a.type)}`);
}

/** approveAgent's signer, or "!reason" when the action and the envelope disagree. */
function recoverApproveAgent(a: Record<string, unknown>, env: Envelope): string | undefined {
  if (a.nonce !== env.nonce) return '!approveAgent: action.nonce must equal the request nonce.';
  return tryRecoverApproveAgentSigner(
    {
      signatureChainId: a.signatureChainId as string,
      hyperliquidChain: a.hyperliquidChain as string,
      agentAddress: (a.agentAddress as string).toLowerCase(),
      agentName: (a.agentName as string | null | undefined) ?? '',
      nonce: a.nonce as number,
    },
    env.signature,
  );
}

/** "name valid_until 1700000000000" → name and expiry. */
function agentNameOf(v: unknown): { name: string; validUntilMs: number | null } {
  if (typeof v !== 'string') return { name: '', validUntilMs: null };
  const m = VALID_UNTIL_RE.exec(v);
  return m ? { name: v.slice(0, m.index), validUntilMs: Number(m[1]) } : { name: v, validUntilMs: null };
}
