import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineChartSvg, niceStep, xmlEscape, xmlProblem } from './svg-chart.js';

describe('svg chart', () => {
  const svg = lineChartSvg({
    title: 'latency vs throughput <e2e & "binary">',
    subtitle: 'machine: x',
    xLabel: 'achieved orders/s',
    yLabel: 'ack latency (µs)',
    series: [
      { name: 'engine p50', color: '#1f77b4', points: [{ x: 10_000, y: 40 }, { x: 50_000, y: 90 }, { x: 100_000, y: 900 }] },
      { name: 'engine p99', color: '#1f77b4', dashed: true, points: [{ x: 10_000, y: 300 }, { x: 100_000, y: 25_000 }] },
      { name: 'empty', color: '#000000', points: [] },
    ],
    hLines: [{ y: 1000, label: 'p99 bound 1 ms' }],
  });

  it('is well-formed XML with one polyline per non-empty series and a legend entry per series', () => {
    assert.equal(xmlProblem(svg), null);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.ok(svg.includes('engine p99') && svg.includes('>empty<'));
    assert.ok(svg.includes('&lt;e2e &amp; &quot;binary&quot;&gt;'));
  });

  it('puts decade grid lines from the smallest to the largest latency (log scale)', () => {
    for (const label of ['>10<', '>100<', '>1 k<', '>10 k<', '>100 k<']) assert.ok(svg.includes(label), label);
  });

  it('xmlProblem finds broken markup', () => {
    assert.match(xmlProblem('<svg><g></svg>') ?? '', /unexpected/);
    assert.match(xmlProblem('<svg><text>a & b</text></svg>') ?? '', /entity/);
    assert.match(xmlProblem('<svg>') ?? '', /unclosed/);
    assert.equal(xmlProblem('<svg><g a="1"/></svg>'), null);
  });

  it('chooses 1/2/5 steps', () => {
    assert.equal(niceStep(100, 5), 20);
    assert.equal(niceStep(130_000, 6), 50_000);
    assert.equal(niceStep(7, 5), 2);
    assert.equal(xmlEscape(`a<'`), 'a&lt;&apos;');
  });
});
