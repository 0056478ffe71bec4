import type { Logger } from 'pino';
import type { HttpResponse, TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { ExchangeHandler, ExchangeResult } from './exchange-handler.js';
import { InfoHandler, type InfoResult } from './info-handler.js';
import { infoWeight, type RateLimiter } from './rate-limiter.js';
import { JsonConnection, type JsonSocketData, type WsHub } from './ws-hub.js';

export interface JsonEndpointOptions {
  info: InfoHandler;
  exchange: ExchangeHandler;
  hub: WsHub;
  limiter: RateLimiter;
  logger: Logger;
  maxFrameBytes: number;
  maxSubscriptionsPerConnection: number;
  maxBackpressureBytes: number;
  maxConnections: number;
  maxPendingPostsPerConnection: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  400: '400 Bad Request',
  413: '413 Payload Too Large',
  422: '422 Unprocessable Entity',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/**
 * The JSON API's uWS routes: POST /info, POST /exchange and WS /ws. Bodies and
 * messages are bounded by maxFrameBytes; an HTTP response is kept (with onAborted)
 * until the engine has answered every command of the request.
 */
export class JsonEndpoint {
  readonly #o: JsonEndpointOptions;
  readonly #conns = new Set<JsonConnection>();
  #nextId = 1;

  constructor(options: JsonEndpointOptions) {
    this.#o = options;
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  attach(app: TemplatedApp, paths: { info: string; exchange: string; ws: string }): void {
    app.post(paths.info, (res) => this.#readBody(res, (body, ip, reply) => reply(...this.#info(body, ip))));
    app.post(paths.exchange, (res) =>
      this.#readBody(res, (body, ip, reply) => {
        this.#o.exchange
          .handle(body, Date.now(), ip)
          .then((r: ExchangeResult) => reply(r.httpStatus, r.body))
          .catch((err: unknown) => {
            this.#o.logger.error({ err }, 'exchange request failed');
            reply(500, { status: 'err', response: 'Internal error; nothing is known to have been executed. Query openOrders.' });
          });
      }),
    );
    const o = this.#o;
    app.ws<JsonSocketData>(paths.ws, {
      compression: 0,
      maxPayloadLength: o.maxFrameBytes,
      idleTimeout: 120,
      maxBackpressure: o.maxBackpressureBytes * 4,
      closeOnBackpressureLimit: 1,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        if (this.#conns.size >= o.maxConnections) {
          res.writeStatus('503 Service Unavailable').end('too many connections');
          return;
        }
        const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
        res.upgrade<JsonSocketData>({ conn: undefined, ip }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        const d = ws.getUserData();
        const conn = new JsonConnection(this.#nextId++, ws, d.ip);
        d.conn = conn;
        this.#conns.add(conn);
      },
      message: (ws, message, isBinary) => this.#onMessage(ws, message, isBinary),
      close: (ws) => {
        const conn = ws.getUserData().conn;
        if (!conn) return;
        conn.closed = true;
        this.#conns.delete(conn);
        this.#o.hub.removeAll(conn);
      },
    });
  }

  closeAll(): void {
    for (const c of this.#conns) if (!c.closed) c.ws.end(1001, 'shutdown');
  }

  // ------------------------------------------------------------------ HTTP

  #readBody(res: HttpResponse, onBody: (body: unknown, ip: string, reply: (status: number, body: unknown) => void) => void): void {
    const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
    let done = false;
    res.onAborted(() => {
      done = true;
    });
    const reply = (status: number, body: unknown): void => {
      if (done) return;
      done = true;
      const text = JSON.stringify(body);
      res.cork(() => {
        res.writeStatus(STATUS_TEXT[status] ?? `${status} Error`).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(text);
      });
    };
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > this.#o.maxFrameBytes) {
        reply(413, { error: `Request body above ${this.#o.maxFrameBytes} bytes.` });
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk))); // uWS reuses the chunk's memory after this call
      if (!isLast) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(400, { error: 'Failed to parse the JSON body.' });
        return;
      }
      try {
        onBody(body, ip, reply);
      } catch (err) {
        this.#o.logger.error({ err }, 'JSON request failed');
        reply(500, { error: 'Internal error.' });
      }
    });
  }

  /** An info request through the rate limit: [HTTP status, body]. */
  #info(body: unknown, ip: string): [number, unknown] {
    const r = this.#infoResult(body, ip);
    return r.ok ? [200, r.data] : [r.status, r.status === 429 ? { status: 'err', response: r.error } : { error: r.error }];
  }

  #infoResult(body: unknown, ip: string): InfoResult {
    const now = Date.now();
    const req = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const key = InfoHandler.userOf(req) ?? `ip:${ip}`;
    const weight = infoWeight(typeof req.type === 'string' ? req.type : '');
    const wait = this.#o.limiter.tryTake(key, weight, now);
    if (wait > 0) return { ok: false, status: 429, error: `Too many cumulative requests sent for ${key}: rate limit exceeded (weight ${weight}); retry in ${wait} ms.` };
    return this.#o.info.handle(body, now);
  }

  // ------------------------------------------------------------- WebSocket

  #onMessage(ws: WebSocket<JsonSocketData>, message: ArrayBuffer, isBinary: boolean): void {
    const conn = ws.getUserData().conn!;
    const text = Buffer.from(message).toString('utf8');
    if (isBinary) {
      conn.send({ channel: 'error', data: 'Binary messages are not supported on /ws: send JSON text.' });
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      conn.send({ channel: 'error', data: `Invalid JSON: ${text.slice(0, 200)}` });
      return;
    }
    if (!msg || typeof msg !== 'object') {
      conn.send({ channel: 'error', data: `Invalid message: ${text.slice(0, 200)}` });
      return;
    }
    switch (msg.method) {
      case 'ping':
        conn.send({ channel: 'pong' });
        return;
      case 'subscribe':
        return this.#subscribe(conn, msg.subscription);
      case 'unsubscribe':
        return this.#unsubscribe(conn, msg.subscription);
      case 'post':
        return this.#post(conn, msg);
    }
    conn.send({ channel: 'error', data: `Unknown method ${JSON.stringify(msg.method)}: use subscribe, unsubscribe, post or ping. ${text.slice(0, 200)}` });
  }

  #subscribe(conn: JsonConnection, raw: unknown): void {
    const hub = this.#o.hub;
    const s = hub.parse(raw);
    const json = JSON.stringify(raw ?? null);
    if (typeof s === 'string') {
      conn.send({ channel: 'error', data: `Invalid subscription (${s}): ${json}` });
      return;
    }
    if (conn.subs.has(s.key)) {
      conn.send({ channel: 'error', data: `Already subscribed: ${json}` });
      return;
    }
    if (conn.subs.size >= this.#o.maxSubscriptionsPerConnection) {
      conn.send({ channel: 'error', data: `Invalid subscription (at most ${this.#o.maxSubscriptionsPerConnection} subscriptions per connection): ${json}` });
      return;
    }
    conn.send({ channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: raw } });
    hub.add(conn, s, Date.now());
  }

  #unsubscribe(conn: JsonConnection, raw: unknown): void {
    const hub = this.#o.hub;
    const s = hub.parse(raw);
    const json = JSON.stringify(raw ?? null);
    if (typeof s === 'string' || !hub.remove(conn, s.key)) {
      conn.send({ channel: 'error', data: `Already unsubscribed: ${json}` });
      return;
    }
    conn.send({ channel: 'subscriptionResponse', data: { method: 'unsubscribe', subscription: raw } });
  }

  #post(conn: JsonConnection, msg: Record<string, unknown>): void {
    const id = msg.id;
    const request = msg.request as Record<string, unknown> | undefined;
    if (!Number.isSafeInteger(id) || !request || typeof request !== 'object') {
      conn.send({ channel: 'error', data: `Invalid post: needs {id: integer, request: {type: "info"|"action", payload}}: ${JSON.stringify(msg).slice(0, 200)}` });
      return;
    }
    const answer = (response: unknown): void => {
      conn.send({ channel: 'post', data: { id, response } });
    };
    if (request.type === 'info') {
      const r = this.#infoResult(request.payload, conn.ip);
      const type = (request.payload as Record<string, unknown> | undefined)?.type;
      answer(r.ok ? { type: 'info', payload: { type, data: r.data } } : { type: 'error', payload: r.error });
      return;
    }
    if (request.type !== 'action') {
      answer({ type: 'error', payload: `Unknown post type ${JSON.stringify(request.type)}: use "info" or "action".` });
      return;
    }
    if (conn.pendingPosts >= this.#o.maxPendingPostsPerConnection) {
      conn.send({ channel: 'error', data: `too many pending post requests id=${id}` });
      return;
    }
    conn.pendingPosts++;
    this.#o.exchange
      .handle(request.payload, Date.now(), conn.ip)
      .then((r) => answer(r.httpStatus === 429 ? { type: 'error', payload: (r.body as { response: string }).response } : { type: 'action', payload: r.body }))
      .catch((err: unknown) => {
        this.#o.logger.error({ err }, 'exchange post failed');
        answer({ type: 'error', payload: 'Internal error; nothing is known to have been executed. Query openOrders.' });
      })
      .finally(() => conn.pendingPosts--);
  }
}
