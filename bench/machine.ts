import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository (this file runs as <repo>/dist/bench/machine.js). */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The machine a benchmark ran on: printed at the start of every benchmark and stored with its results. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemBytes: number;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let gitCommit: string | null = null;
  let gitDirty: boolean | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    gitDirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().length > 0;
  } catch {
    // not a git checkout, or git missing
  }
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemBytes: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    gitCommit,
    gitDirty,
  };
}

export function machineLine(m: MachineInfo): string {
  const gib = (m.totalMemBytes / 2 ** 30).toFixed(1);
  const git = m.gitCommit ? `git ${m.gitCommit}${m.gitDirty ? '+dirty' : ''}` : 'git n/a';
  return `machine: ${m.cpuModel}, ${m.cores} cores, ${gib} GiB, Node ${m.node}, V8 ${m.v8}, ${m.platform} ${m.arch}, ${git}`;
}

/** Prints the machine line on stderr and returns the info. */
export function printMachine(): MachineInfo {
  const m = machineInfo();
  process.stderr.write(`${machineLine(m)}\n`);
  return m;
}
