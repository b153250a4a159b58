import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { COMMANDS } from '../src/commands.js';
import { ERROR_CODES } from '../src/errors.js';
import { PM2_COMMANDS } from '../src/usage.js';

const page = path.resolve(import.meta.dirname, '../../../docs/cli.md');

describe('docs/cli.md is in step with the CLI', () => {
  it('the error table lists exactly the CLI’s own codes', () => {
    const codes = readMarkdownTable(page, 'Errors').map((row) => row.code);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('the PM2 table names every PM2 command the CLI answers with the svc way', () => {
    const documented = new Set(readMarkdownTable(page, 'Coming from PM2').flatMap((row) => [...(row.pm2 ?? '').matchAll(/pm2 ([a-z]+)/g)].map((m) => m[1])));
    expect([...documented].sort()).toEqual(Object.keys(PM2_COMMANDS).sort());
  });

  it('the commands table names every command', () => {
    const rows = readMarkdownTable(page, 'Commands').map((row) => row.command ?? '');
    // "svc uninstall/enable/disable <name>" documents three commands in one row.
    const documented = new Set(rows.flatMap((row) => row.replace(/^svc /, '').split(/[\s/]+/).filter((w) => /^[a-z][a-z0-9]*$/.test(w))));
    for (const id of Object.keys(COMMANDS)) {
      for (const word of id.split(':')) expect(documented.has(word), id).toBe(true);
    }
  });
});
