import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { DEFAULTS, ERROR_CODES, INSTALL_DEFAULTS, WARNING_CODES, type InstallerOptions } from '../src/index.js';

const page = path.join(import.meta.dirname, '..', '..', '..', 'docs', 'packages', 'installers.md');

// Every option of createInstaller(); the `satisfies` makes this list fail to compile when one is added.
const OPTION_NAMES = Object.keys({
  name: true,
  description: true,
  nodePath: true,
  svcEntry: true,
  nodeArgs: true,
  configPath: true,
  args: true,
  workingDirectory: true,
  env: true,
  stopTimeoutMs: true,
  system: true,
  user: true,
  logDir: true,
  platform: true,
  unitDir: true,
  homeDir: true,
  lingerDir: true,
  uid: true,
  windowsWrapperPath: true,
  runner: true,
} satisfies Record<keyof InstallerOptions, true>);

describe('docs/packages/installers.md', () => {
  const options = readMarkdownTable(page, 'Options');
  const byOption = new Map(options.map((row) => [row.option, row]));

  it('lists every option, and every constant default with the value the code uses', () => {
    for (const name of OPTION_NAMES) expect(byOption.has(name), name).toBe(true);
    for (const [key, value] of Object.entries({ ...DEFAULTS, ...INSTALL_DEFAULTS })) {
      expect(byOption.get(key)?.default, key).toBe(String(value));
    }
    const known = new Set([...OPTION_NAMES, ...Object.keys(DEFAULTS), ...Object.keys(INSTALL_DEFAULTS)]);
    expect(options.map((row) => row.option ?? '').filter((name) => !known.has(name))).toEqual([]);
  });

  it('the errors table matches ERROR_CODES', () => {
    expect(readMarkdownTable(page, 'Errors').map((row) => row.code)).toEqual([...ERROR_CODES]);
  });

  it('the warnings table matches WARNING_CODES', () => {
    expect(readMarkdownTable(page, 'Warnings').map((row) => row.code)).toEqual([...WARNING_CODES]);
  });
});
