/**
 * Compares two benchmark runs: `npm run bench:compare -- A B`.
 *
 * A and B are results directories (bench/results/<timestamp>, or just the
 * timestamp) or git commit ids: a commit id picks the newest results directory whose
 * JSON files record that commit (machine.gitCommit, written by every benchmark). To
 * compare two commits: check out A, `npm run bench`, check out B, `npm run bench`,
 * then `npm run bench:compare -- A B`.
 *
 * For every result present in both runs (same benchmark, same key: book workload,
 * micro task, e2e variant (binary or JSON) + offered rate, e2e variant summary) it prints each figure
 * of A and B and the ratio B/A, marked ▲ (B better) or ▼ (B worse) when the change
 * is over 5% in the figure's good direction (throughput up, latency down). Results
 * from different machines are flagged. Markdown on stdout.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_ROOT = fileURLToPath(new URL('../../bench/results/', import.meta.url));

type Json = Record<string, unknown>;
/** Figure name → true when higher is better. */
type Figures = Record<string, boolean>;

interface Row {
  bench: string;
  key: string;
  values: Record<string, number>;
}

interface Run {
  dir: string;
  machine: string;
  commit: string;
  rows: Map<string, Row>;
}

const BOOK: Figures = { opsPerSec: true, p50Ns: false, p99Ns: false, p999Ns: false, bytesPerRestingOrder: false };
const MICRO: Figures = { opsPerSec: true, nsPerOp: false };
const E2E_STEP: Figures = { achievedPerSec: true, p50Us: false, p90Us: false, p99Us: false, p999Us: false };
const E2E_SUMMARY: Figures = { kneePerSec: true, throughputKneePerSec: true, maxPerSec: true, echoPerSec: true, ratioToEcho: true, p99UsAt20k: false };

function pick(o: Json, figures: Figures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(figures)) if (typeof o[k] === 'number' && Number.isFinite(o[k])) out[k] = o[k] as number;
  return out;
}

/** The rows of one benchmark JSON file, keyed so that the same result matches across runs. */
export function rowsOf(file: Json): Row[] {
  const bench = String(file.bench ?? '');
  const out: Row[] = [];
  if (bench === 'book') for (const r of (file.rows as Json[]) ?? []) out.push({ bench, key: String(r.workload), values: pick(r, BOOK) });
  if (bench === 'micro') for (const r of (file.rows as Json[]) ?? []) if (!r.skipped) out.push({ bench, key: String(r.task), values: pick(r, MICRO) });
  if (bench === 'e2e-binary' || bench === 'e2e-json') {
    for (const s of (file.steps as Json[]) ?? []) {
      const offered = Math.round(Number(s.offeredPerSec));
      out.push({ bench, key: `${s.variant} ${s.kind === 'max' ? 'max' : 'rate'} ${offered}/s`, values: pick(s, E2E_STEP) });
    }
    for (const s of (file.summaries as Json[]) ?? []) out.push({ bench, key: `${s.variant} summary`, values: pick(s, E2E_SUMMARY) });
  }
  return out;
}

function figuresOf(bench: string): Figures {
  return bench === 'book' ? BOOK : bench === 'micro' ? MICRO : { ...E2E_STEP, ...E2E_SUMMARY };
}

function loadRun(dir: string): Run {
  const rows = new Map<string, Row>();
  let machine = '';
  let commit = '';
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    let j: Json;
    try {
      j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json;
    } catch {
      continue;
    }
    const m = j.machine as Json | undefined;
    if (m) {
      machine = `${m.cpuModel}, ${m.cores} cores, Node ${m.node}`;
      commit = `${m.gitCommit ?? 'n/a'}${m.gitDirty ? '+dirty' : ''}`;
    }
    for (const r of rowsOf(j)) rows.set(`${r.bench}\u0000${r.key}`, r);
  }
  return { dir, machine, commit, rows };
}

/** A results directory, a timestamp under bench/results, or the newest directory recorded for a commit. */
export function resolveRun(arg: string): string {
  for (const d of [arg, join(RESULTS_ROOT, arg)]) if (existsSync(d) && statSync(d).isDirectory()) return d;
  if (/^[0-9a-f]{4,40}$/i.test(arg) && existsSync(RESULTS_ROOT)) {
    const dirs = readdirSync(RESULTS_ROOT)
      .filter((d) => !d.startsWith('.'))
      .sort()
      .reverse();
    for (const d of dirs) {
      const full = join(RESULTS_ROOT, d);
      if (!statSync(full).isDirectory()) continue;
      for (const f of readdirSync(full).filter((x) => x.endsWith('.json'))) {
        try {
          const m = (JSON.parse(readFileSync(join(full, f), 'utf8')) as Json).machine as Json | undefined;
          const c = String(m?.gitCommit ?? '');
          if (c && (c.startsWith(arg.toLowerCase()) || arg.toLowerCase().startsWith(c))) return full;
        } catch {
          // skip
        }
      }
    }
    throw new Error(`no results directory under bench/results records commit ${arg}: check that commit out, run \`npm run bench\` there, then compare again`);
  }
  throw new Error(`"${arg}" is neither a results directory nor a commit id`);
}

const fmt = (v: number | undefined): string => (v === undefined ? '–' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 1000) / 1000));

export function compareRuns(a: Run, b: Run): string {
  const L: string[] = [];
  L.push(`# Benchmark comparison`, '');
  L.push(`- A: \`${a.dir}\` (commit ${a.commit}; ${a.machine})`);
  L.push(`- B: \`${b.dir}\` (commit ${b.commit}; ${b.machine})`);
  if (a.machine !== b.machine) L.push(`- **Different machines**: ratios compare machines as much as code.`);
  L.push('', 'Ratio = B / A. ▲ = B better, ▼ = B worse by more than 5% (throughput up / latency down is better).', '');
  L.push('| benchmark | result | figure | A | B | B/A | |', '| --- | --- | --- | ---: | ---: | ---: | --- |');
  let matched = 0;
  for (const [k, ra] of a.rows) {
    const rb = b.rows.get(k);
    if (!rb) continue;
    matched++;
    const figures = figuresOf(ra.bench);
    for (const f of Object.keys(ra.values)) {
      const va = ra.values[f];
      const vb = rb.values[f];
      if (vb === undefined) continue;
      const ratio = va === 0 ? NaN : vb / va;
      const better = figures[f] ? ratio > 1.05 : ratio < 0.95;
      const worse = figures[f] ? ratio < 0.95 : ratio > 1.05;
      L.push(`| ${ra.bench} | ${ra.key} | ${f} | ${fmt(va)} | ${fmt(vb)} | ${Number.isFinite(ratio) ? ratio.toFixed(3) : '–'} | ${better ? '▲' : worse ? '▼' : ''} |`);
    }
  }
  const onlyA = [...a.rows.keys()].filter((k) => !b.rows.has(k)).length;
  const onlyB = [...b.rows.keys()].filter((k) => !a.rows.has(k)).length;
  L.push('', `${matched} results in both runs; ${onlyA} only in A, ${onlyB} only in B (different options or benchmarks).`, '');
  return L.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [x, y] = process.argv.slice(2).filter((s) => !s.startsWith('--'));
  if (!x || !y) {
    process.stderr.write('usage: npm run bench:compare -- <resultsDirA|timestamp|commit> <resultsDirB|timestamp|commit>\n');
    process.exit(2);
  }
  try {
    process.stdout.write(compareRuns(loadRun(resolveRun(x)), loadRun(resolveRun(y))));
  } catch (err) {
    process.stderr.write(`bench:compare: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
