/**
 * Typed client for the binary WebSocket protocol (docs/protocol-binary.md), for
 * market makers, tests and load generators. Built on the `ws` package; it may
 * allocate (it is not the server's hot path).
 *
 *   const client = await BinaryClient.connect({ url, accountId, privateKey });
 *   client.on('fill', (f) => …);
 *   const r = await client.placeOrder({ marketId: 0, side: Side.BUY, orderType: OrderType.LIMIT,
 *                                       tif: TimeInForce.GTC, priceTicks: 1_000_000, sizeLots: 10 });
 *   if (r.kind === 'accepted') …  else codeName(r.code)
 *
 * Requests are correlated by requestId: each helper resolves with the frame that
 * answers it (ACCEPTED / REJECTED, CANCELLED / REJECTED, MODIFIED / REJECTED, ACK,
 * HEARTBEAT_ACK, L2_SNAPSHOT) and rejects with a ProtocolError when the server answers
 * with an ERROR frame, with a RequestTimeoutError after `requestTimeoutMs`, or when
 * the connection closes.
 *
 * Every server frame is also emitted: by kind ('fill', 'cancelled', 'l2Update', …),
 * execution reports as 'report', everything as 'frame'. Market-data sequence numbers
 * are tracked per market and channel (md-tracker.ts): a jump emits 'gap', and with
 * `autoResync` (default) an L2 gap sends a RESYNC; 'book' is emitted whenever the
 * local L2 book of a market changed while in sync.
 *
 * Benchmark fast path: `sendPreEncoded(messages)` sends frames built in advance
 * (`preEncodeBatches`), without promises or per-request bookkeeping; the reports
 * still arrive as events.
 */
import { EventEmitter, on } from 'node:events';
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { codeName } from '../../engine/codes.js';
import { exportEd25519PublicKeyRaw, signLogin } from '../binary/auth.js';
import {
  decodeReport,
  type AckFrame,
  type AcceptedReport,
  type BboFrame,
  type CancelledReport,
  type ChallengeFrame,
  type DoneReport,
  type ErrorFrame,
  type ExecutionReport,
  type FillReport,
  type HeartbeatAckFrame,
  type L2SnapshotFrame,
  type L2UpdateFrame,
  type LoginOkFrame,
  type LoginRejectedFrame,
  type ModifiedReport,
  type RejectedReport,
  type ServerFrame,
  type TradeFrame,
  type TriggeredReport,
} from '../binary/client-decode.js';
import {
  encodeBatch,
  encodeCancel,
  encodeCancelByCloid,
  encodeHeartbeat,
  encodeLogin,
  encodeLoginRequest,
  encodeMassCancel,
  encodeModify,
  encodeNewOrder,
  encodeResync,
  encodeSetDeadMan,
  encodeSubscribe,
  encodeUnsubscribe,
  type CancelByCloidFields,
  type CancelFields,
  type ModifyFields,
  type NewOrderFields,
  type SubscriptionFields,
} from '../binary/client-encode.js';
import { ALL_MARKETS, Channel, fieldName, frameTypeName, MAX_BATCH_FRAMES, MAX_REPORT_FRAME_BYTES } from '../binary/frames.js';
import type { L2Book } from './l2-book.js';
import { DEFAULT_MAX_BUFFERED_UPDATES, MarketDataTracker, type GapEvent } from './md-tracker.js';

export interface BinaryClientOptions {
  /** ws:// or wss:// URL of the binary endpoint. */
  url: string;
  accountId: number;
  /** Ed25519 private key registered (by its public half) for the account. */
  privateKey: KeyObject;
  /** Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** Send RESYNC on an L2 gap (default true). */
  autoResync?: boolean;
  /** Send a HEARTBEAT this often (0 = only while a dead-man timeout is armed, at a third of it). */
  heartbeatIntervalMs?: number;
  /** L2 updates buffered per market while awaiting a snapshot (default 10,000). */
  maxBufferedUpdates?: number;
  /** Extra options for the `ws` WebSocket. */
  wsOptions?: WebSocket.ClientOptions;
}

/** The server answered a request with an ERROR frame. */
export class ProtocolError extends Error {
  constructor(readonly frame: ErrorFrame) {
    super(`${codeName(frame.code)} on ${frameTypeName(frame.requestType)} (requestId ${frame.requestId}, field ${fieldName(frame.fieldId)}, detail ${frame.detail})`);
    this.name = 'ProtocolError';
  }
  get code(): number {
    return this.frame.code;
  }
}

export class LoginError extends Error {
  constructor(readonly frame: LoginRejectedFrame) {
    super(`login rejected: ${codeName(frame.code)} (${frame.attemptsLeft} attempts left)`);
    this.name = 'LoginError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(
    readonly requestId: number,
    readonly what: string,
    timeoutMs: number,
  ) {
    super(`${what} (requestId ${requestId}) got no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export interface BinaryClientEvents {
  frame: [ServerFrame];
  report: [ExecutionReport];
  challenge: [ChallengeFrame];
  loginOk: [LoginOkFrame];
  loginRejected: [LoginRejectedFrame];
  heartbeatAck: [HeartbeatAckFrame];
  ack: [AckFrame];
  /** An ERROR frame (also those that reject a pending request). */
  protocolError: [ErrorFrame];
  accepted: [AcceptedReport];
  rejected: [RejectedReport];
  fill: [FillReport];
  cancelled: [CancelledReport];
  modified: [ModifiedReport];
  done: [DoneReport];
  triggered: [TriggeredReport];
  l2Snapshot: [L2SnapshotFrame];
  l2Update: [L2UpdateFrame];
  trade: [TradeFrame];
  bbo: [BboFrame];
  /** The local L2 book of a market changed while in sync. */
  book: [number, L2Book];
  gap: [GapEvent];
  /** A server message the client could not decode (code, field) or a text message. */
  undecodable: [number, number];
  /** A failure with no pending request to reject (e.g. an automatic RESYNC refused). */
  clientError: [Error];
  close: [number, string];
}

type Kind = ServerFrame['kind'];

interface Pending {
  resolve: (f: ServerFrame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  settlesOn: readonly Kind[];
}

/** How long login() waits for the CHALLENGE the server sends on connect before asking with LOGIN_REQUEST. */
const CONNECT_CHALLENGE_WAIT_MS = 1000;

const EXECUTION_KINDS = new Set<Kind>(['accepted', 'rejected', 'fill', 'cancelled', 'modified', 'done', 'triggered']);

export class BinaryClient extends EventEmitter<BinaryClientEvents> {
  readonly #opts: Required<Omit<BinaryClientOptions, 'wsOptions'>> & { wsOptions: WebSocket.ClientOptions };
  readonly #publicKeyRaw: Uint8Array;
  readonly #pending = new Map<number, Pending>();
  readonly #md: MarketDataTracker;
  readonly #resyncing = new Set<number>();
  #ws: WebSocket | undefined;
  #nextRequestId = 1;
  /** Nonce of the latest CHALLENGE not yet used by a LOGIN. */
  #nonce: Uint8Array | undefined;
  #challengeWaiters: ((c: ChallengeFrame) => void)[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #loggedIn = false;

  constructor(opts: BinaryClientOptions) {
    super();
    this.#opts = {
      requestTimeoutMs: 10_000,
      autoResync: true,
      heartbeatIntervalMs: 0,
      maxBufferedUpdates: DEFAULT_MAX_BUFFERED_UPDATES,
      ...opts,
      wsOptions: opts.wsOptions ?? {},
    };
    this.#publicKeyRaw = exportEd25519PublicKeyRaw(opts.privateKey);
    this.#md = new MarketDataTracker(this.#opts.maxBufferedUpdates);
  }

  /** Opens the connection and logs in. */
  static async connect(opts: BinaryClientOptions): Promise<BinaryClient> {
    const client = new BinaryClient(opts);
    await client.open();
    try {
      await client.login();
    } catch (err) {
      client.terminate();
      throw err;
    }
    return client;
  }

  get publicKeyRaw(): Uint8Array {
    return this.#publicKeyRaw;
  }

  get loggedIn(): boolean {
    return this.#loggedIn;
  }

  /** Opens the WebSocket; resolves once it is open (the server's first CHALLENGE may still be in flight). */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.#opts.url, { maxPayload: MAX_REPORT_FRAME_BYTES, perMessageDeflate: false, ...this.#opts.wsOptions });
      ws.binaryType = 'nodebuffer';
      this.#ws = ws;
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', (err) => this.emit('clientError', err));
        if (this.#opts.heartbeatIntervalMs > 0) this.#startHeartbeat(this.#opts.heartbeatIntervalMs);
        resolve();
      });
      ws.once('error', reject);
      ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
      ws.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    });
  }

  /**
   * Logs in: signs the latest unused CHALLENGE (waiting for the one the server sends
   * on connect, or asking for a fresh one with LOGIN_REQUEST) and sends LOGIN.
   * Resolves with LOGIN_OK; rejects with LoginError on LOGIN_REJECTED.
   */
  async login(): Promise<LoginOkFrame> {
    const accountId = this.#opts.accountId;
    let nonce = this.#nonce ?? (await this.#awaitChallenge(CONNECT_CHALLENGE_WAIT_MS));
    if (!nonce) {
      const id = this.nextRequestId();
      const challenge = this.#request<ChallengeFrame>(id, encodeLoginRequest(id, { accountId, publicKey: this.#publicKeyRaw }), ['challenge'], 'LOGIN_REQUEST');
      nonce = (await challenge).nonce;
    }
    this.#nonce = undefined;
    const signature = signLogin(this.#opts.privateKey, nonce, accountId, this.#publicKeyRaw);
    const id = this.nextRequestId();
    const ok = await this.#request<LoginOkFrame>(id, encodeLogin(id, { accountId, publicKey: this.#publicKeyRaw, signature }), ['loginOk'], 'LOGIN');
    this.#loggedIn = true;
    return ok;
  }

  /** Resolves with the nonce of the next CHALLENGE, or undefined after `waitMs`. */
  #awaitChallenge(waitMs: number): Promise<Uint8Array | undefined> {
    return new Promise((resolve) => {
      const waiter = (c: ChallengeFrame) => {
        clearTimeout(timer);
        resolve(c.nonce);
      };
      const timer = setTimeout(() => {
        this.#challengeWaiters = this.#challengeWaiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, waitMs);
      this.#challengeWaiters.push(waiter);
    });
  }

  // ---- requests -------------------------------------------------------------------

  placeOrder(f: NewOrderFields): Promise<AcceptedReport | RejectedReport> {
    const id = this.nextRequestId();
    return this.#request(id, encodeNewOrder(id, f), ['accepted', 'rejected'], 'NEW_ORDER');
  }

  cancel(f: CancelFields): Promise<CancelledReport | RejectedReport> {
    const id = this.nextRequestId();
    return this.#request(id, encodeCancel(id, f), ['cancelled', 'rejected'], 'CANCEL');
  }

  cancelByCloid(f: CancelByCloidFields): Promise<CancelledReport | RejectedReport> {
    const id = this.nextRequestId();
    return this.#request(id, encodeCancelByCloid(id, f), ['cancelled', 'rejected'], 'CANCEL_BY_CLOID');
  }

  modify(f: ModifyFields): Promise<ModifiedReport | RejectedReport> {
    const id = this.nextRequestId();
    return this.#request(id, encodeModify(id, f), ['modified', 'rejected'], 'MODIFY');
  }

  /** Cancels every open order of the account in one market, or in all (default). ACK value = orders cancelled. */
  massCancel(marketId: number = ALL_MARKETS): Promise<AckFrame> {
    const id = this.nextRequestId();
    return this.#request(id, encodeMassCancel(id, marketId), ['ack'], 'MASS_CANCEL');
  }

  heartbeat(clientTimeUs = Date.now() * 1000): Promise<HeartbeatAckFrame> {
    const id = this.nextRequestId();
    return this.#request(id, encodeHeartbeat(id, clientTimeUs), ['heartbeatAck'], 'HEARTBEAT');
  }

  /**
   * Arms (timeoutMs > 0) or disarms (0) the dead-man switch. While armed, and unless a
   * fixed `heartbeatIntervalMs` was configured, the client sends a HEARTBEAT every
   * timeoutMs / 3.
   */
  async setDeadMan(timeoutMs: number): Promise<AckFrame> {
    const id = this.nextRequestId();
    const ack = await this.#request<AckFrame>(id, encodeSetDeadMan(id, timeoutMs), ['ack'], 'SET_DEAD_MAN');
    if (this.#opts.heartbeatIntervalMs === 0) {
      if (timeoutMs > 0) this.#startHeartbeat(Math.max(1, Math.floor(timeoutMs / 3)));
      else this.#stopHeartbeat();
    }
    return ack;
  }

  /** Subscribes; resolves on the ACK. With Channel.L2 an L2_SNAPSHOT follows (event 'l2Snapshot', then 'book'). */
  subscribe(f: SubscriptionFields): Promise<AckFrame> {
    this.#md.reset(f.marketId, (f.channels & Channel.L2) !== 0, (f.channels & Channel.TRADES) !== 0, (f.channels & Channel.BBO) !== 0);
    const id = this.nextRequestId();
    return this.#request(id, encodeSubscribe(id, f), ['ack'], 'SUBSCRIBE');
  }

  unsubscribe(f: SubscriptionFields): Promise<AckFrame> {
    this.#md.reset(f.marketId, (f.channels & Channel.L2) !== 0, (f.channels & Channel.TRADES) !== 0, (f.channels & Channel.BBO) !== 0);
    const id = this.nextRequestId();
    return this.#request(id, encodeUnsubscribe(id, f), ['ack'], 'UNSUBSCRIBE');
  }

  /** Asks for a fresh L2 snapshot of a subscribed market; resolves with it (already applied to the local book). */
  resync(marketId: number): Promise<L2SnapshotFrame> {
    const id = this.nextRequestId();
    this.#resyncing.add(marketId);
    const p = this.#request<L2SnapshotFrame>(id, encodeResync(id, marketId), ['l2Snapshot'], 'RESYNC');
    p.then(
      () => this.#resyncing.delete(marketId),
      () => this.#resyncing.delete(marketId),
    );
    return p;
  }

  /** The local L2 book of a market while it is in sync, else undefined. */
  book(marketId: number): L2Book | undefined {
    return this.#md.book(marketId);
  }

  /** Sends bytes as they are (hostile-input tests). */
  sendRaw(bytes: Uint8Array): void {
    this.#mustWs().send(bytes, { binary: true });
  }

  /** A requestId not in use by a pending request (1..2^32 − 1; 0 marks unsolicited frames). */
  nextRequestId(): number {
    for (;;) {
      const id = this.#nextRequestId;
      this.#nextRequestId = id >= 0xffffffff ? 1 : id + 1;
      if (!this.#pending.has(id)) return id;
    }
  }

  /**
   * Benchmark helper: packs pre-encoded client→server frames (from the `encode…`
   * functions, each with its own requestId, see `nextRequestId`) into BATCH messages of
   * up to `framesPerBatch`. Build them before the timed section.
   */
  static preEncodeBatches(frames: readonly Uint8Array[], framesPerBatch = MAX_BATCH_FRAMES): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < frames.length; i += framesPerBatch) out.push(encodeBatch(frames.slice(i, i + framesPerBatch)));
    return out;
  }

  /**
   * Benchmark fast path: sends pre-built messages (frames or batches) back to back with no
   * per-request promise. Responses arrive as events ('accepted', 'rejected', …). Resolves
   * when `ws` has handed every message to the socket.
   */
  sendPreEncoded(messages: readonly Uint8Array[]): Promise<void> {
    const ws = this.#mustWs();
    return new Promise((resolve, reject) => {
      let left = messages.length;
      if (left === 0) return resolve();
      const done = (err?: Error) => {
        if (err) reject(err);
        else if (--left === 0) resolve();
      };
      for (const m of messages) ws.send(m, { binary: true }, done);
    });
  }

  /** Execution reports as an async iterator (ends when `signal` aborts or the client closes). */
  async *reports(signal?: AbortSignal): AsyncGenerator<ExecutionReport> {
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal?.addEventListener('abort', onAbort);
    this.once('close', onAbort);
    try {
      for await (const [r] of on(this as unknown as EventEmitter, 'report', { signal: ac.signal })) yield r as ExecutionReport;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.off('close', onAbort);
    }
  }

  /** Closes the connection (WebSocket close 1000) and resolves when closed. */
  close(): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'bye');
    });
  }

  /**
   * Stops reading from the socket (the server then sees a slow consumer and drops
   * market data for this connection); `resumeReading` continues. For tests and demos.
   */
  pauseReading(): void {
    this.#mustWs().pause();
  }

  resumeReading(): void {
    this.#mustWs().resume();
  }

  /** Drops the connection without a close handshake. */
  terminate(): void {
    this.#ws?.terminate();
  }

  // ---- internals ------------------------------------------------------------------

  #mustWs(): WebSocket {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error('binary client: not connected');
    return ws;
  }

  #request<T extends ServerFrame>(requestId: number, bytes: Uint8Array, settlesOn: readonly Kind[], what: string): Promise<T> {
    const ws = this.#mustWs();
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.#opts.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new RequestTimeoutError(requestId, what, timeoutMs));
      }, timeoutMs);
      this.#pending.set(requestId, { resolve: resolve as (f: ServerFrame) => void, reject, timer, settlesOn });
      ws.send(bytes, { binary: true });
    });
  }

  #settle(f: ServerFrame): void {
    if (f.requestId === 0) return;
    const p = this.#pending.get(f.requestId);
    if (!p) return;
    let err: Error | undefined;
    if (f.kind === 'error') err = new ProtocolError(f);
    else if (f.kind === 'loginRejected') err = new LoginError(f);
    else if (!p.settlesOn.includes(f.kind)) return; // e.g. the L2_SNAPSHOT after a SUBSCRIBE's ACK
    this.#pending.delete(f.requestId);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(f);
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.emit('undecodable', 0, 0);
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const r = decodeReport(bytes);
    if (!r.ok) {
      this.emit('undecodable', r.code, r.field);
      return;
    }
    const f = r.frame;
    this.#route(f);
    this.#settle(f);
  }

  #route(f: ServerFrame): void {
    this.emit('frame', f);
    if (EXECUTION_KINDS.has(f.kind)) this.emit('report', f as ExecutionReport);
    switch (f.kind) {
      case 'challenge':
        this.#nonce = f.nonce;
        this.emit('challenge', f);
        for (const w of this.#challengeWaiters.splice(0)) w(f);
        return;
      case 'loginOk':
        return void this.emit('loginOk', f);
      case 'loginRejected':
        return void this.emit('loginRejected', f);
      case 'heartbeatAck':
        return void this.emit('heartbeatAck', f);
      case 'ack':
        return void this.emit('ack', f);
      case 'error':
        return void this.emit('protocolError', f);
      case 'accepted':
        return void this.emit('accepted', f);
      case 'rejected':
        return void this.emit('rejected', f);
      case 'fill':
        return void this.emit('fill', f);
      case 'cancelled':
        return void this.emit('cancelled', f);
      case 'modified':
        return void this.emit('modified', f);
      case 'done':
        return void this.emit('done', f);
      case 'triggered':
        return void this.emit('triggered', f);
      case 'l2Snapshot': {
        this.emit('l2Snapshot', f);
        this.#afterL2(f.marketId, this.#md.onL2Snapshot(f));
        return;
      }
      case 'l2Update': {
        this.emit('l2Update', f);
        this.#afterL2(f.marketId, this.#md.onL2Update(f));
        return;
      }
      case 'trade': {
        this.emit('trade', f);
        const gap = this.#md.onTrade(f);
        if (gap) this.emit('gap', gap);
        return;
      }
      case 'bbo': {
        this.emit('bbo', f);
        const gap = this.#md.onBbo(f);
        if (gap) this.emit('gap', gap);
        return;
      }
    }
  }

  #afterL2(marketId: number, outcome: { bookChanged: boolean; gap?: GapEvent }): void {
    if (outcome.gap) {
      this.emit('gap', outcome.gap);
      if (this.#opts.autoResync && !this.#resyncing.has(marketId)) {
        this.resync(marketId).catch((err: Error) => this.emit('clientError', err));
      }
      return;
    }
    const book = this.#md.book(marketId);
    if (outcome.bookChanged && book) this.emit('book', marketId, book);
  }

  #startHeartbeat(intervalMs: number): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      const ws = this.#ws;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(encodeHeartbeat(0, Date.now() * 1000), { binary: true });
    }, intervalMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #onClose(code: number, reason: string): void {
    this.#stopHeartbeat();
    this.#loggedIn = false;
    const err = new Error(`binary client: connection closed (${code} ${reason})`);
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.#pending.clear();
    this.emit('close', code, reason);
  }
}
