/**
 * The step ladder of an e2e benchmark (bench/e2e.ts over the binary protocol,
 * bench/e2e-json.ts over the JSON API): rate steps, the saturation ("max") step,
 * a target's capacity and its summary. Transport-neutral: everything here works on
 * a TargetSession and its StepResults.
 */
import type { VariantSummary } from './report.js';
import type { TargetSession } from './session.js';
import { keptUp, keptUpThroughput, type StepResult } from './step-result.js';

export interface MaxStepOptions {
  /** First offered rate of the saturation step. */
  maxRate: number;
  /** How many times the offer may double while the target still keeps up. */
  maxDoublings: number;
  warmupMs?: number;
  durationMs?: number;
  emit: (r: StepResult) => void;
}

export interface MaxSteps {
  steps: StepResult[];
  /** False when even the last max step was kept up with (its rate is then a lower bound of the capacity). */
  saturated: boolean;
}

/**
 * The saturation step: offered far above what the target is expected to take. When
 * the target keeps up anyway (≥ 95% served), the offer doubles (up to maxDoublings
 * times); the last step's achieved rate is the capacity, marked unsaturated if it
 * still kept up (then it is a lower bound: the generator is the limit).
 */
export async function maxSteps(s: TargetSession, o: MaxStepOptions): Promise<MaxSteps> {
  let rate = o.maxRate;
  const steps: StepResult[] = [];
  for (let d = 0; ; d++) {
    const r = await s.step({ ratePerSec: rate, kind: 'max', warmupMs: o.warmupMs ?? 300, durationMs: o.durationMs ?? 1500 });
    o.emit(r);
    steps.push(r);
    const saturated = r.achievedPerSec < 0.95 * rate;
    if (saturated || d >= o.maxDoublings) return { steps, saturated };
    rate *= 2;
  }
}

/**
 * Fixed offered rates, one step each, in order. `stopAfter` (a sweep) ends the
 * ladder after the first step it returns true for.
 */
export async function rateSteps(
  s: TargetSession,
  ladder: readonly number[],
  o: { warmupMs: number; durationMs: number; emit: (r: StepResult) => void; stopAfter?: (r: StepResult) => boolean },
): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const rate of ladder) {
    const r = await s.step({ ratePerSec: rate, kind: 'rate', warmupMs: o.warmupMs, durationMs: o.durationMs });
    out.push(r);
    o.emit(r);
    if (o.stopAfter?.(r)) break;
  }
  return out;
}

/** A target's capacity: the highest served rate of any of its steps. */
export const capacity = (rs: readonly StepResult[], maxed: MaxSteps): number => Math.max(...[...rs, ...maxed.steps].map((r) => r.achievedPerSec));

/** The summary of one target / variant: knees, capacity, ratio to the echo. */
export function summarise(
  target: 'echo' | 'engine',
  variant: string,
  rs: readonly StepResult[],
  maxed: MaxSteps,
  o: { echoPerSec: number; p99BoundUs: number; notes: string[] },
): VariantSummary {
  const all = [...rs, ...maxed.steps];
  const best = all.reduce((a, r) => (r.achievedPerSec > a.achievedPerSec ? r : a), all[0]);
  const notes = [...o.notes];
  const last = maxed.steps[maxed.steps.length - 1];
  if (last && !maxed.saturated) notes.push(`not saturated at ${Math.round(last.offeredPerSec)}/s offered (generator CPU ${last.genCpuPct}%): max is a lower bound`);
  const kept = rs.filter((r) => keptUp(r, o.p99BoundUs));
  const keptThroughput = rs.filter((r) => keptUpThroughput(r));
  const near20k = rs.find((r) => r.offeredPerSec === 20_000);
  const echoPerSec = o.echoPerSec;
  return {
    target,
    variant,
    kneePerSec: kept.length ? Math.max(...kept.map((r) => r.offeredPerSec)) : 0,
    throughputKneePerSec: keptThroughput.length ? Math.max(...keptThroughput.map((r) => r.offeredPerSec)) : 0,
    maxPerSec: best.achievedPerSec,
    maxAtOfferedPerSec: Math.round(best.offeredPerSec),
    echoPerSec: echoPerSec || null,
    ratioToEcho: echoPerSec ? Math.round((best.achievedPerSec / echoPerSec) * 1000) / 1000 : null,
    p99UsAt20k: near20k ? near20k.p99Us : null,
    saturated: maxed.saturated,
    notes,
  };
}
