/**
 * Hyperliquid's scheduleCancel ("dead man's switch"): at the scheduled time every
 * open order of the account is cancelled (a CANCEL_ALL over every market, reported
 * with status "scheduledCancel"). One schedule per account; a new one replaces it,
 * one without a time removes it. Checked by one coarse timer (no timer per account).
 */
export const SCHEDULE_CANCEL_MIN_DELAY_MS = 5_000;

export class CancelSchedule {
  readonly #due = new Map<number, number>();
  readonly #fire: (accountId: number) => Promise<number>;
  readonly #onError: (accountId: number) => void;

  constructor(fire: (accountId: number) => Promise<number>, onError: (accountId: number) => void = () => {}) {
    this.#fire = fire;
    this.#onError = onError;
  }

  /** Sets (time in ms) or clears (undefined) the account's schedule; returns an error sentence or undefined. */
  set(accountId: number, timeMs: number | undefined, nowMs: number): string | undefined {
    if (timeMs === undefined) {
      this.#due.delete(accountId);
      return undefined;
    }
    if (timeMs < nowMs + SCHEDULE_CANCEL_MIN_DELAY_MS) return 'Scheduled cancel time too early, must be at least 5 seconds from now.';
    this.#due.set(accountId, timeMs);
    return undefined;
  }

  dueAt(accountId: number): number | undefined {
    return this.#due.get(accountId);
  }

  /** Fires every schedule whose time has come (a full ring retries on the next tick). */
  tick(nowMs: number): void {
    for (const [accountId, at] of this.#due) {
      if (at > nowMs) continue;
      this.#due.delete(accountId);
      void this.#fire(accountId).then((n) => {
        if (n < 0) {
          if (!this.#due.has(accountId)) this.#due.set(accountId, nowMs);
          this.#onError(accountId);
        }
      });
    }
  }

  get size(): number {
    return this.#due.size;
  }
}
