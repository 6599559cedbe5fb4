/** The results table (Markdown, for stdout and the README) and the JSON results file. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Row {
  readonly workload: string;
  readonly result: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly goal: string;
  /** null: no goal for this row. */
  readonly met: boolean | null;
}

export function table(rows: readonly Row[]): string {
  const head = ['workload', 'result', 'raw baseline (same run)', 'ratio', 'goal', 'met'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.workload, r.result, r.baseline, r.ratio, r.goal, r.met === null ? '' : r.met ? 'yes' : '**no**'].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function saveResults(dir: string, data: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}

/** Replaces the README's results block (between its two markers) with this table. */
export function updateReadme(readme: string, markdown: string): void {
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j === -1) throw new Error(`the README has no ${start} ... ${end} block`);
  writeFileSync(readme, `${text.slice(0, i + start.length)}\n${markdown}\n${text.slice(j)}`);
}
