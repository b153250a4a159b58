import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { CLIENT_DEFAULTS, ERROR_CODES, SERVER_DEFAULTS } from '../src/index.js';

const DOC = fileURLToPath(new URL('../../../docs/packages/ipc.md', import.meta.url));

/** Checks a `| option | default | meaning |` table against a defaults object plus required options. */
function checkOptions(heading: string, defaults: Record<string, number>, withoutDefault: string[]): void {
  const rows = readMarkdownTable(DOC, heading);
  const documented = rows.map((row) => row.option);
  expect([...documented].sort()).toEqual([...Object.keys(defaults), ...withoutDefault].sort());
  for (const row of rows) {
    expect(row.meaning, `meaning of ${row.option}`).not.toBe('');
    const option = row.option!;
    if (option in defaults) {
      // The cell starts with the exact value of the constant the code uses.
      expect(row.default!.split(' ')[0], `default of ${option}`).toBe(String(defaults[option]));
    } else {
      expect(row.default, `default of ${option}`).toBe('—');
    }
  }
}

describe('docs/packages/ipc.md', () => {
  it('lists every error code, each with when and how to fix', () => {
    const rows = readMarkdownTable(DOC, 'Errors');
    expect(rows.map((row) => row.code).sort()).toEqual([...ERROR_CODES].sort());
    for (const row of rows) {
      expect(row.when, row.code).not.toBe('');
      expect(row['how to fix'], row.code).not.toBe('');
    }
  });

  it('lists every server option with the default the code uses', () => {
    checkOptions('Options', SERVER_DEFAULTS, ['path', 'methods', 'onError']);
  });

  it('lists every client option with the default the code uses', () => {
    checkOptions('Client options', CLIENT_DEFAULTS, []);
  });
});
