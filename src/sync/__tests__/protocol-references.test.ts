/**
 * Comments and docs cite the protocol as `docs/protocol.md §N` (or `section N`): each such
 * reference must name a section that exists, and nothing may cite a protocol file that the
 * repository does not have (the old `PROTOCOL.md`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.md'], { cwd: repo, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.startsWith('node_modules/'));
const sections = new Set(
  [...readFileSync(join(repo, 'docs', 'protocol.md'), 'utf8').matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])),
);
const text = (file: string): string => {
  try {
    return readFileSync(join(repo, file), 'utf8');
  } catch {
    return ''; // deleted in the working tree
  }
};

describe('references to the protocol', () => {
  it('docs/protocol.md has numbered sections', () => {
    expect(sections.size).toBeGreaterThanOrEqual(7);
  });

  it('cite docs/protocol.md, which exists, and never a PROTOCOL.md', () => {
    const stale = files.filter((f) => f !== 'src/sync/__tests__/protocol-references.test.ts' && /\bPROTOCOL\.md\b/.test(text(f)));
    expect(stale).toEqual([]);
  });

  it('name sections that exist', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const m of text(file).matchAll(/docs\/protocol\.md,? (?:§|sections? )(\d+)(?: and (\d+))?/g)) {
        for (const n of [m[1], m[2]].filter(Boolean).map(Number)) if (!sections.has(n)) broken.push(`${file}: ${m[0]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
