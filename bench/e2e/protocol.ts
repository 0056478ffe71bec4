/** IPC messages between the e2e orchestrator (bench/e2e.ts) and its child processes. */
import type { Pacing } from './pacer.js';
import type { SerializedStep } from './recorder.js';
import type { MixOptions, WorkloadMarket } from './workload.js';

export type GeneratorRequest =
  | { cmd: 'connect'; url: string; connections: number; seed: number; proc: number; markets: WorkloadMarket[]; mix: Partial<MixOptions> }
  | { cmd: 'prepare'; ratePerSec: number; warmupMs: number; durationMs: number }
  | { cmd: 'go'; drainMs: number; pacing: Pacing; napUs: number }
  | { cmd: 'close' };

export type GeneratorReply =
  | { type: 'connected'; accounts: number[]; ms: number }
  | { type: 'prepared'; ops: number; planMs: number; realisedMix: number[]; conversions: number; live: number }
  | { type: 'result'; step: SerializedStep; wallMs: number; cpuUserUs: number; cpuSystemUs: number; closed: number[] }
  | { type: 'error'; message: string };

/** What a target (echo server or daemon) says once it listens. */
export interface TargetReady {
  type: 'ready';
  port: number;
  /** The binary WebSocket path. */
  path: string;
  detail: Record<string, unknown>;
}

export type TargetRequest = { cmd: 'cpu' } | { cmd: 'stop' };

export type TargetReply = TargetReady | { type: 'cpu'; userUs: number; systemUs: number } | { type: 'stopped' } | { type: 'error'; message: string };

/** Answers the orchestrator's CPU and stop requests (shared by the echo server and the daemon child). */
export function serveTargetRequests(stop: () => Promise<void>): void {
  process.on('message', (m: TargetRequest) => {
    if (m.cmd === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ type: 'cpu', userUs: u.user, systemUs: u.system } satisfies TargetReply);
    } else if (m.cmd === 'stop') {
      stop().then(
        () => {
          process.send?.({ type: 'stopped' } satisfies TargetReply, () => process.exit(0));
        },
        (err: Error) => {
          process.send?.({ type: 'error', message: err.message } satisfies TargetReply, () => process.exit(1));
        },
      );
    }
  });
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
}
