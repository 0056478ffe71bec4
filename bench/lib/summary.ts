/**
 * summary.md of a results directory: the machine line, then each benchmark's own
 * Markdown section (<name>.md), or for a benchmark that writes only JSON, the table
 * it stored (book.json's `table`). Written by the dispatcher after a suite.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeSummary(dir: string, title: string, machineLine: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).sort();
  const sections: string[] = [];
  for (const f of files) {
    if (f === 'summary.md') continue;
    if (f.endsWith('.md')) sections.push(readFileSync(join(dir, f), 'utf8').trim());
    else if (f.endsWith('.json') && !files.includes(f.replace(/\.json$/, '.md'))) {
      try {
        const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { bench?: string; table?: string; command?: string };
        sections.push(`## ${j.bench ?? f}\n\n${j.command ? `Command: \`${j.command}\`\n\n` : ''}${j.table ? `\`\`\`\n${j.table.trim()}\n\`\`\`` : `Raw results: \`${f}\``}`);
      } catch {
        // not ours
      }
    }
  }
  if (sections.length === 0) return undefined;
  const path = join(dir, 'summary.md');
  writeFileSync(path, [`# ${title}`, '', machineLine, '', ...sections.map((s) => `${s}\n`)].join('\n'));
  return path;
}
