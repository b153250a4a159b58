import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/*
 * What the reference generators share: the generated part of a page lives between two marker
 * comments (`<!-- NAME:start -->` … `<!-- NAME:end -->`), and text from the code is escaped for
 * VitePress (Markdown that Vue compiles: a bare `<name>` would be an element).
 */

/** The repository's docs folder. */
export const DOCS_DIR = path.resolve(import.meta.dirname, '../../../docs');

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** What lies between a page's markers (without them); throws when they are missing or out of order. */
export function between(page: string, name: string): string {
  const { start, end } = markers(name);
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  if (from === -1 || to === -1 || to < from || page.indexOf(start, from + 1) !== -1) {
    throw new Error(`the page needs exactly one ${start} … ${end} pair`);
  }
  return page.slice(from + start.length + 1, to);
}

/** The page with `body` between its markers (the markers kept on lines of their own). */
export function replaceBetween(page: string, name: string, body: string): string {
  between(page, name);
  const { start, end } = markers(name);
  return `${page.slice(0, page.indexOf(start) + start.length)}\n${body}${page.slice(page.indexOf(end))}`;
}

/**
 * Writes `body` between the markers of `file` (under docs/); says whether anything changed.
 * What the package scripts `docs:cli` and `docs:config` run.
 */
export function writeBetween(file: string, name: string, body: string): boolean {
  const full = path.join(DOCS_DIR, file);
  const page = readFileSync(full, 'utf8');
  const next = replaceBetween(page, name, body);
  if (next === page) return false;
  writeFileSync(full, next);
  return true;
}

/** The text between the markers of `file` (under docs/) as it is on disk. */
export function readBetween(file: string, name: string): string {
  return between(readFileSync(path.join(DOCS_DIR, file), 'utf8'), name);
}

/**
 * Prose from the code as Markdown: code spans kept as they are, and in the text around them the
 * characters Markdown or Vue would take for syntax escaped (`<` `>` `*`, and `|` inside a table).
 */
export function prose(text: string, options: { inTable?: boolean } = {}): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      const escaped = i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*');
      return options.inTable ? escaped.replace(/\|/g, '\\|') : escaped;
    })
    .join('');
}

/** Inline code, safe in a table cell too. */
export function code(text: string, options: { inTable?: boolean } = {}): string {
  const fence = text.includes('`') ? '``' : '`';
  const body = options.inTable ? text.replace(/\|/g, '\\|') : text;
  return `${fence}${fence === '``' ? ' ' : ''}${body}${fence === '``' ? ' ' : ''}${fence}`;
}

/** A Markdown table from a header and rows of cells (each already Markdown). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fenced block with the mark the docs' code-block convention asks for on the line before it. */
export function block(mark: string, lang: string, body: string, title?: string): string {
  return `<!-- ${mark} -->\n\`\`\`${lang}${title ? ` [${title}]` : ''}\n${body.replace(/\n+$/, '')}\n\`\`\``;
}
