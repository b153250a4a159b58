import { readFileSync } from 'node:fs';

/**
 * Reads the first Markdown table under a heading of a docs page, as rows of cells keyed by the
 * header's text (lower-cased). Used by each package's docs test to keep the page's error table
 * and options table in step with the code. Inline code backticks are stripped from cells.
 */
export function readMarkdownTable(file: string, heading: string): Array<Record<string, string>> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#{1,6}\s/.test(line) && line.replace(/^#+\s*/, '').trim() === heading);
  if (start === -1) throw new Error(`${file}: no heading "${heading}"`);
  let i = start + 1;
  while (i < lines.length && !lines[i]!.trim().startsWith('|')) {
    if (/^#{1,6}\s/.test(lines[i]!)) throw new Error(`${file}: no table under "${heading}"`);
    i++;
  }
  const split = (line: string) =>
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|').replace(/`/g, ''));
  const header = split(lines[i]!).map((h) => h.toLowerCase());
  const rows: Array<Record<string, string>> = [];
  for (i += 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const cells = split(lines[i]!);
    rows.push(Object.fromEntries(header.map((h, k) => [h, cells[k] ?? ''])));
  }
  return rows;
}
