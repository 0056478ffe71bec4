/**
 * One step's figures, merged over the generator processes (histograms are merged
 * count by count, so percentiles are those of all ops, not averages of averages).
 *
 * achievedPerSec  measured ops served (answered, minus load-shedding rejects such
 *                 as OVERLOADED and ERROR frames) / the measured window, where the
 *                 window is the planned duration, stretched to the last answer when
 *                 answers trail the schedule (an overloaded target cannot look faster
 *                 than it answered);
 * sentPerSec      measured ops written to sockets / the window of the sends;
 * p…Us            ack latency from the scheduled send time, µs (HDR histogram,
 *                 2 significant digits: ≤ 0.8% above the true value);
 * genCpuPct       the generators' CPU (user + system) over the step's wall time, in
 *                 % of one core, summed over the processes; targetCpuPct the same
 *                 for the target process (all its threads).
 */
import { codeName } from '../../engine/codes.js';
import { Histogram } from '../lib/histogram.js';
import type { GeneratorReply } from './protocol.js';
import type { JournalStepSummary, ServerAckSummary } from './server-metrics.js';
import { emptyCounters, type StepCounters } from './recorder.js';
import { OP_KIND_NAMES } from './workload.js';

type GenResult = Extract<GeneratorReply, { type: 'result' }>;

export interface LatencyUs {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
}

export interface StepResult {
  target: 'echo' | 'engine';
  variant: string;
  /** 'rate' = a fixed offered rate; 'max' = the saturation step. */
  kind: 'rate' | 'max';
  offeredPerSec: number;
  achievedPerSec: number;
  sentPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  fill: LatencyUs;
  ackByKind: Record<string, LatencyUs>;
  sendLag: LatencyUs;
  genCpuPct: number;
  targetCpuPct: number;
  generators: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  counters: StepCounters;
  rejects: Record<string, number>;
  errors: Record<string, number>;
  /** Server messages received per measured op. */
  messagesPerOp: number;
  /** Histogram saturation / clamping (should be 0). */
  histogramOutOfRange: number;
  /** Whole machine busy % of one core during the step, and the part not ours (other jobs): noise indicator. */
  machineCpuPct?: number;
  otherCpuPct?: number;
  /** The daemon's own receipt → ack histogram for the step (engine only; coarse buckets). */
  serverAck?: ServerAckSummary;
  /** The daemon's journal during the step (engine only): commits, records per commit, commit time bounds. */
  journal?: JournalStepSummary;
  /** Realised op mix of everything planned so far on this target (fractions). */
  realisedMix?: Record<string, number>;
}

const us = (ns: number): number => Math.round(ns / 100) / 10;

export function latencyUs(h: Histogram): LatencyUs {
  const s = h.summary();
  return { count: s.count, p50Us: us(s.p50), p90Us: us(s.p90), p99Us: us(s.p99), p999Us: us(s.p999), maxUs: us(s.max), meanUs: us(s.mean) };
}

/** Sums counts per reason: numeric keys are engine codes (named here), other keys are reasons already. */
function sumCodes(parts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      const name = /^-?\d+$/.test(k) ? codeName(Number(k)) : k;
      out[name] = (out[name] ?? 0) + v;
    }
  }
  return out;
}

export interface StepContext {
  target: 'echo' | 'engine';
  variant: string;
  kind: 'rate' | 'max';
  offeredPerSec: number;
  warmupMs: number;
  durationMs: number;
  connections: number;
  /** Target CPU (µs, all threads) during the step, and the step's wall time. */
  targetCpuUs: number;
  wallMs: number;
}

export function mergeStep(ctx: StepContext, gens: readonly GenResult[]): StepResult {
  const ack = Histogram.merge(gens.map((g) => g.step.ack));
  const fill = Histogram.merge(gens.map((g) => g.step.fill));
  const sendLag = Histogram.merge(gens.map((g) => g.step.sendLag));
  const c = emptyCounters();
  c.firstMeasuredSendMs = Infinity;
  let ackWindowMs = ctx.durationMs;
  let sendWindowMs = 0;
  let genCpuUs = 0;
  for (const g of gens) {
    const x = g.step.counters;
    for (const k of Object.keys(c) as (keyof StepCounters)[]) {
      if (k === 'firstMeasuredSendMs') c[k] = Math.min(c[k], x[k]);
      else if (k === 'lastMeasuredSendMs' || k === 'lastMeasuredAckMs') c[k] = Math.max(c[k], x[k]);
      else c[k] += x[k];
    }
    ackWindowMs = Math.max(ackWindowMs, x.lastMeasuredAckMs - ctx.warmupMs);
    sendWindowMs = Math.max(sendWindowMs, x.lastMeasuredSendMs - ctx.warmupMs);
    genCpuUs += g.cpuUserUs + g.cpuSystemUs;
  }
  if (!Number.isFinite(c.firstMeasuredSendMs)) c.firstMeasuredSendMs = 0;
  const a = latencyUs(ack);
  const round = (v: number): number => Math.round(v);
  return {
    target: ctx.target,
    variant: ctx.variant,
    kind: ctx.kind,
    offeredPerSec: ctx.offeredPerSec,
    achievedPerSec: round((c.measuredAcked - c.shed) / (ackWindowMs / 1000)),
    sentPerSec: round(c.measuredSent / (Math.max(sendWindowMs, ctx.durationMs) / 1000)),
    p50Us: a.p50Us,
    p90Us: a.p90Us,
    p99Us: a.p99Us,
    p999Us: a.p999Us,
    maxUs: a.maxUs,
    meanUs: a.meanUs,
    fill: latencyUs(fill),
    ackByKind: Object.fromEntries(OP_KIND_NAMES.map((n) => [n, latencyUs(Histogram.merge(gens.map((g) => g.step.ackKind[n])))])),
    sendLag: latencyUs(sendLag),
    genCpuPct: round((genCpuUs / 1000 / ctx.wallMs) * 100),
    targetCpuPct: round((ctx.targetCpuUs / 1000 / ctx.wallMs) * 100),
    generators: gens.length,
    connections: ctx.connections,
    warmupMs: ctx.warmupMs,
    durationMs: ctx.durationMs,
    counters: c,
    rejects: sumCodes(gens.map((g) => g.step.rejects)),
    errors: sumCodes(gens.map((g) => g.step.errors)),
    messagesPerOp: c.measuredOps ? Math.round((c.messagesIn / c.measuredOps) * 100) / 100 : 0,
    histogramOutOfRange: ack.saturated + ack.clamped,
  };
}

/** Did the target keep up with the offered rate: ≥ 95% served, nothing lost or shed (latency aside)? */
export function keptUpThroughput(r: StepResult): boolean {
  const c = r.counters;
  return r.achievedPerSec >= 0.95 * r.offeredPerSec && c.unanswered === 0 && c.unsent === 0 && c.shed === 0;
}

/** Kept up, and with p99 within the bound. */
export function keptUp(r: StepResult, p99BoundUs: number): boolean {
  return keptUpThroughput(r) && r.p99Us <= p99BoundUs;
}
