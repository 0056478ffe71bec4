import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { Code } from '../../engine/codes.js';
import { Op, type Command } from '../../engine/command.js';
import { newNonce, tryImportEd25519PublicKey, tryVerifyLogin, verifyLogin } from '../binary/auth.js';
import { WsClose, closeCodeFor, closeReasonFor } from '../binary/close-policy.js';
import { BatchCursor, tryDecodeRequest } from '../binary/decode.js';
import { ReportEncoder } from '../binary/encode.js';
import { CHALLENGE_VALID_MS, FrameType, LOGIN_TIMEOUT_MS, MAX_REQUEST_FRAME_BYTES } from '../binary/frames.js';
import { RequestFrame } from '../binary/request-frame.js';
import type { AccountDirectory } from '../accounts/account-directory.js';
import type { PerpdMetrics } from '../metrics.js';
import { BinarySession, type SocketData } from './binary-session.js';
import { OriginKind, type ReportRouter } from './report-router.js';

export interface BinaryEndpointOptions {
  path: string;
  runtime: { submit(cmd: Command): number; marketIds(): readonly number[]; beginBatch(): void; endBatch(): void };
  router: ReportRouter;
  accounts: AccountDirectory;
  metrics: PerpdMetrics;
  logger: Logger;
  nowUs: () => number;
  maxConnections: number;
  maxSubscriptionsPerConnection: number;
  /** Hard limit: uWS closes a connection whose unsent bytes exceed it (execution reports are never dropped). */
  maxBackpressureBytes: number;
  deadManMaxMs: number;
}

/** Commands that may go to the engine, by frame type. */
const ORDER_FRAMES = new Set<number>([FrameType.NEW_ORDER, FrameType.CANCEL, FrameType.CANCEL_BY_CLOID, FrameType.MODIFY, FrameType.MASS_CANCEL]);

/**
 * The market makers' endpoint: one uWS WebSocket route speaking the binary protocol
 * (docs/protocol-binary.md). Decodes into one reused RequestFrame (no allocation
 * per message beyond uWS's own buffer view), answers session frames itself, and
 * hands order frames to the runtime with the session's account. A coarse 100 ms
 * tick enforces login timeouts and dead-man switches (no timer per connection).
 */
export class BinaryEndpoint {
  readonly #o: BinaryEndpointOptions;
  readonly #frame = new RequestFrame();
  readonly #cursor = new BatchCursor();
  readonly #enc = new ReportEncoder();
  readonly #sessions = new Set<BinarySession>();
  #nextSessionId = 1;
  #receivedMs = 0;
  #tick: NodeJS.Timeout | undefined;

  constructor(options: BinaryEndpointOptions) {
    this.#o = options;
  }

  get connectionCount(): number {
    return this.#sessions.size;
  }

  attach(app: TemplatedApp): void {
    const o = this.#o;
    app.ws<SocketData>(o.path, {
      compression: 0,
      // A little above the protocol's limit so FRAME_TOO_LARGE can be answered with its own close reason.
      maxPayloadLength: MAX_REQUEST_FRAME_BYTES + 1024,
      idleTimeout: 120,
      maxBackpressure: o.maxBackpressureBytes * 4,
      closeOnBackpressureLimit: 1,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        if (this.#sessions.size >= o.maxConnections) {
          res.writeStatus('503 Service Unavailable').end('too many connections');
          return;
        }
        res.upgrade<SocketData>(
          { session: undefined },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => this.#onOpen(ws),
      message: (ws, message, isBinary) => this.#onMessage(ws, message, isBinary),
      close: (ws) => this.#onClose(ws),
    });
    this.#tick = setInterval(() => this.#onTick(), 100);
    this.#tick.unref();
  }

  /** Closes every connection (shutdown). */
  closeAll(): void {
    if (this.#tick) clearInterval(this.#tick);
    for (const s of this.#sessions) s.close(1001, 'SHUTDOWN');
  }

  #onOpen(ws: WebSocket<SocketData>): void {
    const now = Date.now();
    const s = new BinarySession(this.#nextSessionId++, ws, now);
    ws.getUserData().session = s;
    this.#sessions.add(s);
    this.#o.metrics.connections.inc();
    this.#issueChallenge(s, 0, now);
  }

  #onClose(ws: WebSocket<SocketData>): void {
    const s = ws.getUserData().session;
    if (!s) return;
    s.closed = true;
    this.#sessions.delete(s);
    this.#o.metrics.connections.dec();
    this.#o.router.detach(s);
    // Cancel-on-disconnect for an armed dead-man switch.
    if (s.deadManMs > 0) this.#fireDeadMan(s);
  }

  #issueChallenge(s: BinarySession, requestId: number, nowMs: number): void {
    s.nonce = newNonce();
    s.nonceIssuedMs = nowMs;
    s.send(this.#enc.encodeChallenge(requestId, s.nonce, CHALLENGE_VALID_MS));
  }

  /** One WebSocket message (a frame or a BATCH): its commands reach the workers with one doorbell ring at the end. */
  #onMessage(ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean): void {
    const runtime = this.#o.runtime;
    runtime.beginBatch();
    try {
      this.#onMessageFrames(ws, message, isBinary);
    } finally {
      runtime.endBatch();
    }
  }

  #onMessageFrames(ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean): void {
    const s = ws.getUserData().session!;
    if (!isBinary) {
      s.close(WsClose.UNSUPPORTED_DATA, closeReasonFor(Code.MALFORMED));
      return;
    }
    s.lastSeenMs = Date.now();
    this.#receivedMs = performance.now();
    const bytes = new Uint8Array(message);
    const f = this.#frame;
    const code = tryDecodeRequest(bytes, f);
    if (code !== Code.OK) {
      this.#o.metrics.rejects.incFor(code);
      const close = closeCodeFor(code, f.fatal);
      if (close !== 0) s.close(close, closeReasonFor(code));
      else s.send(this.#enc.encodeError(f.requestId, code, f.type, f.errorField, 0));
      return;
    }
    if (f.type === FrameType.BATCH) {
      if (!s.loggedIn) {
        s.send(this.#enc.encodeError(f.requestId, Code.NOT_AUTHENTICATED, f.type, 0, 0));
        return;
      }
      this.#cursor.begin(bytes, 0, f.batchCount);
      for (let i = 0; this.#cursor.hasNext(); i++) {
        const sub = this.#cursor.tryDecodeNext(f);
        if (sub !== Code.OK) s.send(this.#enc.encodeError(f.requestId, sub, f.type, f.errorField, i));
        else this.#handle(s, f);
      }
      return;
    }
    this.#handle(s, f);
  }

  #handle(s: BinarySession, f: RequestFrame): void {
    const enc = this.#enc;
    switch (f.type) {
      case FrameType.LOGIN_REQUEST:
        return this.#issueChallenge(s, f.requestId, Date.now());
      case FrameType.LOGIN:
        return this.#login(s, f);
      case FrameType.HEARTBEAT:
        s.send(enc.encodeHeartbeatAck(f.requestId, f.clientTimeUs, this.#o.nowUs()));
        return;
    }
    if (!s.loggedIn) {
      s.send(enc.encodeError(f.requestId, Code.NOT_AUTHENTICATED, f.type, 0, 0));
      return;
    }
    if (ORDER_FRAMES.has(f.type)) return this.#submitOrderFrame(s, f);
    const router = this.#o.router;
    switch (f.type) {
      case FrameType.SET_DEAD_MAN: {
        const ms = Math.min(f.timeoutMs, this.#o.deadManMaxMs);
        s.deadManMs = ms;
        s.send(enc.encodeAck(f.requestId, f.type, ms));
        return;
      }
      case FrameType.SUBSCRIBE: {
        if (!router.hasMarket(f.marketId)) {
          s.send(enc.encodeError(f.requestId, Code.UNKNOWN_MARKET, f.type, 0, 0));
          return;
        }
        if (!s.subscriptions.has(f.marketId) && s.subscriptions.size >= this.#o.maxSubscriptionsPerConnection) {
          s.send(enc.encodeError(f.requestId, Code.TOO_MANY_SUBSCRIPTIONS, f.type, 0, 0));
          return;
        }
        s.send(enc.encodeAck(f.requestId, f.type, f.channels));
        router.subscribe(s, f.requestId, f.marketId, f.channels, f.depth);
        return;
      }
      case FrameType.UNSUBSCRIBE: {
        if (!s.subscriptions.has(f.marketId)) {
          s.send(enc.encodeError(f.requestId, Code.NOT_SUBSCRIBED, f.type, 0, 0));
          return;
        }
        router.unsubscribe(s, f.marketId, f.channels);
        s.send(enc.encodeAck(f.requestId, f.type, 0));
        return;
      }
      case FrameType.RESYNC: {
        if (!router.hasMarket(f.marketId)) {
          s.send(enc.encodeError(f.requestId, Code.UNKNOWN_MARKET, f.type, 0, 0));
          return;
        }
        router.sendSnapshot(s, f.requestId, f.marketId, f.depth > 0 ? f.depth : 100);
        return;
      }
    }
  }

  #login(s: BinarySession, f: RequestFrame): void {
    const enc = this.#enc;
    if (s.loggedIn) {
      s.send(enc.encodeLoginRejected(f.requestId, Code.ALREADY_AUTHENTICATED, s.attemptsLeft));
      return;
    }
    const now = Date.now();
    const nonce = s.nonce;
    s.nonce = undefined; // single use, whatever the outcome
    let verdict: number = Code.LOGIN_FAILED;
    let accountId = f.accountId;
    if (nonce !== undefined && now - s.nonceIssuedMs <= CHALLENGE_VALID_MS) {
      const accounts = this.#o.accounts;
      if (accountId === 0 && accounts.demo) {
        // Demo: accountId 0 = "the account of this key", created on first contact.
        const key = tryImportEd25519PublicKey(f.publicKey);
        if (key && verifyLogin(key, nonce, 0, f.publicKey, f.signature)) {
          const hex = Buffer.from(f.publicKey).toString('hex');
          const known = accounts.accountOfKey(hex);
          if (known !== undefined) {
            accountId = known;
            verdict = Code.OK;
          } else {
            const created = accounts.createDemoAccount(hex);
            verdict = created.code;
            accountId = created.accountId;
            if (verdict === Code.OK) this.#o.logger.info({ accountId, key: hex.slice(0, 16) }, 'demo account created on first contact');
          }
        }
      } else if (accountId !== 0) {
        verdict = tryVerifyLogin(accounts.activeKeys, accountId, f.publicKey, nonce, f.signature);
        if (verdict === Code.OK) verdict = accounts.ensureAccount(accountId);
      }
    }
    if (verdict === Code.OK) {
      s.loggedIn = true;
      s.accountId = accountId;
      this.#o.router.attach(s);
      s.send(enc.encodeLoginOk(f.requestId, accountId, s.id, this.#o.nowUs()));
      return;
    }
    s.attemptsLeft--;
    // Every failure reads the same (no probing of accounts or keys); the cause goes to the log.
    this.#o.logger.info({ session: s.id, accountId: f.accountId, cause: verdict }, 'login refused');
    s.send(enc.encodeLoginRejected(f.requestId, Code.LOGIN_FAILED, s.attemptsLeft));
    if (s.attemptsLeft <= 0) {
      s.close(1008, closeReasonFor(Code.LOGIN_FAILED));
      return;
    }
    this.#issueChallenge(s, f.requestId, now);
  }

  #submitOrderFrame(s: BinarySession, f: RequestFrame): void {
    const cmd = f.command;
    cmd.accountId = s.accountId;
    this.#o.metrics.ordersIn.incFor(cmd.op);
    const c0 = cmd.cloid0;
    const c1 = cmd.cloid1;
    const c2 = cmd.cloid2;
    const c3 = cmd.cloid3;
    const side = cmd.side;
    const marketId = cmd.marketId;
    const code = this.#o.runtime.submit(cmd);
    if (code !== Code.OK) {
      this.#o.metrics.rejects.incFor(code);
      s.send(this.#enc.encodeRejected(f.requestId, code, marketId, f.type, side, cmd.orderId, 0, c0, c1, c2, c3));
      return;
    }
    const router = this.#o.router;
    const markets = cmd.op === Op.CANCEL_ALL && marketId === 0xffff ? this.#o.runtime.marketIds().length : 1;
    const origin = router.newOrigin(s, f.requestId, f.type, OriginKind.CLIENT, markets, this.#receivedMs);
    for (let i = 0; i < markets; i++) router.expect(cmd.seq + i, origin);
    if (cmd.op === Op.PLACE) {
      origin.cloid0 = c0;
      origin.cloid1 = c1;
      origin.cloid2 = c2;
      origin.cloid3 = c3;
    }
  }

  /** Cancels every open order placed through this session (dead-man / cancel-on-disconnect). */
  #fireDeadMan(s: BinarySession): void {
    const cmd = this.#frame.command;
    let pending = 0;
    for (const [orderId, marketId] of s.liveOrders) {
      cmd.reset();
      cmd.op = Op.CANCEL;
      cmd.accountId = s.accountId;
      cmd.marketId = marketId;
      cmd.orderId = orderId;
      const code = this.#o.runtime.submit(cmd);
      if (code === Code.OK) {
        this.#o.router.expect(cmd.seq, this.#o.router.newOrigin(s, 0, FrameType.CANCEL, OriginKind.DEAD_MAN, 1, 0));
        s.liveOrders.delete(orderId);
      } else if (code === Code.OVERLOADED) pending++;
    }
    this.#o.logger.warn({ session: s.id, accountId: s.accountId, retry: pending }, 'dead-man switch fired');
    // Keep it armed while some cancels could not be queued (retried on the next tick).
    s.deadManMs = pending > 0 ? s.deadManMs : 0;
    if (pending > 0 && s.closed) this.#retryAfterClose.add(s);
  }

  readonly #retryAfterClose = new Set<BinarySession>();

  #onTick(): void {
    const now = Date.now();
    for (const s of this.#sessions) {
      if (!s.loggedIn && now - s.connectedMs > LOGIN_TIMEOUT_MS) {
        s.close(1008, closeReasonFor(Code.LOGIN_FAILED));
        continue;
      }
      if (s.deadManMs > 0 && now - s.lastSeenMs > s.deadManMs) this.#fireDeadMan(s);
    }
    for (const s of this.#retryAfterClose) {
      this.#retryAfterClose.delete(s);
      this.#fireDeadMan(s);
    }
  }
}
