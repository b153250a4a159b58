import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ERROR_CODES } from '../src/index.js';

const page = path.resolve(import.meta.dirname, '../../../docs/packages/lock.md');

describe('the docs page is in step with the code', () => {
  it('the error table lists exactly the codes the package uses', () => {
    const codes = readMarkdownTable(page, 'Errors').map((row) => row.code);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('the options table shows the defaults the code applies', () => {
    const rows = new Map(readMarkdownTable(page, 'Options').map((row) => [row.option, row.default]));
    for (const [option, value] of Object.entries(DEFAULTS)) {
      expect(rows.get(option), option).toBe(String(value));
    }
  });
});
