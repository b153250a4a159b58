import { chmodSync, chownSync, copyFileSync, linkSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { asRoot, NOBODY, reachable } from './helpers/other-user.js';
import { SVC_BIN } from './helpers/paths.js';
import { describe, isAlive, processesOf, readProc, signal } from './helpers/processes.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * A daemon of an unprivileged user whose service ran setuid programs: their processes cannot have
 * their environment read by that user (so no marker finds them) and one of them cannot even be
 * signalled. Needs root to make the setuid copies and to run svc as `nobody` (CI runs as root),
 * like logs-disk-full.test.ts needs it to mount.
 */
const made: string[] = [];
const restore: Array<() => void> = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const undo of restore.splice(0)) undo();
});

it.runIf(asRoot)(
  'a daemon killed while its service ran setuid programs in their own sessions: what it can signal is ended, what it cannot is named by svc status',
  async () => {
    const bin = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-setuid-')));
    made.push(bin);
    chmodSync(bin, 0o755);
    // Root-owned, setuid: run by nobody, `sleep` keeps nobody as its real user (so nobody may signal
    // it, but not read its environment); `setpriv` makes its child root through and through.
    copyFileSync('/bin/sleep', path.join(bin, 'suid-sleep'));
    copyFileSync('/usr/bin/setpriv', path.join(bin, 'suid-setpriv'));
    for (const file of ['suid-sleep', 'suid-setpriv']) chmodSync(path.join(bin, file), 0o4755);
    // This Node may sit where nobody cannot reach it (under /root): the same binary, by a path nobody can.
    const node = path.join(bin, 'node');
    try {
      linkSync(process.execPath, node);
    } catch {
      copyFileSync(process.execPath, node);
    }

    restore.push(reachable(SVC_BIN));
    const userHome = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'svc-it-nobody-')));
    made.push(userHome);

    const sb = createSandbox({ svc: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', node, SVC_BIN], env: { HOME: userHome } });
    for (const dir of [sb.home, sb.dir, userHome]) chownSync(dir, NOBODY, NOBODY);
    sb.writeConfig({
      services: {
        esc: {
          command: 'sh',
          // Spawned after svc start and svc status have looked at the service: found at the daemon's
          // death or not at all.
          args: ['-c', `(sleep 2; setsid ${bin}/suid-sleep 1104) & (sleep 2; setsid ${bin}/suid-setpriv --reuid=0 --regid=0 --clear-groups sleep 1105) & exec sleep 1103`],
          restart: { policy: 'never' },
        },
      },
    });
    await sb.ok(['start', 'esc']);
    const item = (await sb.item('esc'))!;
    const byArgs = (args: string) => processesOf(sb.home).find((p) => p.cmdline.join(' ').endsWith(args))?.pid;
    await waitUntil('both setuid programs to run', () => byArgs('suid-sleep 1104') !== undefined && byArgs('sleep 1105') !== undefined);
    const [main, escaped, rooted] = [item.pid!, byArgs('suid-sleep 1104')!, byArgs('sleep 1105')!];
    // Both left the service's session and group, and neither environment is readable by nobody.
    for (const pid of [escaped, rooted]) expect(readProc(pid)!.sid).toBe(pid);

    signal(item.supervisorPid!, 'SIGKILL');
    await waitUntil('the daemon to die', () => !isAlive(item.supervisorPid!), { timeoutMs: 10_000 });
    // Ended by the guard although no marker finds it: it descends from the service.
    await waitUntil('the service and its setuid child to be ended', () => !isAlive(main) && !isAlive(escaped), {
      timeoutMs: 10_000,
      describe: () => describe(processesOf(sb.home)),
    });
    expect(isAlive(rooted)).toBe(true);

    // Told, not silent: the process svc could not end is named, with its user, by svc status
    // (no daemon runs now: read from the state file and the guard's report).
    await waitUntil('svc status to name the process it could not end', async () => ((await sb.item('esc'))?.failure ?? '').includes('could not be ended'), { timeoutMs: 10_000 });
    const dead = (await sb.item('esc'))!;
    expect(dead.state).toBe('crashed');
    expect(dead.failure).toContain(`1 of its processes could not be ended when its daemon died and still run as another user (pids ${rooted} (uid 0)): svc cannot signal them; end them as that user or root (kill ${rooted})`);
    expect(dead.failure).not.toContain(String(escaped));
    // The same through a new daemon (one started by another service's start).
    sb.writeConfig({
      services: {
        esc: { command: 'sleep', args: ['1'] },
        other: { command: 'sleep', args: ['1000'] },
      },
    });
    await sb.ok(['start', 'other']);
    expect((await sb.item('esc'))!.failure).toContain(`still run as another user (pids ${rooted} (uid 0))`);

    signal(rooted, 'SIGKILL');
    await waitUntil('the root process to be gone', () => !isAlive(rooted));
    expect((await sb.item('esc'))!.failure ?? '').not.toContain('another user');
    await sb.ok(['stop', '--all']);
  },
);
