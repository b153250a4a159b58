import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whyNoSystemd } from '../../../tooling/systemd-user.js';
import { HOSTILE_ENV, HOSTILE_NAME, fixtures, tempDirs } from './helpers.js';

const dist = path.join(import.meta.dirname, '..', 'dist', 'index.js');

const skipReason = whyNoSystemd();
const dirs = tempDirs();
const pidsToKill: number[] = [];

afterAll(async () => {
  for (const pid of pidsToKill) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group already exited, which is the normal case.
    }
  }
  await dirs.cleanup();
});

function splitNul(base64: string): string[] {
  const bytes = Buffer.from(base64, 'base64');
  const parts = bytes.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

describe('a real systemd --user', () => {
  it.skipIf(skipReason !== undefined)(
    `installs, starts, stops and removes a hostile service exactly${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      expect(existsSync(dist), `${dist} is missing: run pnpm build in packages/installers first`).toBe(true);
      const work = await dirs.make('svc-systemd-real-');
      // Hostile directory names: space, $, %, quotes, Unicode and a trailing backslash.
      const entryDir = path.join(work, `entry $HOME %n "ü" \\`);
      const workingDirectory = path.join(work, `work dir $x %h 'q' \\`);
      mkdirSync(entryDir, { recursive: true });
      mkdirSync(workingDirectory, { recursive: true });
      const svcEntry = path.join(entryDir, 'svc entry;#.cjs');
      copyFileSync(path.join(fixtures, 'record-service.cjs'), svcEntry);
      const configPath = path.join(work, 'cfg %n $X', 'svc.config ;#=.json');
      const lingerDir = path.join(work, 'linger');
      mkdirSync(lingerDir);

      const input = {
        name: HOSTILE_NAME,
        description: `hostile "desc" %n $X ; # = \\`,
        nodePath: process.execPath,
        svcEntry,
        configPath,
        workingDirectory,
        env: HOSTILE_ENV,
        stopTimeoutMs: 3000,
        system: false,
        lingerDir,
        platform: 'systemd',
      };
      const inputFile = path.join(work, 'input.json');
      writeFileSync(inputFile, JSON.stringify(input));

      const child = spawn(
        'unshare',
        ['-m', '--propagation', 'private', path.join(fixtures, 'systemd-user-session.sh'), work, process.execPath, path.join(fixtures, 'systemd-driver.mjs'), inputFile],
        { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      pidsToKill.push(child.pid!);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, `session failed:\n${stderr}`).toBe(0);
      const report = JSON.parse(stdout);

      // argv, byte for byte: what systemd started is exactly node, the entry, run, name, --config.
      // The name starts with "-", so it comes after "--" (otherwise `svc run` would read it as a flag).
      expect(splitNul(report.record.cmdline)).toEqual([process.execPath, svcEntry, 'run', '--config', configPath, '--', HOSTILE_NAME]);
      expect(report.record.cwd).toBe(workingDirectory);
      // Environment, byte for byte: every given variable arrives once, with exactly its value.
      const environ = splitNul(report.record.environ);
      for (const [key, value] of Object.entries(HOSTILE_ENV)) {
        expect(environ.filter((entry) => entry.startsWith(`${key}=`)), key).toEqual([`${key}=${value}`]);
      }
      expect(Buffer.from(report.record.environ, 'base64').includes(Buffer.from(`UNICODE=${HOSTILE_ENV.UNICODE}\0`, 'utf8'))).toBe(true);

      expect(report.install.changed).toBe(true);
      expect(report.install.warnings).toContain('WLINGER_OFF');
      expect(report.afterStart).toMatchObject({ isInstalled: true, isEnabled: true, active: 'active', mainPid: report.record.pid });
      // `systemctl --user reload` reaches the supervisor as one SIGHUP; it stays the main process.
      expect(report.afterReload).toEqual({ code: 0, hups: 1, active: 'active', mainPid: report.record.pid });
      // Same input again: nothing written, no reload.
      expect(report.reinstall.changed).toBe(false);
      expect(report.reinstall.commands.some((c: string) => c.includes('daemon-reload'))).toBe(false);
      expect(report.afterDisable).toEqual({ isEnabled: false, active: 'inactive', recordedPidAlive: false });
      expect(report.afterEnable).toEqual({ isEnabled: true, active: 'active' });
      // Nothing left behind: no unit file, no default.target.wants link, no unit known to systemd.
      expect(report.uninstall.changed).toBe(true);
      expect(report.afterUninstall.isInstalled).toBe(false);
      expect(report.afterUninstall.isEnabled).toBe(false);
      expect(report.afterUninstall.unitDirFiles.filter((f: string) => f.includes('svc-'))).toEqual([]);
      expect(report.afterUninstall.listed).toBe('');
      expect(report.afterUninstall.loadState).toBe('not-found');
    },
    180_000,
  );
});
