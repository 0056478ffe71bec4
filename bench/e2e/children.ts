/**
 * The e2e orchestrator's child processes: one target (echo server or daemon) and K
 * generator processes, each forked with an IPC channel. Their stdout is forwarded
 * to our stderr (stdout is reserved for result lines), stderr is inherited.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JsonApiLimits } from '../../gateway/json/json-api.js';
import type { GeneratorReply, GeneratorRequest, TargetReady, TargetReply, TargetRequest } from './protocol.js';

const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** A forked child whose IPC replies are taken in order by `next()`. */
class IpcChild<Req, Rep extends { type: string }> {
  readonly proc: ChildProcess;
  readonly #queue: Rep[] = [];
  readonly #waiters: { resolve: (r: Rep) => void; reject: (e: Error) => void }[] = [];
  #exit: Error | undefined;

  constructor(
    readonly name: string,
    file: string,
    args: string[],
    nodeFlags: string[],
  ) {
    this.proc = fork(file, args, { execArgv: nodeFlags, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    this.proc.stdout?.on('data', (d: Buffer) => process.stderr.write(d));
    this.proc.on('error', (err) => process.stderr.write(`${name}: ${err.message}\n`));
    this.proc.on('message', (m: Rep) => {
      const w = this.#waiters.shift();
      if (w) w.resolve(m);
      else this.#queue.push(m);
    });
    this.proc.on('exit', (code, signal) => {
      this.#exit = new Error(`${name} exited (${signal ?? code})`);
      for (const w of this.#waiters.splice(0)) w.reject(this.#exit);
    });
  }

  send(m: Req): void {
    if (!this.proc.connected) throw this.#exit ?? new Error(`${this.name}: IPC channel closed`);
    this.proc.send(m as object);
  }

  /** The next reply; an 'error' reply rejects. */
  async next(timeoutMs = 600_000): Promise<Rep> {
    const queued = this.#queue.shift();
    const r =
      queued ??
      (await new Promise<Rep>((resolve, reject) => {
        if (this.#exit) return reject(this.#exit);
        const timer = setTimeout(() => reject(new Error(`${this.name}: no reply within ${timeoutMs} ms`)), timeoutMs);
        this.#waiters.push({
          resolve: (x) => {
            clearTimeout(timer);
            resolve(x);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      }));
    if (r.type === 'error') throw new Error(`${this.name}: ${(r as unknown as { message: string }).message}`);
    return r;
  }

  async request<T extends Rep['type']>(m: Req, type: T, timeoutMs?: number): Promise<Extract<Rep, { type: T }>> {
    this.send(m);
    const r = await this.next(timeoutMs);
    if (r.type !== type) throw new Error(`${this.name}: expected ${type}, got ${r.type}`);
    return r as Extract<Rep, { type: T }>;
  }

  /** Resolves when the process has exited (kills it after `graceMs`). */
  waitExit(graceMs = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export type TargetKind = 'echo' | 'engine';

export interface EngineTargetOptions {
  workers: number;
  journalMode: 'sync' | 'async';
  /** Extra daemon config overrides (bench/e2e/daemon-child.ts). */
  config?: Record<string, unknown>;
  /** JSON API limits for the daemon (DaemonOptions.jsonApi), e.g. raised rate limits for the JSON benchmark. */
  jsonApi?: Partial<JsonApiLimits>;
}

export interface CpuSample {
  userUs: number;
  systemUs: number;
}

export class TargetProcess {
  readonly #c: IpcChild<TargetRequest, TargetReply>;
  ready!: TargetReady;

  private constructor(c: IpcChild<TargetRequest, TargetReply>) {
    this.#c = c;
  }

  /** `nodeFlags` e.g. ['--cpu-prof'] to profile the target. */
  static async start(kind: TargetKind, engine?: EngineTargetOptions, nodeFlags: string[] = []): Promise<TargetProcess> {
    const c =
      kind === 'echo'
        ? new IpcChild<TargetRequest, TargetReply>('echo server', script('echo-server.js'), [], nodeFlags)
        : new IpcChild<TargetRequest, TargetReply>('daemon', script('daemon-child.js'), [JSON.stringify(engine)], nodeFlags);
    const t = new TargetProcess(c);
    const r = await c.next(60_000);
    if (r.type !== 'ready') throw new Error(`${c.name}: expected ready, got ${r.type}`);
    t.ready = r;
    return t;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.ready.port}${this.ready.path}`;
  }

  get pid(): number {
    return this.#c.proc.pid ?? 0;
  }

  async cpu(): Promise<CpuSample> {
    const r = await this.#c.request({ cmd: 'cpu' }, 'cpu', 10_000);
    return { userUs: r.userUs, systemUs: r.systemUs };
  }

  async stop(): Promise<void> {
    try {
      await this.#c.request({ cmd: 'stop' }, 'stopped', 30_000);
    } catch {
      // already gone: waitExit below
    }
    await this.#c.waitExit();
  }
}

export interface GeneratorFlags {
  nodeFlags: string[];
}

/** K generator processes driven in lockstep. */
export class GeneratorPool {
  readonly #gens: IpcChild<GeneratorRequest, GeneratorReply>[];

  /** `file`: the generator script beside this one (generator.js: binary protocol; json-generator.js: JSON API). */
  constructor(count: number, file = 'generator.js', nodeFlags: string[] = ['--max-semi-space-size=64']) {
    this.#gens = Array.from({ length: count }, (_, i) => new IpcChild<GeneratorRequest, GeneratorReply>(`generator ${i}`, script(file), [], nodeFlags));
  }

  get size(): number {
    return this.#gens.length;
  }

  /** Sends `make(i)` to generator i and collects one reply of `type` from each. */
  async all<T extends GeneratorReply['type']>(make: (i: number) => GeneratorRequest, type: T, timeoutMs?: number): Promise<Extract<GeneratorReply, { type: T }>[]> {
    return Promise.all(this.#gens.map((g, i) => g.request(make(i), type, timeoutMs)));
  }

  async close(): Promise<void> {
    for (const g of this.#gens) {
      try {
        g.send({ cmd: 'close' });
      } catch {
        // already gone
      }
    }
    await Promise.all(this.#gens.map((g) => g.waitExit(5_000)));
  }
}
