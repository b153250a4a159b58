import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { POSTGRES_DEFAULTS } from '../src/postgres/index.js';
import { LEASE_DEFAULTS, MARGIN_FRACTION, REDIS_DEFAULTS, RENEW_FRACTION } from '../src/redis/index.js';

const page = path.resolve(import.meta.dirname, '../../../docs/packages/lock.md');
const table = (heading: string) => new Map(readMarkdownTable(page, heading).map((row) => [row.option, row.default]));

describe('the docs page shows the backends’ defaults the code applies', () => {
  it('shared lease options', () => {
    const rows = table('Redis and PostgreSQL options');
    for (const [option, value] of Object.entries(LEASE_DEFAULTS)) expect(rows.get(option), option).toBe(String(value));
    expect(rows.get('renewMs')).toBe(`ttlMs / ${Math.round(1 / RENEW_FRACTION)}`);
    expect(rows.get('marginMs')).toBe(`ttlMs / ${Math.round(1 / MARGIN_FRACTION)}`);
  });

  it('Redis options', () => {
    const rows = table('Redis options');
    for (const [option, value] of Object.entries(REDIS_DEFAULTS)) expect(rows.get(option), option).toBe(String(value));
  });

  it('PostgreSQL options', () => {
    const rows = table('PostgreSQL options');
    for (const [option, value] of Object.entries(POSTGRES_DEFAULTS)) expect(rows.get(option), option).toBe(String(value));
  });
});
