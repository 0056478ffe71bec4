import { spawn } from 'node:child_process';

/**
 * Runs `node [nodeFlags] script args` in a child process, forwarding its stderr
 * (progress) live, and returns every stdout line that parses as a JSON object.
 * Rejects when the child exits non-zero.
 */
export function runChild(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const rows: Record<string, unknown>[] = [];
    const takeLine = (line: string): void => {
      const t = line.trim();
      if (!t) return;
      if (t.startsWith('{')) {
        try {
          rows.push(JSON.parse(t) as Record<string, unknown>);
          return;
        } catch {
          // not JSON: fall through and show it
        }
      }
      process.stderr.write(`${t}\n`);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        takeLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      takeLine(buf);
      if (code === 0) resolve(rows);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}
