import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, acquireLockSync, readLock, type LockHeldError } from '../src/index.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const lockPath = () => path.join(dir, 'api.lock');
const age = (file: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  utimesSync(file, then, then);
};

const damaged: Array<[string, string]> = [
  ['an empty record', ''],
  ['a truncated record', '{"version":1,"name":"api","pid":12'],
  ['a garbage record', '\u0000\u00ff\u0013binary junk'],
  ['a record of another version', JSON.stringify({ version: 99, name: 'api', pid: 1 })],
  ['a record with a field of the wrong type', JSON.stringify({ version: 1, name: 'api', pid: 'one', processStartTime: null, bootId: null, hostname: 'h', startedAt: 'x', instanceId: 'i', metadata: {} })],
  ['a JSON array', '[]'],
];

describe('damaged metadata', () => {
  it.each(damaged)('%s: while fresh it blocks with a clear ELOCKED; readLock names the problem', async (_label, text) => {
    mkdirSync(lockPath());
    writeFileSync(path.join(lockPath(), 'holder.json'), text);
    const error = (await acquireLock({ dir, name: 'api' }).catch((e: unknown) => e)) as LockHeldError;
    expect(error.code).toBe('ELOCKED');
    expect(error.holder).toBeNull();
    expect(error.message).toMatch(/unreadable/);
    const status = await readLock({ dir, name: 'api' });
    expect(status).toMatchObject({ state: 'held', holder: null, liveness: 'unreadable-fresh', problem: { code: 'EBAD_METADATA' } });
    // Nothing was changed.
    expect(readFileSync(path.join(lockPath(), 'holder.json'), 'utf8')).toBe(text);
  });

  it.each(damaged)('%s: once older than staleMs it is taken over and the damaged record is kept beside', async (_label, text) => {
    mkdirSync(lockPath());
    writeFileSync(path.join(lockPath(), 'holder.json'), text);
    age(path.join(lockPath(), 'holder.json'), 60_000);
    const handle = await acquireLock({ dir, name: 'api', staleMs: 10_000 });
    const kept = readdirSync(dir).filter((f) => f.startsWith('api.lock.unreadable-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!, 'holder.json'), 'utf8')).toBe(text);
    await handle.release();
  });

  it('an empty lock directory (a holder that died before writing its record) is taken at once', async () => {
    // Our own acquirers never leave one: records are written before the directory gets its name.
    // An empty one has no holder to protect, and rename(2) replaces it atomically.
    mkdirSync(lockPath());
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ liveness: 'unreadable-fresh', problem: { code: 'EBAD_METADATA' } });
    const handle = await acquireLock({ dir, name: 'api' });
    expect(handle.record.pid).toBe(process.pid);
    await handle.release();
  });

  it('a lock directory with no record but other entries is judged by its age', async () => {
    mkdirSync(path.join(lockPath(), 'something'), { recursive: true });
    await expect(acquireLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCKED', holder: null });
    age(lockPath(), 60_000);
    const handle = await acquireLock({ dir, name: 'api' });
    expect(readdirSync(dir).filter((f) => f.startsWith('api.lock.unreadable-'))).toHaveLength(1);
    await handle.release();
  });

  it('a record that is a symlink is never followed', async () => {
    mkdirSync(lockPath());
    const outside = path.join(dir, 'outside.json');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, path.join(lockPath(), 'holder.json'));
    expect(await readLock({ dir, name: 'api' })).toMatchObject({ state: 'held', problem: { code: 'EBAD_METADATA' } });
    expect(readFileSync(outside, 'utf8')).toBe('secret');
  });
});

describe('the lock path is not a lock directory', () => {
  it('a symlink at the lock path is refused with ELOCK_PATH and left untouched', async () => {
    const target = path.join(dir, 'elsewhere');
    mkdirSync(target);
    symlinkSync(target, lockPath());
    await expect(acquireLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCK_PATH', path: lockPath() });
    expect(() => acquireLockSync({ dir, name: 'api' })).toThrow(/symlink/);
    await expect(readLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCK_PATH' });
    expect(readlinkSync(lockPath())).toBe(target);
    expect(readdirSync(target)).toEqual([]);
  });

  it('a regular file at the lock path is refused with ELOCK_PATH and left untouched', async () => {
    writeFileSync(lockPath(), 'precious');
    await expect(acquireLock({ dir, name: 'api' })).rejects.toMatchObject({ code: 'ELOCK_PATH' });
    expect(readFileSync(lockPath(), 'utf8')).toBe('precious');
  });

  it('a lock directory that is a symlink is refused', async () => {
    const real = path.join(dir, 'real');
    mkdirSync(real);
    symlinkSync(real, path.join(dir, 'link'));
    await expect(acquireLock({ dir: path.join(dir, 'link', 'x'), name: 'api' })).resolves.toBeDefined();
    writeFileSync(path.join(dir, 'file'), '');
    await expect(acquireLock({ dir: path.join(dir, 'file'), name: 'api' })).rejects.toMatchObject({ code: 'ELOCK_DIR' });
  });
});

describe('directories that cannot be written', () => {
  // Tests run as root, which ignores permission bits, so these use real mounts: a read-only tmpfs
  // and a full one.
  const mounts: string[] = [];
  afterEach(() => {
    for (const mount of mounts.splice(0)) execFileSync('umount', [mount]);
  });

  it('a read-only directory gives ELOCK_DIR naming the reason', async () => {
    const ro = path.join(dir, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    mounts.push(ro);
    const error = await acquireLock({ dir: ro, name: 'api' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ELOCK_DIR', path: ro });
    expect((error as Error).message).toMatch(/read-only|not writable/);
  });

  it('a full disk gives ELOCK_DIR and leaves no half-written lock', async () => {
    const full = path.join(dir, 'full');
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,nr_inodes=64', 'tmpfs', full]);
    mounts.push(full);
    // Fill every block.
    try {
      writeFileSync(path.join(full, 'fill'), Buffer.alloc(1024 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const error = await acquireLock({ dir: full, name: 'api' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ELOCK_DIR' });
    expect((error as Error).message).toMatch(/disk is full/);
    expect(readdirSync(full)).toEqual(['fill']);
    expect(existsSync(path.join(full, 'api.lock'))).toBe(false);
  });
});

describe('invalid names and options', () => {
  it.each([
    ['empty', ''],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['dot-dot', '..'],
    ['a traversal', '../../etc/passwd'],
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['a leading dot', '.hidden'],
    ['over 200 bytes', 'x'.repeat(201)],
    ['over 200 bytes of UTF-8', 'é'.repeat(101)],
    ['not a string', 42],
  ])('a name with %s is refused with EINVALID_NAME before anything is created', async (_label, name) => {
    await expect(acquireLock({ dir, name: name as string })).rejects.toMatchObject({ code: 'EINVALID_NAME' });
    expect(() => acquireLockSync({ dir, name: name as string })).toThrow(expect.objectContaining({ code: 'EINVALID_NAME' }));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('accepts a 200-byte name', async () => {
    const handle = await acquireLock({ dir, name: 'x'.repeat(200) });
    await handle.release();
  });

  it.each([
    ['heartbeatMs', { heartbeatMs: -1 }],
    ['heartbeatMs', { heartbeatMs: 1.5 }],
    ['staleMs', { heartbeatMs: 1000, staleMs: 1500 }],
    ['waitMs', { waitMs: -5 }],
    ['metadata', { metadata: [] }],
    ['metadata', { metadata: { self: null as unknown } }],
    ['onCompromised', { onCompromised: 'yes' }],
  ])('invalid %s is refused with EINVALID_OPTIONS naming it', async (option, extra) => {
    const options = { dir, name: 'api', ...extra } as Record<string, unknown>;
    if (option === 'metadata' && !Array.isArray((extra as { metadata?: unknown }).metadata)) {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      options.metadata = cyclic;
    }
    const error = await acquireLock(options as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EINVALID_OPTIONS', option });
    expect((error as Error).message).toContain(option);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps lstat of the lock dir sane after all of the above', () => {
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });
});
