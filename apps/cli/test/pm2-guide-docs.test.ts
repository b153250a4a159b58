import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definitionProblems } from '@svc/supervisor/definition';
import { describe, expect, it } from 'vitest';
import { pageBlocks } from '../../../tooling/doc-blocks.js';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { COMMANDS } from '../src/commands.js';
import { CODE_HEAP_MB, DEFAULT_CODE_TIMEOUT_MS, MAX_APPS, MAX_FILE_BYTES, MAX_RESULT_BYTES } from '../src/import/import-limits.js';
import { PM2_ALIASES, PM2_FILE_GAPS, PM2_GAPS, PM2_MAPPED_KEYS } from '../src/import/pm2-keys.js';
import { PM2_COMMANDS } from '../src/usage.js';
import { svc } from './helpers.js';

const page = path.resolve(import.meta.dirname, '../../../docs/guides/migrating-from-pm2.md');

/** The raw rows of the table under `heading` (backticks kept), as arrays of cells. */
function rawRows(heading: string): string[][] {
  const lines = readFileSync(page, 'utf8').split('\n');
  const start = lines.findIndex((line) => line === `## ${heading}` || line === `### ${heading}`);
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

  it.each(['Ecosystem keys', 'What it maps'])('every config key the %s table maps to is one the supervisor knows', (heading) => {
    const keys = rawRows(heading)
      .flatMap((cells) => [...cells[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(':')[0]!.trim()))
      // `services:` is the file's top level, the rest are a service's keys; SVC_INSTANCE is a variable.
      .filter((key) => key !== 'services' && /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*$/.test(key));
    expect(keys.length).toBeGreaterThan(heading === 'Ecosystem keys' ? 25 : 20);
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

  it('the svc import pm2 tables name every key the import maps or reports, and PM2 has no key they leave out', () => {
    const named = (heading: string) => new Set(rawRows(heading).flatMap((cells) => [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(':')[0]!.trim())));
    const maps = named('What it maps');
    const reports = named('What it reports');
    for (const key of PM2_MAPPED_KEYS) expect(maps.has(key), `${key} in "What it maps"`).toBe(true);
    for (const key of [...Object.keys(PM2_GAPS), ...Object.keys(PM2_FILE_GAPS)]) expect(reports.has(key), `${key} in "What it reports"`).toBe(true);
    // PM2's own list of ecosystem keys (the version bench/ installs): each one is mapped or reported by name, each alias known.
    const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../bench/node_modules/pm2/lib/API/schema.json'), 'utf8')) as Record<string, { alias?: string | string[] }>;
    const known = new Set<string>([...PM2_MAPPED_KEYS, ...Object.keys(PM2_GAPS)]);
    for (const [key, spec] of Object.entries(schema)) {
      if (key === '^env_\\S*$') continue; // env_<name>: the --env profiles
      expect(known.has(key), `PM2's ${key}`).toBe(true);
      for (const alias of [spec.alias ?? []].flat()) expect(PM2_ALIASES[alias], `PM2's ${alias} (${key})`).toBe(key);
    }
  });

  it('the limits it states are the ones the import applies', () => {
    const text = readFileSync(page, 'utf8').replace(/\s+/g, ' ');
    for (const limit of [`${MAX_FILE_BYTES / 1024 / 1024} MiB`, `${MAX_APPS} apps`, `${DEFAULT_CODE_TIMEOUT_MS} ms by default`, `${MAX_RESULT_BYTES / 1024 / 1024} MiB of it`, `${CODE_HEAP_MB} MB heap`]) {
      expect(text, limit).toContain(limit);
    }
  });

  it('the imported example is what svc import pm2 writes from the page’s ecosystem file', async () => {
    const blocks = pageBlocks('guides/migrating-from-pm2.md');
    const ecosystem = blocks.find((b) => b.lang === 'js' && b.code.includes('module.exports'))!;
    const imported = blocks.find((b) => b.lang === 'yaml' && b.code.startsWith('# svc config written by svc import pm2'))!;
    expect(imported.mark).toEqual({ kind: 'doctest', scenario: 'config' });
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'svc-pm2-guide-')));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
      writeFileSync(path.join(dir, 'ecosystem.config.js'), ecosystem.code);
      const result = await svc(['import', 'pm2', 'ecosystem.config.js', '--dry-run'], { cwd: dir, env: { SVC_HOME: path.join(dir, '.svc') } });
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd()).toBe(imported.code.trimEnd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
