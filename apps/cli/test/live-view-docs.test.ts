import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { KEY_HELP } from '../src/monit/keys.js';
import { SECURITY_HEADERS } from '../src/ui/guard.js';

const page = path.resolve(import.meta.dirname, '../../../docs/guides/live-view.md');

describe('docs/guides/live-view.md is in step with the CLI', () => {
  it("the keys table is svc monit's own list of keys, in its order and words", () => {
    const rows = readMarkdownTable(page, 'Keys').map((row) => [row.key, row.does]);
    expect(rows).toEqual(KEY_HELP.map(([keys, does]) => [keys, does]));
  });

  it('the security model names every header svc ui sends, with its value', () => {
    // The page wraps long values over lines: compare with runs of white space as one space.
    const text = readFileSync(page, 'utf8').replace(/\s+/g, ' ');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(text, name).toContain(`\`${name}: ${value}\``);
  });
});
