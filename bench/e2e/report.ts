/**
 * Output of the e2e benchmark: the JSON line per result (stdout), the Markdown
 * summary and the latency-vs-throughput chart (SVG, plus PNG when rsvg-convert is
 * installed).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg, shortNumber, xmlProblem, type ChartSeries } from '../lib/svg-chart.js';
import { keptUp, type StepResult } from './step-result.js';

export interface VariantSummary {
  target: 'echo' | 'engine';
  variant: string;
  /** Latency knee: highest offered rate kept up with with p99 ≤ the bound (≥ 95% served, nothing lost or shed); 0 if none. */
  kneePerSec: number;
  /** Throughput knee: highest offered rate kept up with, whatever the latency; 0 if none. */
  throughputKneePerSec: number;
  /** Capacity: the highest served rate of any step of this target (rate steps and max steps). */
  maxPerSec: number;
  /** The offered rate of the step that served the most. */
  maxAtOfferedPerSec: number;
  /** The echo's saturation rate measured before this variant (null: no echo in this run). */
  echoPerSec: number | null;
  ratioToEcho: number | null;
  /** p99 at the step closest to 20 k/s offered (the target), if run. */
  p99UsAt20k: number | null;
  /** False when even the last max step was kept up with (max is then a lower bound). */
  saturated: boolean;
  notes: string[];
}

/** The stdout line of one step (issue 6: bench, offered, achieved, percentiles, echo, ratio). `bench`: e2e-binary or e2e-json. */
export function resultLine(r: StepResult, echoPerSec: number | null, p99BoundUs: number, bench = 'e2e-binary'): Record<string, unknown> {
  return {
    bench,
    target: r.target,
    variant: r.variant,
    kind: r.kind,
    offeredPerSec: Math.round(r.offeredPerSec),
    achievedPerSec: r.achievedPerSec,
    p50Us: r.p50Us,
    p90Us: r.p90Us,
    p99Us: r.p99Us,
    p999Us: r.p999Us,
    maxUs: r.maxUs,
    fillP50Us: r.fill.p50Us,
    fillP99Us: r.fill.p99Us,
    echoPerSec,
    ratioToEcho: echoPerSec ? Math.round((r.achievedPerSec / echoPerSec) * 1000) / 1000 : null,
    keptUp: keptUp(r, p99BoundUs),
    sendLagP99Us: r.sendLag.p99Us,
    serverAckP50LeUs: r.serverAck?.p50LeUs ?? null,
    serverAckP99LeUs: r.serverAck?.p99LeUs ?? null,
    journalCommitP50LeUs: r.journal?.commitP50LeUs ?? null,
    journalCommitP99LeUs: r.journal?.commitP99LeUs ?? null,
    journalRecordsPerCommit: r.journal?.recordsPerCommit ?? null,
    genCpuPct: r.genCpuPct,
    targetCpuPct: r.targetCpuPct,
    otherCpuPct: r.otherCpuPct ?? null,
    unanswered: r.counters.unanswered,
    rejects: r.rejects,
    errors: r.errors,
  };
}

export function summaryLine(s: VariantSummary, bench = 'e2e-binary'): Record<string, unknown> {
  return { bench, kind: 'summary', ...s };
}

const fmtUs = (v: number): string =>
  v >= 1e6 ? `${+(v / 1e6).toFixed(2)} s` : v >= 10_000 ? `${(v / 1000).toFixed(0)} ms` : v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v} µs`;

function codes(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(', ') : '–';
}

export function markdownSummary(o: {
  machineLine: string;
  command: string;
  startedAt: string;
  p99BoundUs: number;
  steps: StepResult[];
  summaries: VariantSummary[];
  notes: string[];
  chartFile: string;
  /** Section title (the benchmark's name); default e2e-binary. */
  bench?: string;
}): string {
  const L: string[] = [];
  L.push(`## ${o.bench ?? 'e2e-binary'}`, '');
  L.push(`Command: \`${o.command}\`  `, `${o.machineLine}  `, `Started ${o.startedAt}. Latency = scheduled send → first answer (open loop), HDR histogram (2 significant digits).`, '');
  L.push(`| target / variant | latency knee (p99 ≤ ${fmtUs(o.p99BoundUs)}) | throughput knee | capacity (best served/s) | echo capacity/s | engine/echo | p99 at 20 k/s |`);
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of o.summaries) {
    L.push(`| ${s.variant} | ${s.kneePerSec ? shortNumber(s.kneePerSec) : '–'} | ${s.throughputKneePerSec ? shortNumber(s.throughputKneePerSec) : '–'} | ${s.saturated ? '' : '≥ '}${shortNumber(s.maxPerSec)} | ${s.echoPerSec ? shortNumber(s.echoPerSec) : '–'} | ${s.ratioToEcho ?? '–'} | ${s.p99UsAt20k === null ? '–' : fmtUs(s.p99UsAt20k)} |`);
  }
  L.push('');
  L.push('| target / variant | offered/s | achieved/s | ack p50 | p90 | p99 | p99.9 | max | IOC fill p50 / p99 | server ack p50 / p99 | journal commit p50 / p99 | send lag p99 | CPU gen / target / others | msgs/op | rejects | unanswered |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of o.steps) {
    const fill = r.fill.count ? `${fmtUs(r.fill.p50Us)} / ${fmtUs(r.fill.p99Us)}` : '–';
    const le = (v: number | null): string => (v === null ? '> 1 s' : `≤ ${fmtUs(v)}`);
    const server = r.serverAck?.count ? `${le(r.serverAck.p50LeUs)} / ${le(r.serverAck.p99LeUs)}` : '–';
    const journal = r.journal?.commits ? `${le(r.journal.commitP50LeUs)} / ${le(r.journal.commitP99LeUs)}` : '–';
    L.push(
      `| ${r.variant}${r.kind === 'max' ? ' (max)' : ''} | ${shortNumber(r.offeredPerSec)} | ${shortNumber(r.achievedPerSec)} | ${fmtUs(r.p50Us)} | ${fmtUs(r.p90Us)} | ${fmtUs(r.p99Us)} | ${fmtUs(r.p999Us)} | ${fmtUs(r.maxUs)} | ${fill} | ${server} | ${journal} | ${fmtUs(r.sendLag.p99Us)} | ${r.genCpuPct}% / ${r.targetCpuPct}% / ${r.otherCpuPct ?? '?'}% | ${r.messagesPerOp} | ${codes({ ...r.rejects, ...r.errors })} | ${r.counters.unanswered + r.counters.unsent} |`,
    );
  }
  L.push('');
  const notes = [...o.notes, ...o.summaries.flatMap((s) => s.notes.map((n) => `${s.variant}: ${n}`))];
  if (notes.length) L.push(...notes.map((n) => `- ${n}`), '');
  L.push(`![latency vs throughput](${o.chartFile})`, '');
  return L.join('\n');
}

const PALETTE = ['#7f7f7f', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

/** p50 (solid) and p99 (dashed) ack latency against achieved throughput, one colour per variant, rate steps only. */
export function latencyChart(steps: StepResult[], p99BoundUs: number, subtitle: string, bench = 'e2e-binary'): string {
  const variants = [...new Set(steps.map((s) => s.variant))];
  const series: ChartSeries[] = [];
  variants.forEach((v, i) => {
    const rs = steps.filter((s) => s.variant === v && s.kind === 'rate');
    const color = PALETTE[i % PALETTE.length];
    series.push({ name: `${v} p50`, color, points: rs.map((r) => ({ x: r.achievedPerSec, y: r.p50Us })) });
    series.push({ name: `${v} p99`, color, dashed: true, points: rs.map((r) => ({ x: r.achievedPerSec, y: r.p99Us })) });
  });
  return lineChartSvg({
    title: `${bench}: ack latency vs achieved throughput (open loop)`,
    subtitle,
    xLabel: 'achieved orders/s (log scale when the range is wide)',
    yLabel: 'ack latency from scheduled send (log scale)',
    series,
    hLines: [{ y: p99BoundUs, label: `p99 bound ${fmtUs(p99BoundUs)}` }],
    yFormat: (v) => fmtUs(v),
  });
}

/** Writes the SVG (checked for well-formedness) and, when rsvg-convert exists, a PNG beside it. Returns the files written. */
export function writeChart(dir: string, base: string, svg: string): string[] {
  const problem = xmlProblem(svg);
  if (problem) throw new Error(`chart SVG is not well formed: ${problem}`);
  const svgPath = join(dir, `${base}.svg`);
  writeFileSync(svgPath, svg);
  const files = [svgPath];
  try {
    const png = join(dir, `${base}.png`);
    execFileSync('rsvg-convert', ['-o', png, svgPath], { stdio: 'ignore' });
    files.push(png);
  } catch {
    // rsvg-convert not installed (apt-get install librsvg2-bin): the SVG alone
  }
  return files;
}
