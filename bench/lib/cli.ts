/** `--key value` / `--flag` argument parsing shared by benchmark entry points. */

export type Options = Map<string, string>;

/** Parses `--key value`, `--key=value` and bare `--flag` (value "true"); other words go to `positional`. */
export function parseArgs(argv: readonly string[]): { positional: string[]; options: Options } {
  const positional: string[] = [];
  const options: Options = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(a.slice(2), argv[++i]);
    else options.set(a.slice(2), 'true');
  }
  return { positional, options };
}

export function numberOption(options: Options, key: string, fallback: number): number {
  const v = options.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got "${v}"`);
  return n;
}

