import { readFileSync } from 'node:fs';
import path from 'node:path';
import { definitionProblems } from '@svc/supervisor/definition';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { COMMANDS } from '../src/commands.js';
import { PM2_COMMANDS } from '../src/usage.js';

const page = path.resolve(import.meta.dirname, '../../../docs/guides/migrating-from-pm2.md');

/** The raw rows of the table under `heading` (backticks kept), as arrays of cells. */
function rawRows(heading: string): string[][] {
  const lines = readFileSync(page, 'utf8').split('\n');
  const start = lines.findIndex((line) => line === `## ${heading}`);
  expect(start, heading).toBeGreaterThan(-1);
  const rows: string[][] = [];
  let i = lines.findIndex((line, k) => k > start && line.startsWith('|')) + 2;
  for (; lines[i]?.startsWith('|'); i++) rows.push(lines[i]!.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  return rows;
}

describe('docs/guides/migrating-from-pm2.md is in step with the CLI', () => {
  it('the commands table names every PM2 command the CLI answers with the svc way', () => {
    const pm2 = new Set(readMarkdownTable(page, 'Commands').flatMap((row) => [...(row.pm2 ?? '').matchAll(/pm2 ([a-z]+)/g)].map((m) => m[1])));
    for (const command of Object.keys(PM2_COMMANDS)) expect(pm2.has(command), `pm2 ${command}`).toBe(true);
  });

  it('every svc command it names exists, by its name or an alias', () => {
    const known = new Set<string>();
    for (const [id, command] of Object.entries(COMMANDS)) {
      known.add(id);
      for (const alias of command.aliases ?? []) known.add(alias);
    }
    const named = readMarkdownTable(page, 'Commands').flatMap((row) => [...(row.svc ?? '').matchAll(/\bsvc ([a-z]+)(?: ([a-z]+))?/g)]);
    expect(named.length).toBeGreaterThan(20);
    for (const [text, first, second] of named) {
      const id = first === 'daemon' || first === 'config' ? `${first}:${second}` : first!;
      expect(known.has(id), text).toBe(true);
    }
  });

  it('every config key it maps to is one the supervisor knows', () => {
    const keys = rawRows('Ecosystem keys')
      .flatMap((cells) => [...cells[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(':')[0]!.trim()))
      // `services:` is the file's top level, the rest are a service's keys; SVC_INSTANCE is a variable.
      .filter((key) => key !== 'services' && /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*$/.test(key));
    expect(keys.length).toBeGreaterThan(25);
    for (const key of keys) {
      // The key path set to nothing: only an unknown key can be a problem then.
      const definition: Record<string, unknown> = { command: 'node' };
      let at = definition;
      const parts = key.split('.');
      for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
      at[parts.at(-1)!] = undefined;
      const unknown = definitionProblems('api', definition).filter((p) => p.known !== undefined);
      expect(unknown, key).toEqual([]);
    }
  });
});
