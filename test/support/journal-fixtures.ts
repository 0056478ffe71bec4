/**
 * Fixtures for the durability tests: temporary data directories, the engine
 * configuration the workload runs on, and a driver that feeds ExchangeWorkload
 * commands through a JournaledExchange.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '../../engine/command.js';
import type { LedgerOptions } from '../../engine/ledger/ledger-state.js';
import { JournaledExchange, type JournaledExchangeOptions } from '../../persistence/journaled-exchange.js';
import type { EngineConfig } from '../../persistence/journal-store.js';
import { ExchangeWorkload, workloadMarkets } from './exchange-workload.js';

export function workloadEngine(ledger: LedgerOptions = { defaultLeverage: 20 }): EngineConfig {
  return { markets: workloadMarkets(), ledger };
}

export class TempDirs {
  readonly #dirs: string[] = [];
  make(prefix = 'perpd-durability-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.push(d);
    return d;
  }
  removeAll(): void {
    for (const d of this.#dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

export function journaledOptions(dataDir: string, extra: Partial<JournaledExchangeOptions> = {}): JournaledExchangeOptions {
  return {
    dataDir,
    engine: workloadEngine(),
    journal: { mode: 'sync', groupCommitMaxRecords: 1_000, groupCommitMaxDelayMicros: 0 },
    ...extra,
  };
}

/** Feeds `n` workload commands (timestamps 1 ms apart from `t0Us`) into `jx`; returns the accepted count. */
export function drive(jx: JournaledExchange, work: ExchangeWorkload, n: number, t0Us = 1_700_000_000_000_000): number {
  const cmd = new Command();
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    work.next(cmd, jx.state.exchange);
    const before = jx.lastSeq;
    jx.submit(cmd, t0Us + (before + i) * 1_000);
    if (jx.lastSeq > before) accepted++;
  }
  return accepted;
}
