import { NullSink } from '../../engine/events.js';

/**
 * NullSink plus two counters (fills, rejects), to check a run did what the workload
 * says without recording events: a counter increment, no allocation.
 */
export class CountingSink extends NullSink {
  fills = 0;
  rejects = 0;
  override onFill(): void {
    this.fills++;
  }
  override onReject(): void {
    this.rejects++;
  }
}
