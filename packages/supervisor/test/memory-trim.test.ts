import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDaemon, createDaemon, type Daemon } from '../src/index.js';
import { loadMallocTrim, MemoryTrimmer } from '../src/memory-trim.js';
import { Harness, NODE, fixture } from './helpers.js';

/*
 * The daemon gives back the free memory glibc keeps (memory-trim.ts). Real processes and the real
 * allocator: a process that freed 100 MB holds them until malloc_trim runs.
 */

const h = new Harness();
const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.close();
  await h.cleanup();
});

const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
const MB = 1024 * 1024;

describe('malloc_trim', () => {
  it('a process that freed 100 MB keeps them in its RSS until trimmed, then gives them back (glibc); elsewhere it says why there is none', () => {
    if (process.platform !== 'linux' || glibc === undefined) {
      expect(loadMallocTrim()).toMatch(/not Linux|no malloc_trim here/);
      return;
    }
    const module = fileURLToPath(new URL('../src/memory-trim.ts', import.meta.url));
    const run = spawnSync(NODE, ['--expose-gc', fixture('malloc-churn.mjs'), module], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const { base, freed, trimmed } = JSON.parse(run.stdout) as { base: number; freed: number; trimmed: number };
    // Freed, not given back: glibc keeps it for the next allocation.
    expect(freed - base).toBeGreaterThan(50 * MB);
    // Trimmed: back near where it started.
    expect(freed - trimmed).toBeGreaterThan(50 * MB);
  });

  it('the trimmer counts what it does, and where there is no malloc_trim it stops and says why, throwing nothing', () => {
    const real = new MemoryTrimmer(0);
    real.trim();
    real.trim();
    if (glibc !== undefined) {
      expect(real).toMatchObject({ trims: 2, unavailable: null });
      expect(real.seconds).toBeGreaterThan(0);
    } else {
      expect(real.trims).toBe(0);
      expect(real.unavailable).toMatch(/not Linux|no malloc_trim here/);
    }

    // musl's C library has no malloc_trim: koffi's func() throws for it (simulated: no musl here).
    const musl = () => ({ load: () => ({ func: () => { throw new Error("Cannot find function 'malloc_trim' in shared library"); } }) });
    const none = new MemoryTrimmer(0, () => loadMallocTrim(musl));
    none.trim();
    none.trim();
    expect(none.trims).toBe(0);
    expect(none.unavailable).toMatch(/^(no malloc_trim here: Cannot find function 'malloc_trim'|not Linux)/);
    // koffi not installed (an optional binary missing).
    expect(loadMallocTrim(() => { throw new Error("Cannot find module 'koffi'"); })).toMatch(/^(no malloc_trim here: Cannot find module 'koffi'|not Linux)/);
  });

  it('the daemon trims every trimMemoryEveryMs and counts it in its metrics; a bad value is refused naming the key', async () => {
    for (const bad of [-1, 1.5, '60s']) {
      await expect(createDaemon({ env: { SVC_HOME: h.tempDir() }, trimMemoryEveryMs: bad as number })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS', message: expect.stringContaining('trimMemoryEveryMs') });
    }
    const env = { SVC_HOME: h.tempDir() };
    const d = await createDaemon({ env, handleSignals: false, exitWhenIdle: false, trimMemoryEveryMs: 20, metrics: null });
    daemons.push(d);
    const c = (await connectDaemon({ env }))!;
    try {
      const count = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await c.client.call('metrics', null)).text)?.[1]);
      const deadline = performance.now() + 20_000;
      while ((await count('svc_daemon_memory_trims_total')) < 3) {
        if (performance.now() > deadline) throw new Error('timed out waiting for three trims');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await count('svc_daemon_memory_trim_seconds_total')).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });
});
