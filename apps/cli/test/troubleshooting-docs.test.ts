import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADHOC_PROJECT, daemonPaths, projectDirs, serviceLockName, serviceLogFile } from '@svc/supervisor/client';
import { describe, expect, it } from 'vitest';
import { readMarkdownTable } from '../../../tooling/docs-table.js';
import { ERROR_CODES } from '../src/errors.js';

const page = path.resolve(import.meta.dirname, '../../../docs/guides/troubleshooting.md');

describe('docs/guides/troubleshooting.md is in step with the CLI', () => {
  it('the error table lists exactly the CLI’s own codes, each with a fix and a command that shows the cause', () => {
    const rows = readMarkdownTable(page, 'Error codes');
    expect(rows.map((row) => row.code).sort()).toEqual([...ERROR_CODES].sort());
    for (const row of rows) {
      expect(row.fix, row.code).not.toBe('');
      expect(row['shows the cause'], row.code).toMatch(/\S/);
    }
  });

  it('the layout it shows is where the daemon puts its files', () => {
    const text = readFileSync(page, 'utf8');
    // Every path below is made by @svc/supervisor's daemon-paths.ts; shown relative to the run or
    // state directory, with the page's placeholders for the project and the service.
    const paths = daemonPaths({ SVC_HOME: '/h' });
    const inState = (file: string) => path.relative(paths.stateDir, file);
    const shown = [
      path.relative(paths.runDir, paths.socketPath),
      inState(paths.logFile),
      inState(paths.stateFile),
      `locks/${paths.lockName}.lock`,
      `locks/${serviceLockName('<project>', '<name>')}.lock`,
      ...(['stdout', 'stderr', 'events'] as const).map((stream) => inState(serviceLogFile(paths, '<project>', '<name>', stream))),
      path.relative(paths.runDir, path.join(projectDirs(paths, '<project>').runDir, '<name>.notify.sock')),
    ];
    for (const file of shown) expect(text, file).toContain(file);
    expect(paths.runDir).toBe('/h/run');
    expect(paths.stateDir).toBe('/h/state');
    expect(text).toContain('`$SVC_HOME/run`');
    expect(text).toContain('`$SVC_HOME/state`');
    expect(text).toContain(`\`${ADHOC_PROJECT}\``);
  });
});
