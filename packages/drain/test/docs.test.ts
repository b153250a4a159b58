import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ERROR_CODES, LISTEN_DEFAULTS, LISTEN_OPTION_NAMES, OPTION_NAMES } from '../src/index.js';

const page = fileURLToPath(new URL('../../../docs/packages/drain.md', import.meta.url));

/** How a default is written in the docs table. */
function show(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

describe('docs/packages/drain.md', () => {
  it('lists every error code, and only those, with when and how to fix', () => {
    const rows = readMarkdownTable(page, 'Errors');
    expect(rows.map((row) => row.code)).toEqual([...ERROR_CODES]);
    for (const row of rows) {
      expect(row.when, row.code).not.toBe('');
      expect(row['how to fix'], row.code).not.toBe('');
    }
  });

  it('lists every createDrain() option with the default the code uses', () => {
    const rows = readMarkdownTable(page, 'Options');
    expect(rows.map((row) => row.option).sort()).toEqual([...OPTION_NAMES].sort());
    for (const [option, value] of Object.entries(DEFAULTS)) {
      expect(rows.find((row) => row.option === option)?.default, option).toBe(show(value));
    }
    for (const row of rows) expect(row.meaning, row.option).not.toBe('');
  });

  it('lists every listen() option with the default the code uses', () => {
    const rows = readMarkdownTable(page, 'Listen options');
    expect(rows.map((row) => row.option).sort()).toEqual([...LISTEN_OPTION_NAMES].sort());
    for (const [option, value] of Object.entries(LISTEN_DEFAULTS)) {
      expect(rows.find((row) => row.option === option)?.default, option).toBe(show(value));
    }
  });
});
