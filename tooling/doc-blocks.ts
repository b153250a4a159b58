import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/*
 * The code blocks of the docs site, with what each says about itself. The nearest non-blank line
 * before every fence (or before the `::: code-group` that holds it) is one of:
 *
 *   <!-- fragment: <why it is not run> -->
 *   <!-- doctest: config -->        a whole svc config file, checked with `svc config validate`
 *   <!-- doctest: <scenario> -->    run; the page's blocks with one scenario name are one example
 *
 * apps/integration/test/doc-examples.test.ts runs the doctests from the packed packages;
 * tooling/test/doc-blocks.test.ts keeps every block marked.
 */

export type BlockMark = { kind: 'fragment'; reason: string } | { kind: 'doctest'; scenario: string } | { kind: 'unmarked' };

export interface DocBlock {
  /** The page, relative to docs/ (`packages/lock.md`). */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The file name in the fence's title (```js [server.mjs]```), if any. */
  title: string | null;
  mark: BlockMark;
  code: string;
}

export const DOCS_DIR = path.resolve(import.meta.dirname, '../docs');

/** The site's pages (every .md under docs/, not its dependencies nor build output). */
export function docPages(dir = DOCS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((p) => !p.split(path.sep).some((part) => part === 'node_modules' || part.startsWith('.')))
    .sort();
}

const MARK = /^<!--\s*(fragment|doctest)\s*:\s*(.*?)\s*-->$/;

function markOf(line: string | undefined): BlockMark {
  const m = line === undefined ? null : MARK.exec(line.trim());
  if (!m) return { kind: 'unmarked' };
  return m[1] === 'fragment' ? { kind: 'fragment', reason: m[2]! } : { kind: 'doctest', scenario: m[2]! };
}

export function pageBlocks(page: string, dir = DOCS_DIR): DocBlock[] {
  const lines = readFileSync(path.join(dir, page), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  /** The mark before an open `::: code-group`: every fence in the group carries it. */
  let groupMark: BlockMark | null = null;
  let lastNonBlank: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      const [, indent, ticks, info] = fence as unknown as [string, string, string, string];
      const close = new RegExp(`^${indent}${ticks[0] === '`' ? '`' : '~'}{${ticks.length},}\\s*$`);
      let end = i + 1;
      while (end < lines.length && !close.test(lines[end]!)) end++;
      const lang = /^[\w+-]*/.exec(info.trim())![0];
      const title = /\[([^\]]+)\]/.exec(info)?.[1] ?? null;
      blocks.push({
        page,
        line: i + 1,
        lang,
        title,
        mark: groupMark ?? markOf(lastNonBlank),
        code: lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n'),
      });
      i = end;
      lastNonBlank = undefined;
      continue;
    }
    if (/^:::\s*code-group/.test(line.trim())) groupMark = markOf(lastNonBlank);
    else if (/^:::\s*$/.test(line.trim())) groupMark = null;
    if (line.trim() !== '') lastNonBlank = line;
  }
  return blocks;
}

export function allBlocks(dir = DOCS_DIR): DocBlock[] {
  return docPages(dir).flatMap((page) => pageBlocks(page, dir));
}
