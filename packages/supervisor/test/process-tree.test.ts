import { createServer } from 'node:net';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrphanGuard } from '../src/index.js';
import { Harness, fixture, parentOf, procState, recordEvents, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

/** The tree fixture supervised by another process (the built package), which the test then SIGKILLs. */
async function hostedTree() {
  const dir = h.tempDir();
  expect(existsSync(fixture('../../dist/index.js')), 'run pnpm build first: the host process imports the built package').toBe(true);
  const host = spawn(process.execPath, [fixture('host-supervisor.mjs'), join(dir, 'logs'), fixture('tree.mjs')], {
    env: { ...process.env, TREE_OUT: join(dir, 'tree.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  h.pids.push(host.pid!);
  await new Promise<void>((resolve) => host.stdout.once('data', () => resolve()));
  const tree = JSON.parse(readFileSync(join(dir, 'tree.json'), 'utf8')) as Record<string, number>;
  h.pids.push(tree.main!, tree.holder!, tree.setsid!, tree.daemon!, tree.middle!);
  return { host, tree };
}

const settled = (pid: number) => procState(pid) === 'gone' || (procState(pid) === 'zombie' && parentOf(pid) === 1);

/**
 * A process left behind may be a zombie only when its parent is PID 1 and PID 1 does not reap
 * (as in some containers, including the one these tests run in): reaping is init's job then.
 * A zombie under any other parent, or any live process, fails the test.
 */
function expectGone(pid: number, what: string): void {
  const state = procState(pid);
  if (state === 'zombie') expect(parentOf(pid), `${what} (${pid}) is a zombie not owned by init`).toBe(1);
  else expect(state, `${what} (${pid})`).toBe('gone');
}

describe.runIf(process.platform === 'linux')('stop kills the whole tree', () => {
  it('port holder, setsid grandchild and double-forked daemon all die; the port binds again', async () => {
    const dir = h.tempDir();
    const out = join(dir, 'tree.json');
    const sup = h.supervisor({ args: [fixture('tree.mjs')], env: { TREE_OUT: out }, readiness: { type: 'notify' }, stop: { timeout: 3000 } });
    await sup.start();
    const tree = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    h.pids.push(...Object.values(tree).filter((v) => v !== tree.port));
    for (const key of ['main', 'holder', 'middle', 'setsid', 'daemon']) expect(procState(tree[key]!), key).toBe('alive');
    await sup.stop();
    await waitFor(() => ['main', 'holder', 'middle', 'setsid', 'daemon'].every((k) => procState(tree[k]!) !== 'alive'), 'the tree to die', 5000);
    expect(procState(tree.main!)).toBe('gone'); // reaped by the supervisor: no zombie of ours
    for (const key of ['holder', 'middle', 'setsid', 'daemon']) expectGone(tree[key]!, key);
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(tree.port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });

  it('a crash also takes its leftovers down before the restart', async () => {
    const dir = h.tempDir();
    const out = join(dir, 'tree.json');
    const sup = h.supervisor({ args: [fixture('tree.mjs')], env: { TREE_OUT: out }, readiness: { type: 'notify' }, restart: { delay: 0 }, stop: { timeout: 2000 } });
    const events = recordEvents(sup);
    await sup.start();
    const tree = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    h.pids.push(tree.holder!, tree.setsid!, tree.daemon!);
    process.kill(tree.main!, 'SIGKILL');
    await waitFor(() => events.filter((e) => e.type === 'spawned').length >= 2, 'the restart');
    for (const key of ['holder', 'setsid', 'daemon']) expectGone(tree[key]!, key);
  });

  it('an orphan holding stdout does not block stop', async () => {
    const sup = h.supervisor({ args: [fixture('orphan-stdout.mjs')], readiness: { type: 'notify' }, stop: { timeout: 3000 } });
    const lines: string[] = [];
    sup.on('log', (l) => lines.push(l.line));
    await sup.start();
    await waitFor(() => lines.some((l) => l.startsWith('orphan ')), 'the orphan pid');
    const orphan = Number(lines.find((l) => l.startsWith('orphan '))!.split(' ')[1]);
    h.pids.push(orphan);
    const main = sup.pid!;
    await sup.stop();
    expect(sup.state).toBe('stopped');
    expect(procState(main)).toBe('gone');
    await waitFor(() => procState(orphan) !== 'alive', 'the orphan to die', 5000);
    expectGone(orphan, 'orphan');
  });

  it('SIGKILL of the supervising process: no orphan within 2 s (orphan guard)', async () => {
    const { host, tree } = await hostedTree();
    // Wait until the sampler has seen the tree once so escaped descendants are on the guard's list.
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(host.pid!, 'SIGKILL');
    const killedAt = performance.now();
    // Done when each is gone, or a zombie already handed to init (its dead parent's zombie is
    // reparented a moment after that parent is reaped).
    await waitFor(() => ['main', 'holder', 'middle', 'setsid'].every((k) => settled(tree[k]!)), 'the orphans to die', 10_000);
    const tookMs = performance.now() - killedAt;
    for (const key of ['main', 'holder', 'middle', 'setsid']) expectGone(tree[key]!, key);
    // Generous bound for a loaded machine; the guard itself acts after 1 s (TERM) and 2 s at most (KILL).
    expect(tookMs).toBeLessThan(6000);
    await waitFor(() => settled(tree.daemon!), 'the double-forked daemon to die (found by its marker)', 10_000);
  });

  it('SIGKILL of the supervising process before any sample: the guard finds the young setsid and double-forked descendants by their marker', async () => {
    const { host, tree } = await hostedTree();
    // No wait for the sampler (every 2 s by default): nothing but the marker names the escaped ones.
    process.kill(host.pid!, 'SIGKILL');
    await waitFor(() => ['main', 'holder', 'middle', 'setsid', 'daemon'].every((k) => settled(tree[k]!)), 'every process of the tree to die', 10_000);
    for (const key of ['main', 'holder', 'middle', 'setsid', 'daemon']) expectGone(tree[key]!, key);
  });

  it('a closed guard has exited when close() resolves, and kills nothing', async () => {
    const guard = createOrphanGuard();
    const keep = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore', detached: true });
    h.pids.push(keep.pid!);
    guard.addPid(keep.pid!);
    guard.addGroup(keep.pid!);
    expect(procState(guard.pid!)).toBe('alive');
    await guard.close();
    // Gone, or a zombie its parent (this process) has not reaped yet: not running either way.
    expect(procState(guard.pid!)).not.toBe('alive');
    await new Promise((r) => setTimeout(r, 300));
    expect(procState(keep.pid!)).toBe('alive');
  });
});
