/**
 * The real daemon on loopback for the JSON API tests, and the unmodified
 * Hyperliquid SDK (@nktkas/hyperliquid) pointed at it: HttpTransport / WebSocketTransport
 * on 127.0.0.1, viem key wallets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExchangeClient, HttpTransport, InfoClient, SubscriptionClient, WebSocketTransport } from '@nktkas/hyperliquid';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import WebSocket from 'ws';
import { loadConfig, type PerpdConfig, type PerpdConfigOverrides } from '../../gateway/config.js';
import { startDaemon, type DaemonHandle, type DaemonOptions } from '../../gateway/daemon.js';
import { createSilentLogger } from '../../gateway/logger.js';

export interface JsonTestDaemon {
  handle: DaemonHandle;
  config: PerpdConfig;
  dataDir: string;
  apiUrl: string;
  wsUrl: string;
  fatal: Error[];
  http: HttpTransport;
  info: InfoClient;
  /** A fresh key and an ExchangeClient signing with it (HTTP unless a transport is given). */
  trader(transport?: HttpTransport | WebSocketTransport): { wallet: PrivateKeyAccount; address: `0x${string}`; exchange: ExchangeClient };
  /** A WebSocket transport (closed by close()). */
  ws(): WebSocketTransport;
  subscriptions(ws: WebSocketTransport): SubscriptionClient;
  close(): Promise<void>;
}

export async function startJsonTestDaemon(overrides: PerpdConfigOverrides = {}, options: DaemonOptions = {}, keepDataDir?: string): Promise<JsonTestDaemon> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'perpd-json-'));
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', dataDir, demo: true, logLevel: 'silent', ...overrides } });
  const fatal: Error[] = [];
  const handle = await startDaemon(config, createSilentLogger(), { onFatal: (e) => fatal.push(e), ...options });
  const apiUrl = `http://127.0.0.1:${handle.port}`;
  const wsUrl = `ws://127.0.0.1:${handle.port}/ws`;
  const http = new HttpTransport({ apiUrl, timeout: 10_000 });
  const sockets: WebSocketTransport[] = [];
  return {
    handle,
    config,
    dataDir,
    apiUrl,
    wsUrl,
    fatal,
    http,
    info: new InfoClient({ transport: http }),
    trader(transport = http) {
      const wallet = privateKeyToAccount(generatePrivateKey());
      return { wallet, address: wallet.address.toLowerCase() as `0x${string}`, exchange: new ExchangeClient({ transport, wallet }) };
    },
    ws() {
      const t = new WebSocketTransport({ url: wsUrl, timeout: 10_000, reconnect: { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, maxRetries: 0 } });
      sockets.push(t);
      return t;
    },
    subscriptions(ws) {
      return new SubscriptionClient({ transport: ws });
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close().catch(() => {})));
      await handle.close();
      if (keepDataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value that is not undefined, or fails after `ms`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 3_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
