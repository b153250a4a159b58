import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileWatch, type FileWatch } from '../src/watch.js';
import { globToRegExp, ignoreRules, isIgnored, watchedPath } from '../src/watch-ignore.js';
import { readWatch, type ResolvedWatch } from '../src/watch-options.js';
import { OptionChecker } from '../src/option-checks.js';
import { Harness, waitFor } from './helpers.js';

/*
 * The file watch on real directories and real fs events: bursts become one call after the quiet
 * period, ignored trees are never watched, and the cap on directories holds. "Exactly one" is
 * counted after a quiet period several times the debounce (no second call can still be on its
 * way by then), never by timing the first.
 */

const h = new Harness();
const watches: FileWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) w.close();
  await h.cleanup();
});

interface Seen {
  bursts: Array<{ first: string; paths: number }>;
  capped: Array<{ skipped: string; maxDirs: number }>;
  failed: Array<{ path: string; code: string | undefined }>;
}

function watchDir(cwd: string, extra: Partial<ResolvedWatch> = {}): { watch: FileWatch; seen: Seen } {
  const c = new OptionChecker();
  const options = { ...readWatch(c, { debounce: 300 }, { cwd, logDir: join(cwd, '.svc-logs'), runDir: join(cwd, '.svc-logs') })!, ...extra };
  expect(c.problems).toEqual([]);
  const seen: Seen = { bursts: [], capped: [], failed: [] };
  const watch = createFileWatch(options, {
    settled: (first, paths) => seen.bursts.push({ first: first.relative, paths }),
    capped: (skipped, maxDirs) => seen.capped.push({ skipped: skipped.relative, maxDirs }),
    failed: (target, error) => seen.failed.push({ path: target.relative, code: error.code }),
  });
  watches.push(watch);
  return { watch, seen };
}

/** Waits a quiet period well past the debounce: any call still due has been made by then. */
async function quiet(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

describe('createFileWatch', () => {
  it('one change is one call naming the path; 200 writes in a burst are one call too', async () => {
    const dir = h.tempDir();
    mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
    const { watch, seen } = watchDir(dir);
    await watch.ready;
    expect(watch.dirs).toBe(3);

    writeFileSync(join(dir, 'src', 'lib', 'a.js'), 'one');
    await waitFor(() => seen.bursts.length > 0, 'the first change');
    await quiet();
    expect(seen.bursts).toEqual([{ first: 'src/lib/a.js', paths: 1 }]);

    for (let i = 0; i < 200; i++) writeFileSync(join(dir, 'src', `f${i % 50}.js`), String(i));
    await waitFor(() => seen.bursts.length > 1, 'the burst to settle');
    await quiet();
    expect(seen.bursts).toHaveLength(2);
    expect(seen.bursts[1]!.first).toBe('src/f0.js');
    expect(seen.bursts[1]!.paths).toBe(50);
  });

  it('changes under node_modules, .git, an ignored glob or svc’s own log directory are not seen; a new directory is watched as it appears', async () => {
    const dir = h.tempDir();
    for (const sub of ['node_modules/pkg', '.git/objects', 'dist', '.svc-logs']) mkdirSync(join(dir, sub), { recursive: true });
    const { watch, seen } = watchDir(dir, { ignore: ['dist', '*.log'] });
    await watch.ready;
    // Only the project directory itself: the ignored trees were never walked.
    expect(watch.dirs).toBe(1);

    writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), 'x');
    writeFileSync(join(dir, '.git', 'objects', 'ab'), 'x');
    writeFileSync(join(dir, 'dist', 'bundle.js'), 'x');
    writeFileSync(join(dir, 'debug.log'), 'x');
    writeFileSync(join(dir, '.svc-logs', 'web.out.log'), 'x');
    await quiet();
    expect(seen.bursts).toEqual([]);

    mkdirSync(join(dir, 'routes'));
    await waitFor(() => seen.bursts.length === 1, 'the new directory');
    await waitFor(() => watch.dirs === 2, 'the new directory to be watched');
    writeFileSync(join(dir, 'routes', 'users.js'), 'x');
    await waitFor(() => seen.bursts.length === 2, 'a change in the new directory');
    expect(seen.bursts[1]!.first).toBe('routes/users.js');

    // Removed, it is forgotten.
    rmSync(join(dir, 'routes'), { recursive: true });
    await waitFor(() => watch.dirs === 1, 'the removed directory to be forgotten');
  });

  it('a file asked for by name is watched through its directory, its neighbours not', async () => {
    const dir = h.tempDir();
    writeFileSync(join(dir, 'server.js'), 'v1');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const { watch, seen } = watchDir(dir, { paths: ['server.js'], roots: [join(dir, 'server.js')] });
    await watch.ready;
    writeFileSync(join(dir, 'notes.txt'), 'y');
    await quiet();
    expect(seen.bursts).toEqual([]);
    writeFileSync(join(dir, 'server.js'), 'v2');
    await waitFor(() => seen.bursts.length === 1, 'the change of server.js');
    expect(seen.bursts[0]!.first).toBe('server.js');
  });

  it('watches at most maxDirs directories and says which was left out; a missing path is said too', async () => {
    const dir = h.tempDir();
    for (let i = 0; i < 30; i++) mkdirSync(join(dir, `d${String(i).padStart(2, '0')}`, 'inner'), { recursive: true });
    const { watch, seen } = watchDir(dir, { maxDirs: 10, roots: [dir, join(dir, 'missing')], paths: ['.', 'missing'] });
    await watch.ready;
    expect(watch.dirs).toBe(10);
    expect(watch.isCapped).toBe(true);
    expect(seen.capped).toHaveLength(1);
    expect(seen.capped[0]!.maxDirs).toBe(10);
    expect(seen.capped[0]!.skipped).toMatch(/^d\d\d(\/inner)?$/);
    expect(seen.failed).toEqual([{ path: 'missing', code: 'ENOENT' }]);
    // A directory made past the cap is not watched either.
    mkdirSync(join(dir, 'late'));
    await waitFor(() => seen.bursts.length === 1, 'the change at the top');
    expect(watch.dirs).toBe(10);
  });

  it('close() drops a burst that has not settled', async () => {
    const dir = h.tempDir();
    const { watch, seen } = watchDir(dir, { debounceMs: 1_000 });
    await watch.ready;
    writeFileSync(join(dir, 'a.js'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 200));
    watch.close();
    await quiet();
    expect(seen.bursts).toEqual([]);
  });
});

describe('ignore patterns', () => {
  it('reads *, ? and ** as the docs say', () => {
    expect(globToRegExp('*.log').test('a.log')).toBe(true);
    expect(globToRegExp('*.log').test('dir/a.log')).toBe(false);
    expect(globToRegExp('src/generated/**').test('src/generated')).toBe(true);
    expect(globToRegExp('src/generated/**').test('src/generated/a/b.ts')).toBe(true);
    expect(globToRegExp('src/generated/**').test('src/generatedx')).toBe(false);
    expect(globToRegExp('**/*.tmp').test('a.tmp')).toBe(true);
    expect(globToRegExp('**/*.tmp').test('x/y/a.tmp')).toBe(true);
    expect(globToRegExp('data/?.db').test('data/a.db')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('./tmp/').test('tmp')).toBe(true);
  });

  it('names are matched below the watched path it is under: a path asked for inside node_modules is watched', () => {
    const cwd = '/srv/app';
    const rules = ignoreRules([], ['node_modules'], []);
    expect(isIgnored(rules, watchedPath('/srv/app/node_modules/x/a.js', cwd), '/srv/app')).toBe(true);
    expect(isIgnored(rules, watchedPath('/srv/app/node_modules/my-lib/a.js', cwd), '/srv/app/node_modules/my-lib')).toBe(false);
  });
});
