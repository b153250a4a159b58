import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The built entries (the test command builds first): the default entry stays free of the Redis and
 * PostgreSQL clients, and the subpaths load from import and require with their errors branded like
 * the main entry's.
 */
const dist = path.resolve(import.meta.dirname, '../dist');
const run = (file: string, code: string) => execFileSync(process.execPath, [file === 'cjs' ? '-e' : '--input-type=module', ...(file === 'cjs' ? [code] : ['-e', code])], { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' }).trim();

describe('subpath exports', () => {
  it('the file lock entry does not load ioredis or pg', () => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      expect(text).not.toMatch(/ioredis|["']pg["']/);
    }
  });

  it('@svc/lock/redis and @svc/lock/postgres load from import and require', () => {
    expect(run('esm', "const r = await import('@svc/lock/redis'); const p = await import('@svc/lock/postgres'); console.log(typeof r.acquireLock, typeof p.acquireLock)")).toBe('function function');
    expect(run('cjs', "const r = require('@svc/lock/redis'); const p = require('@svc/lock/postgres'); console.log(typeof r.acquireLock, typeof p.acquireLock)")).toBe('function function');
  });

  it('@svc/lock/dirs gives the same directories as the main entry, and loads nothing of the lock', () => {
    const env = JSON.stringify({ SVC_HOME: '/x' });
    expect(run('esm', `const d = await import('@svc/lock/dirs'); const m = await import('@svc/lock'); const e = ${env}; console.log(d.resolveRunDir(e) === m.resolveRunDir(e), d.resolveStateDir(e), d.resolveRunDir({ XDG_RUNTIME_DIR: '/r' }))`)).toBe('true /x/state /r/svc');
    expect(run('cjs', `const d = require('@svc/lock/dirs'); console.log(d.resolveRunDir(${env}))`)).toBe('/x/run');
    // What a caller that needs only the paths pays for: the directories' few lines, not the lock.
    for (const file of ['dirs.js', 'dirs.cjs']) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      expect(text).not.toMatch(/signal-exit|acquireLock|import .* from ["']\.\//);
    }
  });

  it('an error from a backend entry is a LockError to the main entry', () => {
    const out = run(
      'esm',
      `import { isLockError } from '@svc/lock';
const { acquireLock } = await import('@svc/lock/redis');
try { await acquireLock({ name: 'x' }); } catch (e) { console.log(isLockError(e), e.code); }`,
    );
    expect(out).toBe('true EINVALID_OPTIONS');
  });
});
