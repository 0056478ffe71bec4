/**
 * A small, dependency-free Prometheus registry (text exposition format 0.0.4) and
 * the daemon's predefined metrics (PerpdMetrics).
 *
 * Hot path. Nothing allocates per increment: resolve label handles once at set-up
 * (`counter.labels('PLACE')` returns a cached child; `labels(...)` itself allocates
 * and is for set-up only), then call `.inc()` / `.observe()` on the handle. Metrics
 * keyed by a small numeric table (result codes, ops, markets) use EnumCounter,
 * whose `incFor(value)` maps the number to a slot of a fixed Float64Array through a
 * preallocated lookup, with no string or Map in between.
 *
 * Scrape. `render()` builds the text (allocation is fine there) and reads gauge
 * callbacks, so ring depths are sampled at scrape time rather than pushed.
 */
import { Code } from '../engine/codes.js';
import { Op } from '../engine/command.js';
import type { MarketSpec } from '../engine/market-spec.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Sample value as Prometheus writes it (+Inf, -Inf, NaN). */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Label value escaping: backslash, double quote, line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaping: backslash and line feed only. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` or '' without labels. `extra` is appended raw (used for `le`). */
function labelBlock(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i])}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function mustValidNames(name: string, labelNames: readonly string[], reserved: readonly string[] = []): void {
  if (!METRIC_NAME.test(name)) throw new Error(`metrics: invalid metric name "${name}" (use [a-zA-Z_:][a-zA-Z0-9_:]*)`);
  const seen = new Set<string>();
  for (const l of labelNames) {
    if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`metrics: invalid label name "${l}" on ${name}`);
    if (reserved.includes(l)) throw new Error(`metrics: label name "${l}" is reserved on ${name}`);
    if (seen.has(l)) throw new Error(`metrics: duplicate label name "${l}" on ${name}`);
    seen.add(l);
  }
}

interface Renderable {
  readonly name: string;
  render(out: string[]): void;
}

function header(out: string[], name: string, help: string, type: string): void {
  out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
}

/** Children keyed by their label values, created once and cached. */
abstract class Family<Child> implements Renderable {
  readonly #children = new Map<string, { values: readonly string[]; child: Child }>();
  #unlabeled: Child | undefined;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected abstract newChild(): Child;
  abstract render(out: string[]): void;

  /** The child for these label values (created on first use, then cached). Set-up only: it allocates. */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(`metrics: ${this.name} takes ${this.labelNames.length} label value(s) (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    const key = values.join('\u0000');
    let entry = this.#children.get(key);
    if (!entry) {
      entry = { values: [...values], child: this.newChild() };
      this.#children.set(key, entry);
    }
    return entry.child;
  }

  /** The child of a metric without labels. */
  protected unlabeled(): Child {
    if (this.labelNames.length) throw new Error(`metrics: ${this.name} has labels (${this.labelNames.join(', ')}): use .labels(...)`);
    return (this.#unlabeled ??= this.labels());
  }

  protected children(): Iterable<{ values: readonly string[]; child: Child }> {
    if (!this.labelNames.length) this.unlabeled(); // an unlabeled metric always shows, at 0
    return this.#children.values();
  }
}

export class CounterChild {
  value = 0;
  inc(n = 1): void {
    if (n < 0) throw new Error('metrics: a counter cannot decrease');
    this.value += n;
  }
}

export class Counter extends Family<CounterChild> {
  protected newChild(): CounterChild {
    return new CounterChild();
  }
  inc(n = 1): void {
    this.unlabeled().inc(n);
  }
  get value(): number {
    return this.unlabeled().value;
  }
  render(out: string[]): void {
    header(out, this.name, this.help, 'counter');
    for (const { values, child } of this.children()) out.push(`${this.name}${labelBlock(this.labelNames, values)} ${formatSampleValue(child.value)}`);
  }
}

export class GaugeChild {
  value = 0;
  #read: (() => number) | undefined;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
  /** Read the value from `read` at each scrape instead (e.g. a ring's pending records). */
  setCallback(read: () => number): void {
    this.#read = read;
  }
  /** Scrape-time value; a throwing callback reads as NaN rather than failing the scrape. */
  sample(): number {
    if (!this.#read) return this.value;
    try {
      this.value = this.#read();
    } catch {
      this.value = NaN;
    }
    return this.value;
  }
}

export class Gauge extends Family<GaugeChild> {
  protected newChild(): GaugeChild {
    return new GaugeChild();
  }
  set(v: number): void {
    this.unlabeled().set(v);
  }
  inc(n = 1): void {
    this.unlabeled().inc(n);
  }
  dec(n = 1): void {
    this.unlabeled().dec(n);
  }
  setCallback(read: () => number): void {
    this.unlabeled().setCallback(read);
  }
  get value(): number {
    return this.unlabeled().value;
  }
  render(out: string[]): void {
    header(out, this.name, this.help, 'gauge');
    for (const { values, child } of this.children()) out.push(`${this.name}${labelBlock(this.labelNames, values)} ${formatSampleValue(child.sample())}`);
  }
}

export class HistogramChild {
  /** Observations per bucket (not cumulative); index = bucket, observations above the last bound only count in `count`. */
  readonly bucketCounts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly upperBounds: Float64Array) {
    this.bucketCounts = new Float64Array(upperBounds.length);
  }
  observe(v: number): void {
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (v <= bounds[i]) {
        this.bucketCounts[i]++;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

export class Histogram extends Family<HistogramChild> {
  readonly upperBounds: Float64Array;
  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly string[]) {
    super(name, help, labelNames);
    if (buckets.length === 0) throw new Error(`metrics: ${name} needs at least one bucket`);
    buckets.forEach((b, i) => {
      if (!Number.isFinite(b)) throw new Error(`metrics: ${name} bucket bounds must be finite (+Inf is implicit)`);
      if (i > 0 && b <= buckets[i - 1]) throw new Error(`metrics: ${name} bucket bounds must increase`);
    });
    this.upperBounds = Float64Array.from(buckets);
  }
  protected newChild(): HistogramChild {
    return new HistogramChild(this.upperBounds);
  }
  observe(v: number): void {
    this.unlabeled().observe(v);
  }
  render(out: string[]): void {
    header(out, this.name, this.help, 'histogram');
    const les = Array.from(this.upperBounds, (b) => `le="${formatSampleValue(b)}"`);
    for (const { values, child } of this.children()) {
      let cumulative = 0;
      for (let i = 0; i < les.length; i++) {
        cumulative += child.bucketCounts[i];
        out.push(`${this.name}_bucket${labelBlock(this.labelNames, values, les[i])} ${formatSampleValue(cumulative)}`);
      }
      out.push(`${this.name}_bucket${labelBlock(this.labelNames, values, 'le="+Inf"')} ${formatSampleValue(child.count)}`);
      out.push(`${this.name}_sum${labelBlock(this.labelNames, values)} ${formatSampleValue(child.sum)}`);
      out.push(`${this.name}_count${labelBlock(this.labelNames, values)} ${formatSampleValue(child.count)}`);
    }
  }
}

/** Handle of one EnumCounter slot. */
export class EnumCounterChild {
  constructor(
    readonly values: Float64Array,
    readonly slot: number,
  ) {}
  inc(n = 1): void {
    if (n < 0) throw new Error('metrics: a counter cannot decrease');
    this.values[this.slot] += n;
  }
  get value(): number {
    return this.values[this.slot];
  }
}

/**
 * A counter with one label whose values come from a fixed table of small integers
 * (result codes, ops, market ids → names). Every table entry is a preallocated slot,
 * plus one `otherName` slot for numbers outside the table; all render, at 0 until
 * counted. `incFor(number)` is the allocation-free hot path.
 */
export class EnumCounter implements Renderable {
  readonly #names: string[];
  readonly #values: Float64Array;
  /** slotByOffset[number − minValue] = slot, −1 = not in the table. */
  readonly #slotByOffset: Int32Array;
  readonly #minValue: number;
  readonly #otherSlot: number;
  readonly #children: EnumCounterChild[];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelName: string,
    table: ReadonlyArray<readonly [string, number]>,
    readonly otherName = 'OTHER',
  ) {
    mustValidNames(name, [labelName]);
    const numbers = table.map(([, v]) => v);
    if (numbers.some((v) => !Number.isSafeInteger(v))) throw new Error(`metrics: ${name} table values must be integers`);
    this.#minValue = numbers.length ? Math.min(...numbers) : 0;
    const span = numbers.length ? Math.max(...numbers) - this.#minValue + 1 : 0;
    if (span > 65_536) throw new Error(`metrics: ${name} table spans ${span} numbers; keep it below 65536`);
    this.#slotByOffset = new Int32Array(span).fill(-1);
    this.#names = [];
    for (const [labelValue, v] of table) {
      if (this.#slotByOffset[v - this.#minValue] >= 0) throw new Error(`metrics: ${name} table maps ${v} twice`);
      if (this.#names.includes(labelValue) || labelValue === otherName) throw new Error(`metrics: ${name} table repeats label "${labelValue}"`);
      this.#slotByOffset[v - this.#minValue] = this.#names.length;
      this.#names.push(labelValue);
    }
    this.#otherSlot = this.#names.length;
    this.#names.push(otherName);
    this.#values = new Float64Array(this.#names.length);
    this.#children = this.#names.map((_, slot) => new EnumCounterChild(this.#values, slot));
  }

  /** Count one (or n) for the table number `value`; numbers outside the table count as `otherName`. */
  incFor(value: number, n = 1): void {
    const offset = value - this.#minValue;
    const slot = offset >= 0 && offset < this.#slotByOffset.length ? this.#slotByOffset[offset] : -1;
    this.#values[slot >= 0 ? slot : this.#otherSlot] += n;
  }

  /** The cached handle for a label value (e.g. 'INSUFFICIENT_MARGIN'). */
  labels(labelValue: string): EnumCounterChild {
    const slot = this.#names.indexOf(labelValue);
    if (slot < 0) throw new Error(`metrics: ${this.name} has no ${this.labelName} "${labelValue}"`);
    return this.#children[slot];
  }

  /** The handle for a table number. */
  child(value: number): EnumCounterChild {
    const offset = value - this.#minValue;
    const slot = offset >= 0 && offset < this.#slotByOffset.length ? this.#slotByOffset[offset] : -1;
    return this.#children[slot >= 0 ? slot : this.#otherSlot];
  }

  render(out: string[]): void {
    header(out, this.name, this.help, 'counter');
    for (let i = 0; i < this.#names.length; i++) {
      out.push(`${this.name}{${this.labelName}="${escapeLabelValue(this.#names[i])}"} ${formatSampleValue(this.#values[i])}`);
    }
  }
}

/**
 * An "info" metric: one sample with value 1 whose labels carry text (a state hash).
 * Only the latest label set is kept, so its cardinality is 1 whatever is set.
 */
export class InfoMetric implements Renderable {
  #labels: [string, string][] | undefined;
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}
  set(labels: Record<string, string | number>): void {
    this.#labels = Object.entries(labels).map(([k, v]) => [k, String(v)]);
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`);
    if (this.#labels) out.push(`${this.name}{${this.#labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}} 1`);
  }
}

export class MetricsRegistry {
  readonly #metrics: Renderable[] = [];

  #add<M extends Renderable>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) throw new Error(`metrics: ${metric.name} is registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    mustValidNames(name, labelNames);
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    mustValidNames(name, labelNames);
    return this.#add(new Gauge(name, help, labelNames));
  }

  /** `buckets`: finite, increasing upper bounds; +Inf is added. */
  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    mustValidNames(name, labelNames, ['le']);
    return this.#add(new Histogram(name, help, buckets, labelNames));
  }

  info(name: string, help: string): InfoMetric {
    mustValidNames(name, []);
    return this.#add(new InfoMetric(name, help));
  }

  enumCounter(name: string, help: string, labelName: string, table: ReadonlyArray<readonly [string, number]>, otherName?: string): EnumCounter {
    return this.#add(new EnumCounter(name, help, labelName, table, otherName));
  }

  /** The exposition text, metrics in registration order, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const m of this.#metrics) m.render(out);
    return out.length ? out.join('\n') + '\n' : '';
  }
}

/** Ack latency buckets, µs: an fsync is ≈ 650 µs here, so the 0.25–2.5 ms range is finely cut. */
export const ACK_LATENCY_BUCKETS_MICROS: readonly number[] = [
  10, 25, 50, 100, 250, 500, 750, 1_000, 1_500, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 1_000_000,
];

/** Journal commit buckets, µs: an LMDB sync commit takes ≈ 0.5–1 ms on this disk (docs/durability.md §12). */
export const JOURNAL_COMMIT_BUCKETS_MICROS: readonly number[] = [100, 250, 500, 750, 1_000, 1_500, 2_500, 5_000, 10_000, 25_000, 100_000, 1_000_000];

export type RingName = 'command' | 'event';

/** The daemon's metrics, named once here so every component counts into the same registry. */
export class PerpdMetrics {
  readonly registry = new MetricsRegistry();
  /** Commands received from clients, by op (`incFor(cmd.op)`). */
  readonly ordersIn: EnumCounter;
  /** Events sent to clients (execution reports and market data messages). */
  readonly eventsOut: Counter;
  /** Refused commands by result code name (`incFor(code)`, or `rejects.labels('INSUFFICIENT_MARGIN').inc()`). */
  readonly rejects: EnumCounter;
  /** Fills by market symbol (`incFor(marketId)`). */
  readonly fills: EnumCounter;
  /** Command receipt → ack sent, microseconds. */
  readonly ackLatencyMicros: Histogram;
  /** Open client connections. */
  readonly connections: Gauge;
  /** Market-data messages dropped for slow consumers (over maxBackpressureBytes). */
  readonly mdDrops: Counter;
  /** Records waiting in each worker's rings, read at scrape time. */
  readonly ringDepthRecords: Gauge;
  /** The latest published state hash (every journal.hashEveryCommands commands), for standbys and auditors. */
  readonly stateHash: InfoMetric;
  /** Seq of the latest state-hash cut and of the latest snapshot written. */
  readonly lastCutSeq: Gauge;
  readonly lastSnapshotSeq: Gauge;
  /** Journal group commits acknowledged, the records they held, and each one's commit-start → acknowledgement time. */
  readonly journalCommits: Counter;
  readonly journalRecords: Counter;
  readonly journalCommitMicros: Histogram;
  /** Commands appended but not yet acknowledgeable (admission refuses at journal.maxUnackedCommands), read at scrape time. */
  readonly journalUnackedCommands: Gauge;

  constructor(options: { markets: readonly Pick<MarketSpec, 'marketId' | 'symbol'>[] }) {
    const r = this.registry;
    this.ordersIn = r.enumCounter('perpd_orders_in_total', 'Commands received from clients, by op.', 'op', Object.entries(Op), 'UNKNOWN');
    this.eventsOut = r.counter('perpd_events_out_total', 'Events sent to clients (execution reports and market data).');
    const rejectCodes = Object.entries(Code).filter(([, v]) => v !== Code.OK);
    this.rejects = r.enumCounter('perpd_rejects_total', 'Refused commands, by result code.', 'code', rejectCodes, 'UNKNOWN');
    const markets = options.markets.map((m) => [m.symbol, m.marketId] as const);
    this.fills = r.enumCounter('perpd_fills_total', 'Fills (one per maker order touched), by market.', 'market', markets, 'UNKNOWN');
    this.ackLatencyMicros = r.histogram('perpd_ack_latency_micros', 'Command receipt to acknowledgement sent, in microseconds.', ACK_LATENCY_BUCKETS_MICROS);
    this.connections = r.gauge('perpd_connections', 'Open client connections.');
    this.mdDrops = r.counter('perpd_md_drops_total', 'Market-data messages dropped for slow consumers.');
    this.ringDepthRecords = r.gauge('perpd_ring_depth_records', 'Records waiting in a worker ring, sampled at scrape time.', ['ring', 'worker']);
    this.stateHash = r.info('perpd_state_hash_info', 'Latest published state hash of the whole exchange (seq, event cursor, exchange and ledger hashes).');
    this.lastCutSeq = r.gauge('perpd_state_hash_seq', 'Seq at which the latest state hash was published.');
    this.lastSnapshotSeq = r.gauge('perpd_snapshot_seq', 'Seq of the latest snapshot written.');
    this.journalCommits = r.counter('perpd_journal_commits_total', 'Journal group commits acknowledged (durable in sync mode, committed in async mode).');
    this.journalRecords = r.counter('perpd_journal_records_total', 'Records (commands, settlement events, hashes, snapshots) in acknowledged journal groups.');
    this.journalCommitMicros = r.histogram('perpd_journal_commit_micros', 'Journal group commit: start of the LMDB write to acknowledgement, in microseconds.', JOURNAL_COMMIT_BUCKETS_MICROS);
    this.journalUnackedCommands = r.gauge('perpd_journal_unacked_commands', 'Commands appended to the journal but not yet acknowledgeable.');
  }

  /** JournalWriter onGroupAcknowledged. */
  observeJournalGroup(records: number, commitMicros: number): void {
    this.journalCommits.inc();
    this.journalRecords.inc(records);
    this.journalCommitMicros.observe(commitMicros);
  }

  /** Registers a scrape-time reader of one ring's depth (e.g. `() => ring.pendingRecords()`). */
  trackRingDepth(ring: RingName, workerIndex: number, read: () => number): void {
    this.ringDepthRecords.labels(ring, String(workerIndex)).setCallback(read);
  }

  render(): string {
    return this.registry.render();
  }
}
