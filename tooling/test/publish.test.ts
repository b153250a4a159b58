import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * Every published package resolves from ESM and CJS, with types, as packed: publint --strict and
 * @arethetypeswrong/cli --pack, run on each built package. The test command builds first.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const published = readdirSync(path.join(root, 'packages'))
  .map((dir) => path.join(root, 'packages', dir))
  .filter((dir) => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { private?: boolean };
    return !pkg.private;
  });

describe.concurrent.each(published.map((dir) => [path.basename(dir), dir]))('package %s', (_name, dir) => {
  it('passes publint --strict', async () => {
    const { stdout } = await run('npx', ['publint', '--strict'], { cwd: dir });
    expect(stdout).toMatch(/All good/);
  });

  it('passes attw --pack (ESM, CJS and bundler resolution with types)', async () => {
    const result = await run('npx', ['attw', '--pack', '.', '--profile', 'node16', '--format', 'json'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? '', failed: error.code }),
    );
    const report = JSON.parse(result.stdout) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    // The packages need Node >= 22, which always reads `exports`: node10-style resolution (no
    // `exports`, so no subpaths) is not a way they can be loaded. --profile node16 drops it from
    // the exit code; the JSON still lists it.
    expect(report.analysis.problems.filter((p) => p.resolutionKind !== 'node10')).toEqual([]);
    expect('failed' in result ? result.failed : 0).toBe(0);
  });
});

it('finds the published packages', () => {
  expect(published.map((dir) => path.basename(dir))).toContain('lock');
});
