import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../engine/codes.js';
import { Op } from '../engine/command.js';
import { demoMarkets } from '../engine/market-spec.js';
import { escapeHelp, escapeLabelValue, formatSampleValue, MetricsRegistry, PerpdMetrics } from './metrics.js';

/** Joins exposition lines with the trailing newline the format requires. */
function text(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Every line is a HELP/TYPE comment or `name{labels} value`. */
function assertWellFormed(exposition: string): void {
  assert.ok(exposition.endsWith('\n'));
  const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;
  for (const line of exposition.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    assert.match(line, sample);
  }
}

test('counters render HELP, TYPE and one sample per label set, escaping label values and help', () => {
  const r = new MetricsRegistry();
  const c = r.counter('requests_total', 'Requests.\nSecond line, a \\ and "quotes".', ['method']);
  c.labels('GET').inc();
  c.labels('say "hi"\n\\').inc(2);
  c.labels('GET').inc(0.5);
  r.counter('plain_total', 'Plain counter.');
  assert.equal(
    r.render(),
    text(
      '# HELP requests_total Requests.\\nSecond line, a \\\\ and "quotes".',
      '# TYPE requests_total counter',
      'requests_total{method="GET"} 1.5',
      'requests_total{method="say \\"hi\\"\\n\\\\"} 2',
      '# HELP plain_total Plain counter.',
      '# TYPE plain_total counter',
      'plain_total 0',
    ),
  );
});

test('labels() returns the same cached child for the same values', () => {
  const r = new MetricsRegistry();
  const c = r.counter('x_total', 'X.', ['a', 'b']);
  assert.equal(c.labels('1', '2'), c.labels('1', '2'));
  assert.notEqual(c.labels('1', '2'), c.labels('12', ''));
  assert.throws(() => c.labels('1'), /takes 2 label value\(s\) \(a, b\), got 1/);
  assert.throws(() => c.inc(), /has labels/);
  assert.throws(() => c.labels('1', '2').inc(-1), /cannot decrease/);
});

test('gauges render set values and read callbacks at scrape time', () => {
  const r = new MetricsRegistry();
  const g = r.gauge('ring_depth_records', 'Depth.', ['ring', 'worker']);
  let depth = 7;
  g.labels('command', '0').setCallback(() => depth);
  g.labels('event', '0').set(3);
  g.labels('event', '0').inc(2);
  g.labels('event', '0').dec();
  g.labels('event', '1').setCallback(() => {
    throw new Error('worker gone');
  });
  const open = r.gauge('connections', 'Open connections.');
  open.inc();
  open.inc();
  open.dec();
  const expected = (d: number): string =>
    text(
      '# HELP ring_depth_records Depth.',
      '# TYPE ring_depth_records gauge',
      `ring_depth_records{ring="command",worker="0"} ${d}`,
      'ring_depth_records{ring="event",worker="0"} 4',
      'ring_depth_records{ring="event",worker="1"} NaN',
      '# HELP connections Open connections.',
      '# TYPE connections gauge',
      'connections 1',
    );
  assert.equal(r.render(), expected(7));
  depth = 9;
  assert.equal(r.render(), expected(9));
});

test('histograms render cumulative buckets with le, +Inf, _sum and _count', () => {
  const r = new MetricsRegistry();
  const h = r.histogram('latency_micros', 'Latency.', [10, 100, 2.5e6]);
  for (const v of [5, 10, 50, 1000]) h.observe(v);
  const byRoute = r.histogram('route_micros', 'By route.', [1], ['route']);
  byRoute.labels('a"b').observe(0.5);
  byRoute.labels('a"b').observe(3);
  r.histogram('empty_micros', 'No observations yet.', [1]);
  assert.equal(
    r.render(),
    text(
      '# HELP latency_micros Latency.',
      '# TYPE latency_micros histogram',
      'latency_micros_bucket{le="10"} 2',
      'latency_micros_bucket{le="100"} 3',
      'latency_micros_bucket{le="2500000"} 4',
      'latency_micros_bucket{le="+Inf"} 4',
      'latency_micros_sum 1065',
      'latency_micros_count 4',
      '# HELP route_micros By route.',
      '# TYPE route_micros histogram',
      'route_micros_bucket{route="a\\"b",le="1"} 1',
      'route_micros_bucket{route="a\\"b",le="+Inf"} 2',
      'route_micros_sum{route="a\\"b"} 3.5',
      'route_micros_count{route="a\\"b"} 2',
      '# HELP empty_micros No observations yet.',
      '# TYPE empty_micros histogram',
      'empty_micros_bucket{le="1"} 0',
      'empty_micros_bucket{le="+Inf"} 0',
      'empty_micros_sum 0',
      'empty_micros_count 0',
    ),
  );
});

test('a labelled metric with no children yet renders only its HELP and TYPE', () => {
  const r = new MetricsRegistry();
  r.counter('by_code_total', 'By code.', ['code']);
  assert.equal(r.render(), text('# HELP by_code_total By code.', '# TYPE by_code_total counter'));
  assert.equal(new MetricsRegistry().render(), '');
});

test('bad names, reserved labels, duplicate metrics and bad buckets are refused', () => {
  const r = new MetricsRegistry();
  r.counter('a_total', 'A.');
  assert.throws(() => r.counter('a_total', 'again'), /registered twice/);
  assert.throws(() => r.counter('1bad', 'B.'), /invalid metric name/);
  assert.throws(() => r.counter('ok_total', 'B.', ['bad-label']), /invalid label name/);
  assert.throws(() => r.counter('ok_total', 'B.', ['__reserved']), /invalid label name/);
  assert.throws(() => r.counter('ok_total', 'B.', ['x', 'x']), /duplicate label name/);
  assert.throws(() => r.histogram('h', 'H.', [1], ['le']), /reserved/);
  assert.throws(() => r.histogram('h', 'H.', [2, 1]), /must increase/);
  assert.throws(() => r.histogram('h', 'H.', [1, Infinity]), /finite/);
  assert.throws(() => r.histogram('h', 'H.', []), /at least one bucket/);
});

test('value formatting and escaping follow the exposition format', () => {
  assert.equal(formatSampleValue(NaN), 'NaN');
  assert.equal(formatSampleValue(Infinity), '+Inf');
  assert.equal(formatSampleValue(-Infinity), '-Inf');
  assert.equal(formatSampleValue(-2.5), '-2.5');
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeHelp('a\\b"c\nd'), 'a\\\\b"c\\nd');
});

test('enum counters count by table number into fixed slots, with an overflow slot', () => {
  const r = new MetricsRegistry();
  const e = r.enumCounter('things_total', 'Things.', 'kind', [
    ['NEG', -3],
    ['ZERO', 0],
    ['TEN', 10],
  ]);
  e.incFor(-3);
  e.incFor(10, 2);
  e.incFor(5); // inside the span, not in the table
  e.incFor(99); // outside the span
  e.labels('ZERO').inc();
  assert.equal(e.labels('TEN'), e.child(10), 'one cached handle per slot');
  assert.throws(() => e.labels('NOPE'), /no kind "NOPE"/);
  assert.equal(
    r.render(),
    text(
      '# HELP things_total Things.',
      '# TYPE things_total counter',
      'things_total{kind="NEG"} 1',
      'things_total{kind="ZERO"} 1',
      'things_total{kind="TEN"} 2',
      'things_total{kind="OTHER"} 2',
    ),
  );
});

test('PerpdMetrics counts rejects by code name, orders by op, fills by market, and samples ring depths', () => {
  const m = new PerpdMetrics({ markets: demoMarkets() });
  const insufficientMargin = m.rejects.labels('INSUFFICIENT_MARGIN');
  assert.equal(insufficientMargin, m.rejects.labels('INSUFFICIENT_MARGIN'));
  insufficientMargin.inc();
  m.rejects.incFor(Code.INSUFFICIENT_MARGIN);
  m.rejects.incFor(Code.POST_ONLY_WOULD_CROSS);
  m.rejects.incFor(-9999);
  m.ordersIn.incFor(Op.PLACE);
  m.ordersIn.incFor(Op.PLACE);
  m.ordersIn.incFor(Op.CANCEL);
  m.fills.incFor(1);
  m.eventsOut.inc(5);
  m.mdDrops.inc();
  m.connections.set(3);
  m.ackLatencyMicros.observe(700);
  let depth = 12;
  m.trackRingDepth('command', 0, () => depth);
  m.trackRingDepth('event', 0, () => 0);

  const out = m.render();
  assertWellFormed(out);
  const lines = out.split('\n');
  for (const expected of [
    'perpd_rejects_total{code="INSUFFICIENT_MARGIN"} 2',
    'perpd_rejects_total{code="POST_ONLY_WOULD_CROSS"} 1',
    'perpd_rejects_total{code="MALFORMED"} 0',
    'perpd_rejects_total{code="UNKNOWN"} 1',
    'perpd_orders_in_total{op="PLACE"} 2',
    'perpd_orders_in_total{op="CANCEL"} 1',
    'perpd_fills_total{market="ETH-PERP"} 1',
    'perpd_fills_total{market="BTC-PERP"} 0',
    'perpd_events_out_total 5',
    'perpd_md_drops_total 1',
    'perpd_connections 3',
    'perpd_ack_latency_micros_bucket{le="500"} 0',
    'perpd_ack_latency_micros_bucket{le="750"} 1',
    'perpd_ack_latency_micros_count 1',
    'perpd_ring_depth_records{ring="command",worker="0"} 12',
    'perpd_ring_depth_records{ring="event",worker="0"} 0',
    '# TYPE perpd_rejects_total counter',
    '# TYPE perpd_ack_latency_micros histogram',
    '# TYPE perpd_ring_depth_records gauge',
  ]) {
    assert.ok(lines.includes(expected), `missing line: ${expected}`);
  }
  assert.ok(!out.includes('code="OK"'), 'OK is not a reject');
  depth = 40;
  assert.ok(m.render().includes('perpd_ring_depth_records{ring="command",worker="0"} 40'));
});

test('an info metric renders only its latest label set, with escaped values', () => {
  const r = new MetricsRegistry();
  const info = r.info('perpd_state_hash_info', 'Latest state hash.');
  assert.equal(r.render(), '# HELP perpd_state_hash_info Latest state hash.\n# TYPE perpd_state_hash_info gauge\n');
  info.set({ seq: 10, exchange: 'ab"c' });
  info.set({ seq: 20, exchange: 'def' });
  assert.equal(r.render(), '# HELP perpd_state_hash_info Latest state hash.\n# TYPE perpd_state_hash_info gauge\nperpd_state_hash_info{seq="20",exchange="def"} 1\n');
});
