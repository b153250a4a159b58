import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ENV_NAMES } from '../src/config.js';
import { ERROR_CODES } from '../src/errors.js';

const readme = path.resolve(import.meta.dirname, '../README.md');

describe('the README is in step with the code', () => {
  it('the options table lists every variable with the default the code applies', () => {
    const rows = readMarkdownTable(readme, 'Options');
    expect(rows.map((row) => row.option)).toEqual([...ENV_NAMES]);
    for (const row of rows) {
      const value = DEFAULTS[row.option as keyof typeof DEFAULTS];
      expect(row.default, row.option).toBe(typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
    }
  });

  it('the error table lists exactly the codes the server reports', () => {
    const codes = readMarkdownTable(readme, 'Errors').map((row) => row.code);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
  });
});
