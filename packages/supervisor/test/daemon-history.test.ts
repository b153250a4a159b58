import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonHistory } from '../src/daemon-history.js';
import { connectDaemon, createDaemon, type Daemon, type DaemonConnection, type InstanceHistory, type ProjectRef, type ServiceDefinition, type SupervisorEvent } from '../src/index.js';
import { Harness, NODE, killQuietly, waitFor } from './helpers.js';

const h = new Harness();
const daemons: Daemon[] = [];
const connections: DaemonConnection[] = [];
afterEach(async () => {
  await Promise.allSettled(connections.splice(0).map((c) => c.close()));
  await Promise.allSettled(daemons.splice(0).map((d) => d.close()));
  await h.cleanup();
});

const project: ProjectRef = { id: 'cfg-aaaaaaaaaaaa', config: '/srv/alpha/svc.config.yaml' };
const target = { project, service: 'grower' };
/**
 * Holds one more touched MB every 50 ms, up to 80, and burns ≈ 10 ms of CPU in each 50: memory that
 * grows over the samples, and CPU above 0.
 */
const GROWER = `const held = []; setInterval(() => { if (held.length < 80) held.push(Buffer.alloc(1 << 20, held.length % 256)); const until = Date.now() + 10; while (Date.now() < until); }, 50);`;

function grower(extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  // limits.sampleInterval: how old a /proc reading may be before `stats()` reads again; the history
  // ticks every 100 ms here, so each tick reads afresh.
  return { command: NODE, args: ['-e', GROWER], cwd: process.cwd(), stop: { timeout: 3000 }, restart: { delay: 50 }, limits: { sampleInterval: 20 }, ...extra };
}

/** A daemon in its own SVC_HOME running `definition`, and a connection to it through the client. */
async function hosting(definition: ServiceDefinition, history: { intervalMs?: number; keepMs?: number } = { intervalMs: 100, keepMs: 60_000 }): Promise<{ d: Daemon; c: DaemonConnection }> {
  const env = { SVC_HOME: h.tempDir() };
  const d = await createDaemon({ env, handleSignals: false, exitWhenIdle: false, history });
  daemons.push(d);
  await d.start(target, { definition });
  const c = (await connectDaemon({ env }))!;
  connections.push(c);
  return { d, c };
}

async function historyOf(c: DaemonConnection, params: { project?: string; service?: string } = {}): Promise<InstanceHistory[]> {
  return c.client.call('history', params);
}

/** Asks `history` until `done` holds for what it answers (generous bound: a shared, noisy machine). */
async function historyUntil(c: DaemonConnection, done: (entries: InstanceHistory[]) => boolean, what: string): Promise<InstanceHistory[]> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const entries = await historyOf(c);
    if (done(entries)) return entries;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer: ${JSON.stringify(entries)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const memories = (e: InstanceHistory) => e.samples.map((s) => s.memory).filter((m): m is number => m !== null);

describe("the daemon's history of each instance's CPU and memory", () => {
  it('answers one entry per instance at once, then samples whose memory grows and whose cpu is above 0', async () => {
    const { c } = await hosting(grower({ instances: 2 }));
    // Right after the start: a sample of each instance already, not one interval later.
    const first = await historyOf(c);
    expect(first.map((e) => [e.project, e.service, e.instance, e.intervalMs])).toEqual([
      [project.id, 'grower', 0, 100],
      [project.id, 'grower', 1, 100],
    ]);
    for (const e of first) expect(e.samples.length).toBeGreaterThanOrEqual(1);

    const grown = await historyUntil(
      c,
      (entries) => entries.length === 2 && entries.every((e) => Math.max(...memories(e)) - memories(e)[0]! > 20 * 2 ** 20 && e.samples.some((s) => (s.cpu ?? 0) > 0)),
      'both instances to grow by 20 MB and use CPU',
    );
    const rows = await c.client.call('status', { project: project.id, service: 'grower' });
    for (const e of grown) {
      const ts = e.samples.map((s) => s.t);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
      expect(e.samples.at(-1)!.pid).toBe(rows.find((r) => r.instance === e.instance)!.pid);
      expect(Object.keys(e.samples[0]!).sort()).toEqual(['cpu', 'memory', 'pid', 't']);
    }
  });

  it('keeps an instance\'s history across a crash and its restart: the pid changes inside it', async () => {
    const { d, c } = await hosting(grower());
    await historyUntil(c, (entries) => entries[0]?.samples.some((s) => s.pid !== null) ?? false, 'a sample with a pid');
    const before = d.status()[0]!.pid!;
    killQuietly(before);
    await waitFor(() => d.status()[0]!.pid !== null && d.status()[0]!.pid !== before && d.status()[0]!.state === 'running', 'the restarted instance');
    const after = d.status()[0]!.pid!;
    const [entry] = await historyUntil(c, (entries) => entries[0]?.samples.some((s) => s.pid === after) ?? false, 'a sample of the restarted instance');
    expect(entry!.instance).toBe(0);
    const pids = entry!.samples.map((s) => s.pid).filter((p) => p !== null);
    expect(pids).toContain(before);
    // The old run's samples come first, then the new one's.
    expect(pids.lastIndexOf(before)).toBeLessThan(pids.indexOf(after));
  });

  it('drops samples older than keepMs: the count stays bounded', async () => {
    const { c } = await hosting(grower(), { intervalMs: 50, keepMs: 250 });
    const counts: number[] = [];
    let newest = 0;
    // Twenty new samples: well past what 250 ms keeps.
    let fresh = 0;
    await historyUntil(
      c,
      (entries) => {
        const samples = entries[0]?.samples ?? [];
        counts.push(samples.length);
        const t = samples.at(-1)?.t ?? 0;
        if (t > newest) {
          newest = t;
          fresh++;
        }
        return fresh >= 20;
      },
      'twenty samples',
    );
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    expect(counts.at(-1)).toBeGreaterThanOrEqual(1);
  });

  it('filters by project and service, refuses an unknown key, and forgets a stopped service', async () => {
    const { d, c } = await hosting(grower());
    expect((await historyOf(c, { project: project.id })).map((e) => e.service)).toEqual(['grower']);
    expect(await historyOf(c, { service: 'other' })).toEqual([]);
    expect(await historyOf(c, { project: 'cfg-bbbbbbbbbbbb' })).toEqual([]);
    await expect(c.client.call('history', { projekt: project.id } as never)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('"projekt"') });
    await expect(c.client.call('history', { service: '../x' })).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('service') });
    await d.stop(target);
    expect(await historyOf(c)).toEqual([]);
  });

  it('refuses history options out of bounds, naming them', async () => {
    const env = { SVC_HOME: h.tempDir() };
    await expect(createDaemon({ env, handleSignals: false, history: { intervalMs: 5 } })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS', option: 'history.intervalMs' });
    await expect(createDaemon({ env, handleSignals: false, history: { intervalMs: 100, keepMs: 50 } })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS', option: 'history.keepMs' });
    await expect(createDaemon({ env, handleSignals: false, history: { every: 1 } as never })).rejects.toMatchObject({ code: 'EINVALID_OPTIONS', option: 'history.every' });
  });
});

describe("the daemon's note: an action asked by a caller, in the service's event log", () => {
  const note = { project: project.id, service: 'grower', action: 'restart' as const, by: 'svc ui (127.0.0.1)' };

  it('writes a `requested` event to the event log and sends it to events subscribers', async () => {
    const { d, c } = await hosting(grower());
    const seen: Array<SupervisorEvent & { project: string }> = [];
    const sub = await c.client.subscribe('events', { project: project.id }, (e) => seen.push(e));
    expect(await c.client.call('note', note)).toEqual({ recorded: true });
    await waitFor(() => seen.some((e) => e.type === 'requested'), 'the requested event');
    await sub.close();
    expect(seen.find((e) => e.type === 'requested')).toMatchObject({ project: project.id, service: 'grower', instance: -1, action: 'restart', by: 'svc ui (127.0.0.1)' });

    const lines = readFileSync(d.service(target).eventLogPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SupervisorEvent);
    expect(lines.filter((e) => e.type === 'requested')).toEqual([{ time: expect.any(String), service: 'grower', instance: -1, type: 'requested', action: 'restart', by: 'svc ui (127.0.0.1)' }]);
    // After the events before it, in the file's order.
    expect(lines.at(-1)!.type).toBe('requested');
    // The most `by` may be: 200 characters.
    expect(await c.client.call('note', { ...note, action: 'scale', by: 'x'.repeat(200) })).toEqual({ recorded: true });
  });

  it('refuses bad params naming the parameter, and a service the daemon does not host', async () => {
    const { c } = await hosting(grower());
    const refused = (params: Record<string, unknown>, name: string) =>
      expect(c.client.call('note', params as never)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining(name) });
    await refused({ ...note, action: 'explode' }, 'action');
    await refused({ ...note, by: '' }, 'by:');
    await refused({ ...note, by: 'x'.repeat(201) }, 'by:');
    await refused({ ...note, by: 'svc ui\u001b[31m' }, 'by:');
    await refused({ ...note, by: 'line\nbreak' }, 'by:');
    await refused({ ...note, when: 'now' }, '"when"');
    await refused({ ...note, project: project }, 'project');
    const { by: _by, ...withoutBy } = note;
    await refused(withoutBy, 'by:');
    await expect(c.client.call('note', { ...note, service: 'nope' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE', message: expect.stringContaining('nope') });
    await expect(c.client.call('note', { ...note, project: 'cfg-bbbbbbbbbbbb' })).rejects.toMatchObject({ code: 'EUNKNOWN_SERVICE', message: expect.stringContaining('cfg-bbbbbbbbbbbb') });
  });
});

describe('the history ring (pure arithmetic: a clock and rows given by the test)', () => {
  it('keeps the newest keepMs / intervalMs samples in order, as it grows and once it wraps', () => {
    for (const [intervalMs, keepMs, ticks] of [[10, 100, 3], [10, 100, 10], [10, 100, 25], [1, 300, 64], [1, 300, 65], [1, 300, 129], [1, 300, 1000]] as const) {
      let now = 0;
      let pid = 0;
      const rows = () => [{ instance: 0, pid: ++pid, cpuPercent: pid % 2 === 0 ? null : 1.5, memoryBytes: pid * 10 }];
      const history = new DaemonHistory(() => [{ project: 'p', service: 's', stats: rows as never }], { intervalMs, keepMs }, () => now);
      for (let i = 0; i < ticks; i++) {
        now += intervalMs;
        history.tick();
      }
      const kept = Math.min(ticks, keepMs / intervalMs);
      const samples = history.history()[0]!.samples;
      expect(samples.map((s) => s.pid), `${intervalMs} ${keepMs} ${ticks}`).toEqual(Array.from({ length: kept }, (_, i) => ticks - kept + i + 1));
      expect(samples.at(-1)).toEqual({ t: now, pid: ticks, cpu: ticks % 2 === 0 ? null : 1.5, memory: ticks * 10 });
      history.close();
    }
  });
});
