import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import {
  CHECK_CODES,
  CHECK_DEFAULTS,
  DEFAULTS,
  ERROR_CODES,
  EVENT_LOOP_CHECK_DEFAULTS,
  HTTP_METHODS,
  OTHER_METHOD,
  REQUEST_METRICS_DEFAULTS,
  RESPONSE_CODES,
  THRESHOLD_CHECK_DEFAULTS,
} from '../src/index.js';

const page = fileURLToPath(new URL('../../../docs/packages/health.md', import.meta.url));

/** DEFAULTS flattened to `a.b` keys, each shown the way the table shows it. */
function flatten(object: object, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'object' && value !== null) Object.assign(out, flatten(value as object, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

// Options whose default is not a constant (a new object, the process's own) and so is described.
const DESCRIBED = ['registry', 'env', 'now', 'logger'];

describe('docs page tables', () => {
  it('## Options lists every option with the default the code uses', () => {
    const rows = readMarkdownTable(page, 'Options');
    const defaults = flatten(DEFAULTS);
    expect(rows.map((row) => row.option).sort()).toEqual([...Object.keys(defaults), ...DESCRIBED].sort());
    for (const [option, value] of Object.entries(defaults)) expect(rows.find((row) => row.option === option)?.default, option).toBe(value);
  });

  it('## Check options, ## Built-in checks match their constants', () => {
    const checkRows = readMarkdownTable(page, 'Check options');
    expect(checkRows.map((row) => row.option).sort()).toEqual(['critical', 'timeoutMs']);
    expect(checkRows.find((row) => row.option === 'critical')?.default).toBe(String(CHECK_DEFAULTS.critical));
    expect(checkRows.find((row) => row.option === 'timeoutMs')?.default).toBe('checkTimeoutMs');

    const builtin = readMarkdownTable(page, 'Built-in checks');
    const expected = {
      ...flatten(EVENT_LOOP_CHECK_DEFAULTS, 'eventLoopDelayCheck.'),
      ...flatten(THRESHOLD_CHECK_DEFAULTS, 'thresholdCheck.'),
    };
    for (const [option, value] of Object.entries(expected)) expect(builtin.find((row) => row.option === option)?.default, option).toBe(value);
    const constantless = builtin.filter((row) => !(row.option! in expected)).map((row) => row.option).sort();
    expect(constantless).toEqual(['memoryCheck.maxHeapUsedBytes', 'memoryCheck.maxRssBytes', 'thresholdCheck.max', 'thresholdCheck.measure', 'thresholdCheck.unit']);
  });

  it('### Request metrics options matches REQUEST_METRICS_DEFAULTS, and ### Labels lists the methods', () => {
    const rows = readMarkdownTable(page, 'Request metrics options');
    expect(rows.map((row) => row.option).sort()).toEqual(['durationBuckets', 'maxRoutes', 'route']);
    expect(rows.find((row) => row.option === 'durationBuckets')?.default).toBe(REQUEST_METRICS_DEFAULTS.durationBuckets.join(', '));
    expect(rows.find((row) => row.option === 'maxRoutes')?.default).toBe(String(REQUEST_METRICS_DEFAULTS.maxRoutes));
    const text = readFileSync(page, 'utf8');
    const labels = text.slice(text.indexOf('### Labels'), text.indexOf('### Cardinality'));
    const methods = /- `method`: (.*?); any\n/s.exec(labels)?.[1]?.replace(/\s+/g, ' ');
    expect(methods).toBe(HTTP_METHODS.map((m) => `\`${m}\``).join(', '));
    expect(labels).toContain(`is \`${OTHER_METHOD}\``);
  });

  it('## Errors, ## Check codes and ## Response codes list exactly the exported codes', () => {
    const codes = (heading: string) => readMarkdownTable(page, heading).map((row) => row.code).sort();
    expect(codes('Errors')).toEqual([...ERROR_CODES].sort());
    expect(codes('Check codes')).toEqual([...CHECK_CODES].sort());
    expect(codes('Response codes')).toEqual([...RESPONSE_CODES].sort());
    for (const row of readMarkdownTable(page, 'Errors')) expect(row['how to fix'], row.code).not.toBe('');
  });
});
