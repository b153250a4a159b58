import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessTree } from '../src/tree-kill.js';
import { Harness, NODE, fixture, parentOf, procState, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

/** Starts the tree fixture detached (as the supervisor does), with a marker in its environment. */
async function startTree(marker: string) {
  const out = join(h.tempDir(), 'tree.json');
  const [name, value] = marker.split('=') as [string, string];
  const root = spawn(NODE, [fixture('tree.mjs')], { env: { ...process.env, TREE_OUT: out, [name]: value }, detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  h.pids.push(root.pid!);
  await new Promise<void>((resolve) => root.on('message', () => resolve()));
  const tree = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
  h.pids.push(tree.holder!, tree.middle!, tree.setsid!, tree.daemon!);
  return { root, tree };
}

const gone = (pid: number) => procState(pid) === 'gone' || (procState(pid) === 'zombie' && parentOf(pid) === 1);

describe.runIf(process.platform === 'linux')('tree-kill', () => {
  it('finds every process of the tree: its group, a setsid grandchild, a double-forked daemon (by the marker)', async () => {
    const marker = `SVC_INSTANCE_ID=tree${process.pid}${Date.now()}`;
    const { root, tree } = await startTree(marker);
    const processTree = new ProcessTree(root.pid!, marker, null);
    const found = new Set(processTree.members('full').map((p) => p.pid));
    for (const key of ['main', 'holder', 'middle', 'setsid', 'daemon']) expect(found.has(tree[key]!), key).toBe(true);
    // The cheap walk follows child links only: the double-forked daemon (reparented to init) is
    // found again because the full look above remembered it.
    const walked = new Set(processTree.members('walk').map((p) => p.pid));
    expect(walked.has(tree.daemon!)).toBe(true);
    processTree.signal('SIGKILL');
    await waitFor(() => ['main', 'holder', 'middle', 'setsid', 'daemon'].every((k) => gone(tree[k]!)), 'the tree to die', 5_000);
  });

  it('after the root exited, sweep kills what it left behind, SIGKILL for what ignores the stop signal', async () => {
    const marker = `SVC_INSTANCE_ID=sweep${process.pid}${Date.now()}`;
    const { root, tree } = await startTree(marker);
    const processTree = new ProcessTree(root.pid!, marker, null);
    processTree.members('full');
    process.kill(root.pid!, 'SIGKILL');
    await new Promise((resolve) => root.once('exit', resolve));
    processTree.rootExited();
    expect(processTree.isAlive()).toBe(true);
    const kills: number[] = [];
    // SIGCONT is ignored by everything: only the SIGKILL after the timeout ends them.
    await processTree.sweep({ signal: 'SIGCONT', timeoutMs: 300, now: () => performance.now(), onKill: () => kills.push(1) });
    expect(kills).toEqual([1]);
    expect(processTree.isAlive()).toBe(false);
    for (const key of ['holder', 'middle', 'setsid', 'daemon']) expect(gone(tree[key]!), key).toBe(true);
  });

  it('a pid reused by another process is not part of the tree', async () => {
    const marker = `SVC_INSTANCE_ID=reuse${process.pid}${Date.now()}`;
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    h.pids.push(stranger.pid!);
    const { root } = await startTree(marker);
    const processTree = new ProcessTree(root.pid!, marker, null);
    expect(processTree.members('full').map((p) => p.pid)).not.toContain(stranger.pid);
  });
});
