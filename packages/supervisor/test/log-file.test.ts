import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RotatingLog } from '../src/log-file.js';
import { parseStoredLine } from '../src/log-line.js';
import { Harness, fixture, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

function readAllRotations(dir: string, base: string): string[] {
  const files = readdirSync(dir).filter((f) => f === base || f.startsWith(`${base}.`));
  // Oldest first: base.N … base.1, then base.
  const ordered = files.sort((a, b) => rank(b, base) - rank(a, base));
  // As the service printed them: the receive time each output line is stored with taken off.
  return ordered.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1)).map((raw) => parseStoredLine(raw).line);
}

function rank(file: string, base: string): number {
  return file === base ? 0 : Number(file.slice(base.length + 1));
}

describe('log files', () => {
  it('rotation under 10 000 numbered lines per second: no gap, no duplicate, no torn line, ≤ maxFiles + 1 files', async () => {
    const total = 30_000;
    const sup = h.supervisor({
      args: [fixture('flood.mjs'), String(total), '10000', '40'],
      logs: { maxSize: '64KB', maxFiles: 50 },
    });
    const seen: string[] = [];
    sup.on('log', (l) => seen.push(l.line));
    await sup.start();
    await waitFor(() => seen.at(-1) === 'DONE', 'the flood to finish', 60_000);
    await sup.flushLogs();
    const dir = sup.options.logDir;
    const files = readdirSync(dir).filter((f) => f.startsWith('svc-test.out.log'));
    expect(files.length).toBeLessThanOrEqual(51);
    expect(files.length).toBeGreaterThan(10); // it did rotate, many times
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(64 * 1024);
    const lines = readAllRotations(dir, 'svc-test.out.log');
    expect(lines.pop()).toBe('DONE');
    expect(lines).toHaveLength(total);
    const pad = 'x'.repeat(40);
    lines.forEach((line, i) => {
      if (line !== `line ${i + 1} ${pad}`) throw new Error(`line ${i + 1} is ${JSON.stringify(line)}`);
    });
    expect(sup.stats().droppedLogLines).toBe(0);
  });

  it('keeps at most maxFiles rotated files and drops the oldest', async () => {
    const dir = h.tempDir();
    const log = new RotatingLog({ path: join(dir, 'x.log'), maxSizeBytes: 100, maxFiles: 3, maxBufferBytes: 1 << 20 });
    for (let i = 1; i <= 100; i++) log.writeLine(`n${String(i).padStart(3, '0')}${'.'.repeat(20)}`);
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2', 'x.log.3']);
    const kept = readAllRotations(dir, 'x.log');
    expect(kept.at(-1)).toMatch(/^n100/);
    // The kept lines are the newest ones, consecutive.
    const numbers = kept.map((l) => Number(l.slice(1, 4)));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('files are 0600 in a 0700 directory whatever the umask', async () => {
    const old = process.umask(0o000);
    try {
      const sup = h.supervisor({ args: [fixture('exit-with.mjs'), '0'], readiness: { startWindow: 0 }, restart: { policy: 'never' } });
      await sup.start();
      await waitFor(() => sup.state === 'stopped', 'exit');
      await sup.flushLogs();
      expect(statSync(sup.options.logDir).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(sup.options.logDir)) {
        const st = lstatSync(join(sup.options.logDir, f));
        if (st.isFile()) expect(st.mode & 0o777, f).toBe(0o600);
      }
    } finally {
      process.umask(old);
    }
  });

  it('an existing file with loose permissions is tightened to 0600', () => {
    const dir = h.tempDir();
    writeFileSync(join(dir, 'x.log'), 'old\n', { mode: 0o666 });
    const log = new RotatingLog({ path: join(dir, 'x.log'), maxSizeBytes: 1000, maxFiles: 1, maxBufferBytes: 1000 });
    expect(statSync(join(dir, 'x.log')).mode & 0o777).toBe(0o600);
    return log.close();
  });

  it('a symlink planted at the log path is refused with ELOG_PATH and its target untouched', () => {
    const dir = h.tempDir();
    const logDir = join(dir, 'logs');
    mkdirSync(logDir, { mode: 0o700 });
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(logDir, 'svc-test.out.log'));
    expect(() => h.supervisor({ args: [fixture('notify.mjs')], logDir })).toThrow(expect.objectContaining({ code: 'ELOG_PATH' }));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('a symlink as the log directory is refused', () => {
    const dir = h.tempDir();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'logs'));
    expect(() => h.supervisor({ args: [fixture('notify.mjs')], logDir: join(dir, 'logs') })).toThrow(expect.objectContaining({ code: 'ELOG_PATH' }));
  });

  it('bounded memory: a child writing faster than the log drains is paused, not buffered without end', async () => {
    const sup = h.supervisor({ args: [fixture('flood.mjs'), '100000', '1000000', '200'], logs: { maxBuffer: '64KB', maxSize: '10MB', maxFiles: 5 } });
    let maxQueued = 0;
    let done = false;
    sup.on('log', (l) => {
      maxQueued = Math.max(maxQueued, sup.stats().logBufferedBytes);
      if (l.line === 'DONE') done = true;
    });
    await sup.start();
    await waitFor(() => done, 'the flood', 120_000);
    await sup.flushLogs();
    expect(sup.stats().droppedLogLines).toBe(0);
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(2 * 64 * 1024 + 128 * 1024);
    expect(readAllRotations(sup.options.logDir, 'svc-test.out.log').filter((l) => l.startsWith('line '))).toHaveLength(100_000);
  });
});

const canMount = process.platform === 'linux' && process.getuid?.() === 0;

describe.runIf(canMount)('disk full (a 256 KB tmpfs)', () => {
  let mnt = '';
  const outer = new Harness();
  beforeAll(() => {
    mnt = outer.tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt]);
  });
  afterAll(async () => {
    await h.cleanup();
    if (mnt && existsSync(mnt)) execFileSync('umount', ['-l', mnt]);
    await outer.cleanup();
  });

  it('the supervisor survives, counts dropped lines, reports the error, and keeps the service running', async () => {
    const sup = h.supervisor({ args: [fixture('flood.mjs'), '20000', '20000', '60'], logDir: join(mnt, 'logs'), logs: { maxSize: '10MB', maxFiles: 1 } });
    const events: Array<{ type: string; [k: string]: unknown }> = [];
    sup.on('event', (e) => events.push(e));
    let done = false;
    sup.on('log', (l) => {
      if (l.line === 'DONE') done = true;
    });
    await sup.start();
    await waitFor(() => done, 'the flood', 60_000);
    await sup.flushLogs();
    expect(sup.state).toBe('running');
    expect(sup.stats().droppedLogLines).toBeGreaterThan(0);
    expect(events.find((e) => e.type === 'log-error')).toMatchObject({ stream: 'stdout', error: 'ENOSPC' });
    // Control still works on a full disk.
    await sup.stop();
    expect(sup.state).toBe('stopped');
  });
});

describe.runIf(canMount)('a rotation the disk refuses (no inode left for the new file, a 1 MB tmpfs)', () => {
  let mnt = '';
  const outer = new Harness();
  beforeAll(() => {
    mnt = outer.tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,nr_inodes=12,mode=0700', 'tmpfs', mnt]);
  });
  afterAll(async () => {
    if (mnt && existsSync(mnt)) execFileSync('umount', ['-l', mnt]);
    await outer.cleanup();
  });

  it('drops and counts what it cannot write, and writes again as soon as the disk allows: never silently stopped', async () => {
    const path = join(mnt, 'app.log');
    const log = new RotatingLog({ path, maxSizeBytes: 1024, maxFiles: 1, maxBufferBytes: 64 * 1024 });
    const seen: string[] = [];
    log.on('write-error', (error) => seen.push(`error ${(error as NodeJS.ErrnoException).code}`));
    log.on('write-ok', () => seen.push('ok'));
    // Every inode taken: the rename of a rotation works, the new file cannot be made.
    const fillers: string[] = [];
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(mnt, `fill-${i}`), '');
        fillers.push(join(mnt, `fill-${i}`));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        break;
      }
    }
    for (let i = 0; i < 40; i++) log.writeLine(`before ${i} ${'x'.repeat(90)}`);
    await log.flush();
    expect(log.stats.rotations).toBe(1);
    expect(log.stats.droppedLines).toBeGreaterThan(0);
    expect(existsSync(path)).toBe(false);
    expect(seen).toEqual(['error ENOSPC']);

    // Room again: the next lines reach a new file, and the counts say what was lost.
    rmSync(fillers[0]!);
    const dropped = log.stats.droppedLines;
    for (let i = 0; i < 5; i++) log.writeLine(`after ${i}`);
    await log.flush();
    expect(readFileSync(path, 'utf8')).toBe(['after 0', 'after 1', 'after 2', 'after 3', 'after 4', ''].join('\n'));
    expect(log.stats.droppedLines).toBe(dropped);
    expect(log.stats.writtenLines + log.stats.droppedLines).toBe(45);
    expect(seen).toEqual(['error ENOSPC', 'ok']);
    await log.close();
  });
});

describe.runIf(canMount)('a read-only log directory', () => {
  const outer = new Harness();
  let mnt = '';
  afterAll(async () => {
    if (mnt && existsSync(mnt)) execFileSync('umount', ['-l', mnt]);
    await outer.cleanup();
  });

  it('is refused at once, saying it is read-only (not a bare errno)', () => {
    mnt = outer.tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', mnt]);
    expect(() => h.supervisor({ args: [fixture('notify.mjs')], logDir: join(mnt, 'logs') })).toThrow(
      expect.objectContaining({ code: 'ELOG_PATH', message: expect.stringContaining('cannot create directory: EROFS, the file system is read-only') }),
    );
  });
});

