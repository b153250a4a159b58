import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { whyNoSystemd } from '../../../tooling/systemd-user.js';
import { FIXTURES, SVC_BIN } from './helpers/paths.js';
import { signal } from './helpers/processes.js';
import { freePort } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';


const skipReason = whyNoSystemd();
const groups: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const pid of groups) signal(-pid);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Report {
  installApi: { code: number; stderr: string; stdout: string };
  installWorker: { code: number; stderr: string };
  afterInstall: { active: string; enabled: string; mainPid: number; daemonPids: number[]; services: string[][]; unitFiles: string[]; execStart: string };
  afterReload: { mainPid: number; restarts: Array<[string, number]> };
  slowDuringStop: { status?: number; body?: string; error?: string };
  afterLogout: { processes: number[] };
  afterLogin: { active: string; services: string[][]; mainPid: number };
  uninstallWorker: { code: number; stderr: string; services: string[][]; active: string };
  uninstallApi: { code: number; stderr: string };
  afterUninstall: { unitFiles: string[]; loadState: string; status: unknown[] };
}

it.skipIf(skipReason !== undefined)(
  `svc install against a real systemd --user: one unit for two services, started at login, reloaded, stopped with nothing left, uninstalled${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  async () => {
    const sb = createSandbox();
    const apiPort = await freePort();
    const counter = path.join(FIXTURES, 'counter.mjs');
    sb.writeConfig({
      services: {
        // The example server (drains on SIGTERM), asked for a slow answer while the unit stops.
        api: exampleService(apiPort, { env: { LOCK: '0' }, stop: { timeout: '5s' } }),
        worker: { command: process.execPath, args: [counter], stop: { timeout: '12s' } },
      },
    });
    const work = mkdtempSync(path.join(os.tmpdir(), 'svc-it-systemd-'));
    dirs.push(work);
    const child = spawn(
      'unshare',
      ['-m', '--propagation', 'private', path.join(FIXTURES, 'systemd-namespace.sh'), work, process.execPath, path.join(FIXTURES, 'systemd-install-driver.mjs'), SVC_BIN, sb.dir, sb.home, String(apiPort)],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    groups.push(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as Report;
    expect(code, `driver failed:\n${stderr}\n${JSON.stringify(report, null, 2)}`).toBe(0);

    expect(report.installApi.code, report.installApi.stderr).toBe(0);
    // The unit's daemon, started by the install, starts api itself: the command then finds it running.
    expect(report.installApi.stdout).toMatch(/^did run {2}systemctl --user enable --now svc-daemon\.service$/m);
    expect(report.installApi.stdout).toMatch(/^api is (already )?running \(pid \d+/m);
    expect(report.installWorker.code, report.installWorker.stderr).toBe(0);
    // One unit, one daemon (the unit's main process) for both services, each listed in ExecStart.
    expect(report.afterInstall).toMatchObject({ active: 'active', enabled: 'enabled', unitFiles: ['svc-daemon.service'] });
    expect(report.afterInstall.daemonPids).toEqual([report.afterInstall.mainPid]);
    expect(report.afterInstall.services).toEqual([
      ['api', 'running'],
      ['worker', 'running'],
    ]);
    expect(report.afterInstall.execStart).toContain(`"daemon" "run" "--service" "api@${sb.dir}/svc.config.yaml" "--service" "worker@${sb.dir}/svc.config.yaml"`);
    // systemctl --user reload: SIGHUP to the daemon, which reloads (here: restarts) every service; it stays.
    expect(report.afterReload.mainPid).toBe(report.afterInstall.mainPid);
    expect(report.afterReload.restarts).toEqual([
      ['api', 1],
      ['worker', 1],
    ]);
    // Logging out stops the unit: SIGTERM to the daemon alone (KillMode=mixed), which stops api
    // gracefully: the request in flight is answered. Then nothing of svc is left.
    expect(report.slowDuringStop).toEqual({ status: 200, body: `${JSON.stringify({ sleptMs: 2000 })}\n` });
    expect(report.afterLogout.processes).toEqual([]);
    // Logging in starts it again, and with it every installed service.
    expect(report.afterLogin).toMatchObject({ active: 'active', services: [['api', 'running'], ['worker', 'running']] });
    // Uninstalling one stops it and leaves the other running under the same unit.
    expect(report.uninstallWorker).toMatchObject({ code: 0, services: [['api', 'running']], active: 'active' });
    // The last one takes the unit with it.
    expect(report.uninstallApi.code, report.uninstallApi.stderr).toBe(0);
    expect(report.afterUninstall).toEqual({ unitFiles: [], loadState: 'not-found', status: [] });
  },
  240_000,
);
