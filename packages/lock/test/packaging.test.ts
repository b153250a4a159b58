import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The published tarball, installed in a project outside the workspace, works from require() and
 * from import. Needs the package built (the test command builds first) and pnpm on PATH.
 */
const packageDir = path.resolve(import.meta.dirname, '..');
let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'svc-lock-consumer-'));
  execFileSync('pnpm', ['pack', '--pack-destination', project], { cwd: packageDir, stdio: 'pipe' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`], { cwd: project, stdio: 'pipe' });
}, 180_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const script = (body: string) => `
const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'c-'));
${body}
`;

describe('the packed @svc/lock', () => {
  it('ships only dist and package metadata', () => {
    const listing = execFileSync('tar', ['-tzf', readdirSync(project).find((f) => f.endsWith('.tgz'))!], { cwd: project, encoding: 'utf8' });
    const files = listing.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files.every((f) => f.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(f))).toBe(true);
    expect(files).toContain('dist/index.cjs');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
  });

  it('works from require()', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', script(`const { acquireLockSync, isLockError } = require('@svc/lock');
const h = acquireLockSync({ dir, name: 'cjs' });
try { acquireLockSync({ dir, name: 'cjs' }); } catch (e) { console.log(isLockError(e), e.code); }
h.releaseSync();`)],
      { cwd: project, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('true ELOCKED');
  });

  it('works from import', () => {
    const file = path.join(project, 'esm.mjs');
    writeFileSync(
      file,
      `import { acquireLock, readLock } from '@svc/lock';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
const dir = mkdtempSync(path.join(tmpdir(), 'e-'));
const h = await acquireLock({ dir, name: 'esm' });
console.log((await readLock({ dir, name: 'esm' })).state);
await h.release();
console.log((await readLock({ dir, name: 'esm' })).state);`,
    );
    expect(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }).trim()).toBe('held\nfree');
  });

  it('an error from the CJS copy is recognised by the ESM copy (brand, not instanceof)', () => {
    const file = path.join(project, 'mixed.mjs');
    writeFileSync(
      file,
      `import { createRequire } from 'node:module';
import { isLockError, acquireLockSync } from '@svc/lock';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
const cjs = createRequire(import.meta.url)('@svc/lock');
const dir = mkdtempSync(path.join(tmpdir(), 'm-'));
const h = acquireLockSync({ dir, name: 'x' });
try { cjs.acquireLockSync({ dir, name: 'x' }); } catch (e) { console.log(isLockError(e), e instanceof Error); }
h.releaseSync();`,
    );
    expect(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' }).trim()).toBe('true true');
  });
});
