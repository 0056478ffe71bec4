/**
 * One load connection of the JSON benchmark, for one user address, sending
 * pre-signed actions on an open-loop schedule (./row-schedule.ts) and timing the
 * answers. Two transports, chosen by the URL:
 *   ws://…/ws     a raw WebSocket (./raw-ws.ts); actions go as `post` messages, many in
 *                 flight at once, each answered by its id when the engine is done;
 *   http://…      one keep-alive socket (./raw-http.ts); actions go as `POST /exchange`
 *                 requests, ONE in flight: the next due request goes when the previous
 *                 one is answered (uWebSockets.js closes a connection that sends a
 *                 request while its previous response is pending, so no pipelining).
 *                 Latency still counts from the scheduled time, so the wait is in it.
 *
 * Opening: `clearinghouseState {user}` (an `info` post, or POST /info) — in demo mode
 * the first query that names a user opens its account with 1,000,000 USDC
 * (docs/api-json.md).
 *
 * Sending: every row's bytes (a whole WebSocket frame or HTTP request) were laid out
 * before the step (./json-actions.ts), so `sendDue` writes one slice of that buffer
 * per wake-up: no copy, no signing, no JSON work. A socket holding more than MAX_QUEUED_BYTES unsent
 * waits (rows stay due; their latency keeps counting from the schedule).
 *
 * Answers (`{"channel":"post","data":{"id","response"}}`, or the HTTP body), latency =
 * receive time − SCHEDULED send time (coordinated omission avoided):
 *   - action `ok`, per-order status resting / filled / success: served; an IOC that
 *     filled also records its fill latency (the answer carries the fill);
 *   - a per-order `{error}`, or a whole-action `err` (e.g. modify of a filled order):
 *     served, counted under `rejects` by reason (the message's first clause);
 *   - post `error` or HTTP status ≠ 200 (rate limit, internal error), a `too many
 *     pending post requests id=n` error message, or "perpd is overloaded": answered
 *     but shed (not served).
 */
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { JSON_INFO_PATH } from '../../gateway/json/json-api.js';
import { httpRequest, openRawHttp } from './raw-http.js';
import { clientFrame, Opcode, openRawWebSocket } from './raw-ws.js';
import type { PacedConnection } from './pacer.js';
import type { StepRecorder } from './recorder.js';
import type { JsonStepMessages } from './json-actions.js';
import { RowSchedule } from './row-schedule.js';
import { OpKind } from './workload.js';

const MAX_QUEUED_BYTES = 256 * 1024;
/** Post id of the opening query (plan ids are plan index + 1, far below). */
const OPEN_ID = 2 ** 40;
const PENDING_ID_RE = /id=(\d+)$/;

/** A short, stable reason for an error sentence: its first clause, without the asset suffix. */
export function reasonOf(message: string): string {
  return message.replace(/ asset=\d+\.?$/, '').split(/[.:;(]/)[0].trim().slice(0, 60) || 'error';
}

const isOverloaded = (message: string): boolean => message.startsWith('perpd is overloaded');

interface PostAnswer {
  type: 'action' | 'info' | 'error';
  payload: unknown;
}

export class JsonLoadConnection implements PacedConnection {
  readonly index: number;
  readonly address: string;
  closeCode = 0;
  /** Demo credit seen at opening (clearinghouseState.withdrawable). */
  credit = '';
  /** HTTP transport: one request in flight (uWS closes a connection that pipelines while a response is pending). */
  #http = false;
  #io: { readonly socket: Socket; write(bytes: Uint8Array): boolean; close(): void } | undefined;
  #open: { resolve: () => void; reject: (e: Error) => void } | undefined;

  // ---- the current step
  #f: JsonStepMessages | undefined;
  #rec!: StepRecorder;
  readonly #s = new RowSchedule();
  #acked = new Uint8Array(0);
  #next = 0;
  #rxMs = 0;
  #measuredAnswered = 0;
  /** HTTP: rows written and responses read over the connection's life; rows written before this step. */
  #sentTotal = 0;
  #responses = 0;
  #stepSentBase = 0;

  private constructor(index: number, address: string) {
    this.index = index;
    this.address = address;
  }

  /** Connects (ws:// or http://) and opens the demo account of `address` (a clearinghouseState query). */
  static async open(url: string, index: number, address: string, timeoutMs = 10_000): Promise<JsonLoadConnection> {
    const c = new JsonLoadConnection(index, address);
    const opened = new Promise<void>((resolve, reject) => {
      c.#open = { resolve, reject };
    });
    const onClose = (code: number): void => c.#onClose(code);
    const onChunk = (): void => {
      c.#rxMs = performance.now();
    };
    const query = { type: 'clearinghouseState', user: address };
    if (url.startsWith('http:')) {
      c.#http = true;
      c.#io = await openRawHttp(url, { onResponse: (status, buf, start, end) => c.#onHttpResponse(status, buf, start, end), onClose, onChunk });
      c.#io.write(httpRequest(JSON_INFO_PATH, Buffer.from(JSON.stringify(query)), new URL(url).host));
    } else {
      c.#io = await openRawWebSocket(url, { onMessage: (buf, start, end, opcode) => c.#onWsMessage(buf, start, end, opcode), onClose, onChunk });
      c.#io.write(clientFrame(Buffer.from(JSON.stringify({ method: 'post', id: OPEN_ID, request: { type: 'info', payload: query } })), Opcode.TEXT));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection ${index}: no clearinghouseState answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([opened, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  close(): void {
    this.#io?.close();
  }

  /** Starts a step: rows of `f`, row j due at (j × stride + phase) × intervalUs after t0Ms; rows before warmupUs are not measured. */
  beginStep(f: JsonStepMessages, rec: StepRecorder, t0Ms: number, intervalUs: number, stride: number, phase: number, warmupUs: number): void {
    this.#f = f;
    this.#rec = rec;
    this.#acked = new Uint8Array(f.count);
    this.#next = 0;
    this.#measuredAnswered = 0;
    this.#stepSentBase = this.#sentTotal;
    this.#s.begin(f.count, t0Ms, intervalUs, stride, phase, warmupUs);
    rec.c.measuredOps += f.count - this.#s.firstMeasured;
  }

  schedUs(row: number): number {
    return this.#s.schedUs(row);
  }

  get allSent(): boolean {
    return !this.#f || this.#next >= this.#f.count || this.closeCode !== 0;
  }

  get nextRow(): number {
    return this.#next;
  }

  get blocked(): boolean {
    return this.#http && this.#sentTotal !== this.#responses;
  }

  get pendingMeasured(): number {
    if (!this.#f || this.closeCode !== 0) return 0;
    return this.#f.count - this.#s.firstMeasured - this.#measuredAnswered;
  }

  sendDue(nowUs: number): number {
    const f = this.#f;
    if (!f || this.closeCode !== 0) return 0;
    const first = this.#next;
    // HTTP: one request at a time (the next goes when the previous is answered: #onHttpResponse)
    const end = this.#http ? (this.blocked ? first : Math.min(first + 1, this.#s.dueEnd(nowUs))) : this.#s.dueEnd(nowUs);
    if (end <= first) return 0;
    const rec = this.#rec;
    const io = this.#io!;
    if (io.socket.writableLength > MAX_QUEUED_BYTES) {
      rec.c.backpressureWaits++;
      return 0;
    }
    io.write(f.bytes.subarray(f.off[first], f.off[end]));
    this.#sentTotal += end - first;
    rec.c.bytesOut += f.off[end] - f.off[first];
    rec.noteSent(this.#s, first, end, nowUs);
    this.#next = end;
    return end - first;
  }

  /** Ends the step at `endMs`: measured ops still unanswered are recorded with latency endMs − scheduled. */
  finishStep(endMs: number): void {
    const f = this.#f;
    if (!f) return;
    this.#rec.noteUnanswered(this.#s, this.#acked, f.kind, this.#next, endMs);
    this.#f = undefined;
  }

  // ---- receiving -------------------------------------------------------------------

  /** Parses a message or response body; counts it on the step's recorder. */
  #parse(buf: Buffer, s: number, e: number): unknown {
    const rec = this.#f ? this.#rec : undefined;
    if (rec) {
      rec.c.messagesIn++;
      rec.c.bytesIn += e - s;
    }
    try {
      return JSON.parse(buf.toString('utf8', s, e));
    } catch {
      rec?.error('unparsable message');
      return undefined;
    }
  }

  #onWsMessage(buf: Buffer, s: number, e: number, opcode: number): void {
    if (opcode !== Opcode.TEXT) return;
    const msg = this.#parse(buf, s, e) as { channel?: string; data?: unknown } | undefined;
    if (msg?.channel === 'post') {
      const d = msg.data as { id: number; response: PostAnswer };
      if (d.id === OPEN_ID) return this.#onOpened(d.response.type === 'info' ? (d.response.payload as { data?: unknown }).data : d.response);
      return this.#onAnswer(this.#f ? d.id - 1 - this.#f.base : -1, d.response);
    }
    if (msg?.channel === 'error') {
      const text = String(msg.data);
      const id = PENDING_ID_RE.exec(text)?.[1];
      if (id !== undefined && this.#f) return this.#onAnswer(Number(id) - 1 - this.#f.base, { type: 'error', payload: text });
      if (this.#f) this.#rec.error(reasonOf(text));
    }
  }

  #onHttpResponse(status: number, buf: Buffer, s: number, e: number): void {
    const body = this.#parse(buf, s, e);
    if (this.#open) return this.#onOpened(status === 200 ? body : { status, body });
    const row = this.#responses++ - this.#stepSentBase;
    if (status === 200) this.#onAnswer(row, { type: 'action', payload: body });
    else {
      const text = (body as { response?: string; error?: string } | undefined)?.response ?? (body as { error?: string } | undefined)?.error ?? '';
      this.#onAnswer(row, { type: 'error', payload: `HTTP ${status} ${text}` });
    }
    if (this.#f) this.sendDue((this.#rxMs - this.#s.t0Ms) * 1000); // the next request, if it is due
  }

  #onOpened(state: unknown): void {
    const o = this.#open;
    this.#open = undefined;
    if (!o) return;
    const withdrawable = (state as { withdrawable?: string } | undefined)?.withdrawable;
    if (withdrawable === undefined) o.reject(new Error(`connection ${this.index}: clearinghouseState for ${this.address} failed: ${JSON.stringify(state).slice(0, 200)}`));
    else {
      this.credit = withdrawable;
      o.resolve();
    }
  }

  /** The answer to `row` of the current step (out of range: an earlier step's, late). */
  #onAnswer(row: number, r: PostAnswer): void {
    const f = this.#f;
    const rec = this.#rec;
    if (!f || !rec) return;
    if (row < 0 || row >= f.count) {
      rec.c.late++;
      return;
    }
    if (this.#acked[row] !== 0) return;
    this.#acked[row] = 1;
    const measured = row >= this.#s.firstMeasured;
    const kind = f.kind[row];
    let shed = false;
    let filled = false;
    if (r.type !== 'action') {
      shed = true;
      rec.error(reasonOf(String(r.payload)));
    } else {
      const body = r.payload as { status: string; response: unknown };
      if (body.status !== 'ok') {
        const text = String(body.response);
        shed = isOverloaded(text);
        rec.reject(reasonOf(text));
      } else {
        const resp = body.response as { type: string; data?: { statuses: unknown[] } };
        const st = resp.data?.statuses[0] as string | { error?: string; filled?: unknown } | undefined;
        if (st !== undefined && typeof st === 'object') {
          if (st.error !== undefined) {
            shed = isOverloaded(st.error);
            rec.reject(reasonOf(st.error));
          } else filled = st.filled !== undefined;
        }
      }
    }
    if (!measured) return;
    if (shed) rec.c.shed++;
    const ns = this.#s.latencyNs(row, this.#rxMs);
    rec.ack.record(ns);
    rec.ackKind[kind].record(ns);
    rec.c.measuredAcked++;
    this.#measuredAnswered++;
    if (kind === OpKind.IOC) {
      rec.c.iocAcked++;
      if (filled) {
        rec.fill.record(ns);
        rec.c.iocFilled++;
      }
    }
    const rel = this.#rxMs - this.#s.t0Ms;
    if (rel > rec.c.lastMeasuredAckMs) rec.c.lastMeasuredAckMs = rel;
  }

  #onClose(code: number): void {
    this.closeCode = code || 1006;
    if (this.#f) this.#rec.c.disconnects++;
    this.#open?.reject(new Error(`connection ${this.index} closed (${code}) before its account was opened`));
    this.#open = undefined;
  }
}
