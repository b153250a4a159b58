import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readProc } from '../src/proc-tree.js';
import { LimitWatch, ResourceMeter } from '../src/resource-sampler.js';
import { Harness, NODE, fixture, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe.runIf(process.platform === 'linux')('resource-sampler', () => {
  it('measures the CPU of a busy process and the memory it holds, from /proc', async () => {
    const burner = spawn(NODE, [fixture('cpu-burner.mjs')], { stdio: 'ignore' });
    const hog = spawn(NODE, [fixture('memory-hog.mjs'), '64'], { stdio: 'ignore' });
    h.pids.push(burner.pid!, hog.pid!);
    const meter = new ResourceMeter(() => performance.now());
    const members = () => [burner.pid!, hog.pid!].map((pid) => readProc(pid)).filter((p) => p !== null);
    expect(meter.sample(members()).cpuPercent).toBeNull();
    let last = { memoryBytes: 0, cpuPercent: null as number | null, processes: 0 };
    await waitFor(() => {
      last = meter.sample(members());
      return last.memoryBytes > 64 * 1024 * 1024 && (last.cpuPercent ?? 0) > 30;
    }, 'a busy process and a held 64 MB to show', 20_000);
    expect(last.processes).toBe(2);
  });

  it('a limit is breached only when exceeded in every sample for the whole window', () => {
    let now = 0;
    const watch = new LimitWatch({ memoryBytes: 100, cpuPercent: 50, windowMs: 1000 }, () => now);
    const sample = (memoryBytes: number, cpuPercent: number | null) => ({ memoryBytes, cpuPercent, processes: 1 });
    expect(watch.check(sample(200, 10))).toBeNull();
    now = 600;
    expect(watch.check(sample(50, 10))).toBeNull(); // under: the window starts over
    now = 700;
    expect(watch.check(sample(200, 10))).toBeNull();
    now = 1699;
    expect(watch.check(sample(200, 10))).toBeNull();
    now = 1700;
    expect(watch.check(sample(200, 10))).toEqual({ limit: 'memory', memoryBytes: 200, limitBytes: 100 });
    const cpu = new LimitWatch({ memoryBytes: 0, cpuPercent: 50, windowMs: 0 }, () => now);
    expect(cpu.check(sample(1e12, null))).toBeNull(); // memory limit off; no CPU figure yet
    expect(cpu.check(sample(1e12, 80))).toEqual({ limit: 'cpu', cpuPercent: 80, limitPercent: 50 });
  });
});
