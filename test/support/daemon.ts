/**
 * Starts the real daemon in-process on a loopback port chosen by the system, with
 * its own temporary data directory, for integration tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { loadConfig, type PerpdConfig, type PerpdConfigOverrides } from '../../gateway/config.js';
import { BINARY_PATH, startDaemon, type DaemonHandle } from '../../gateway/daemon.js';
import { createSilentLogger } from '../../gateway/logger.js';
import { generateEd25519KeyPair } from '../../gateway/binary/auth.js';
import { BinaryClient } from '../../gateway/client/binary-client.js';

export interface TestDaemon {
  handle: DaemonHandle;
  config: PerpdConfig;
  url: string;
  httpBase: string;
  fatal: Error[];
  /** A demo client: new key, account created on first contact. */
  demoClient(extra?: Partial<ConstructorParameters<typeof BinaryClient>[0]>): Promise<{ client: BinaryClient; accountId: number; privateKey: KeyObject }>;
  close(): Promise<void>;
}

export async function startTestDaemon(overrides: PerpdConfigOverrides = {}): Promise<TestDaemon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'perpd-test-'));
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', dataDir, demo: true, logLevel: 'silent', ...overrides } });
  const fatal: Error[] = [];
  const handle = await startDaemon(config, createSilentLogger(), { onFatal: (e) => fatal.push(e) });
  const url = `ws://127.0.0.1:${handle.port}${BINARY_PATH}`;
  const clients: BinaryClient[] = [];
  return {
    handle,
    config,
    url,
    httpBase: `http://127.0.0.1:${handle.port}`,
    fatal,
    async demoClient(extra = {}) {
      const { privateKey } = generateEd25519KeyPair();
      const client = new BinaryClient({ url, accountId: 0, privateKey, requestTimeoutMs: 5_000, ...extra });
      await client.open();
      const ok = await client.login();
      clients.push(client);
      return { client, accountId: ok.accountId, privateKey };
    },
    async close() {
      for (const c of clients) c.terminate();
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first event of `name` matching `pred`, or rejects after `ms`. */
export function waitFor<T>(emitter: { on(name: string, f: (x: T) => void): unknown; off(name: string, f: (x: T) => void): unknown }, name: string, pred: (x: T) => boolean = () => true, ms = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, on);
      reject(new Error(`no '${name}' event matching within ${ms} ms`));
    }, ms);
    const on = (x: T): void => {
      if (!pred(x)) return;
      clearTimeout(timer);
      emitter.off(name, on);
      resolve(x);
    };
    emitter.on(name, on);
  });
}

/** Collects events of `name` into an array. */
export function collect<T>(emitter: { on(name: string, f: (x: T) => void): unknown }, name: string): T[] {
  const out: T[] = [];
  emitter.on(name, (x: T) => out.push(x));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every frame a client received, with a wait that also looks at what already arrived. */
export class FrameRecorder {
  readonly frames: { kind: string; [k: string]: unknown }[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(client: { on(name: 'frame', f: (x: { kind: string }) => void): unknown }) {
    client.on('frame', (f) => {
      this.frames.push(f as { kind: string });
      for (const w of this.#waiters) w();
    });
  }
  of<T>(kind: string): T[] {
    return this.frames.filter((f) => f.kind === kind) as unknown as T[];
  }
  wait<T>(kind: string, pred: (x: T) => boolean = () => true, ms = 3_000): Promise<T> {
    const find = (): T | undefined => this.of<T>(kind).find(pred);
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const x = find();
        if (x === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(x);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no '${kind}' frame matching within ${ms} ms; got: ${this.frames.map((f) => f.kind).join(', ')}`));
      }, ms);
      this.#waiters.add(check);
    });
  }
}
