/**
 * Logging: pino, structured JSON lines on stdout, one child logger per component
 * (`{"component":"sequencer",...}`). Levels are written as names ("info"), times as
 * ISO-8601. Nothing on the hot path logs per message; log per batch or per event of
 * note.
 *
 * stdout is written asynchronously by default (a blocked pipe must not stall the
 * gateway thread); pino flushes it synchronously when the process exits.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Where JSON lines go; default stdout. */
  destination?: DestinationStream;
  /** Synchronous stdout writes (ignored with `destination`). Default false. */
  sync?: boolean;
  /** Extra fields on every line. */
  base?: Record<string, unknown>;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: options.sync ?? false });
  return pino(
    {
      name: 'perpd',
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A child logger whose lines carry `component` (e.g. 'gateway', 'sequencer', 'worker-pool'). */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}

/** For tests: a logger that writes nothing. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** For tests: a logger that keeps its lines in memory, parsed. */
export function createCapturingLogger(level: LogLevel = 'trace'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write(line: string): void {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { logger: createLogger({ level, destination }), lines };
}
