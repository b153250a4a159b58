import { readFileSync } from 'node:fs';
import { connectIpc, type IpcClient } from '@svc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type LogEvent, type ProjectRef } from '../src/index.js';
import { Harness, NODE, waitFor } from './helpers.js';

const h = new Harness();
const daemons: Daemon[] = [];
const clients: IpcClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(daemons.splice(0).map((d) => d.close()));
  await h.cleanup();
});

const project: ProjectRef = { id: 'cfg-aaaaaaaaaaaa', config: '/srv/alpha/svc.config.yaml' };
const target = { project, service: 'talker' };
/** Each instance prints a numbered line to stdout, then one to stderr, every 20 ms. */
const TALKER = 'const i = process.env.SVC_INSTANCE; let n = 0; setInterval(() => { n++; console.log(`out ${i} ${n}`); console.error(`err ${i} ${n}`); }, 20)';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function talker(): Promise<{ d: Daemon; c: IpcClient }> {
  const d = await createDaemon({ env: { SVC_HOME: h.tempDir() }, handleSignals: false });
  daemons.push(d);
  await d.start(target, { definition: { command: NODE, args: ['-e', TALKER], cwd: process.cwd(), instances: 2, stop: { timeout: 3000 } } });
  const c = await connectIpc(d.socketPath);
  clients.push(c);
  return { d, c };
}

/** A `logs` subscription that collects what it is sent; `ended` once the daemon ended it. */
async function logs(c: IpcClient, params: Record<string, unknown>): Promise<{ events: LogEvent[]; ended: Promise<void>; close: () => Promise<void> }> {
  const events: LogEvent[] = [];
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const sub = await c.subscribe('logs', { ...target, ...params }, (e) => events.push(e as LogEvent), { onEnd: () => end() });
  return { events, ended, close: () => sub.close() };
}

describe('the daemon\'s logs: both output streams, with times and instances', () => {
  it('follows stdout and stderr together (stream "output"), each line with its stream, its receive time and its instance', async () => {
    const { c } = await talker();
    const follow = await logs(c, { stream: 'output', lines: 10, follow: true });
    await waitFor(() => new Set(follow.events.map((e) => `${e.stream} ${e.instance}`)).size === 4, 'lines of both streams of both instances');
    await follow.close();
    for (const e of follow.events) {
      expect(e.time).toMatch(ISO);
      expect(e.line).toBe(`${e.stream === 'stdout' ? 'out' : 'err'} ${e.instance} ${e.line.split(' ')[2]}`);
    }
    // In the order they came: an instance's stderr line follows its stdout line of the same count.
    const one = follow.events.filter((e) => e.instance === 0).map((e) => e.line);
    for (const [i, line] of one.entries()) if (line.startsWith('err') && i > 0) expect(one.slice(0, i)).toContain(line.replace('err', 'out'));
  });

  it('without follow, the tail of both streams from the files, in time order, with the stored times', async () => {
    const { c } = await talker();
    // Twenty lines of both streams on disk: they are there within a second; asked again until then.
    let tail = await logs(c, { stream: 'output', lines: 20, follow: false });
    for (const deadline = performance.now() + 20_000; ; ) {
      await tail.ended;
      if (tail.events.length === 20 || performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
      tail = await logs(c, { stream: 'output', lines: 20, follow: false });
    }
    expect(tail.events).toHaveLength(20);
    expect(new Set(tail.events.map((e) => e.stream))).toEqual(new Set(['stdout', 'stderr']));
    const times = tail.events.map((e) => Date.parse(e.time!));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    // The times are the files' own.
    const stored = readFileSync(`${daemons[0]!.service(target).logPath('stderr')}`, 'utf8');
    for (const e of tail.events.filter((x) => x.stream === 'stderr')) expect(stored).toContain(`${e.time} ${e.line}\n`);
    // An old client's call: stdout alone, each event still a { stream, line }.
    const old = await logs(c, { stream: 'stdout', lines: 3, follow: false });
    await old.ended;
    expect(old.events.map((e) => [e.stream, /^out \d \d+$/.test(e.line)])).toEqual([
      ['stdout', true],
      ['stdout', true],
      ['stdout', true],
    ]);
  });

  it('flush: empties the files while the service runs; a follower goes on, a new follow starts after the flush', async () => {
    const { d, c } = await talker();
    const follower = await logs(c, { stream: 'output', lines: 0, follow: true });
    await waitFor(() => follower.events.length >= 20, 'lines before the flush');
    // Each instance counts on its own (under load one runs behind the other): per instance, the
    // last count seen before asking for the flush; those lines were read, so they must be gone.
    const lastOf = (lines: string[]) => {
      const last = new Map<string, number>();
      for (const l of lines) {
        const [, instance, n] = l.split(' ');
        last.set(instance!, Math.max(last.get(instance!) ?? 0, Number(n)));
      }
      return last;
    };
    const seenBefore = lastOf(follower.events.map((e) => e.line));
    const flush = await logs(c, { stream: 'output', flush: true });
    await flush.ended;
    const seenAtFlush = follower.events.length;
    await waitFor(() => follower.events.length >= seenAtFlush + 20, 'the follower to go on after the flush');
    await follower.close();

    const service = d.service(target);
    await service.flushLogs();
    /** Each line of the files and of a follow's tail after the flush: no count seen before it. */
    const noneBefore = (lines: string[]) => {
      for (const l of lines) {
        const [, instance, n] = l.split(' ');
        expect(Number(n), l).toBeGreaterThan(seenBefore.get(instance!) ?? 0);
      }
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = readFileSync(service.logPath(stream), 'utf8').split('\n').slice(0, -1);
      expect(lines.length).toBeGreaterThan(0);
      // On disk a line is "<time> <stream> <instance> <count>": the time goes first.
      noneBefore(lines.map((l) => l.slice(l.indexOf(' ') + 1)));
    }
    const fresh = await logs(c, { stream: 'output', lines: 1000, follow: true });
    await c.call('hello');
    await fresh.close();
    expect(fresh.events.length).toBeGreaterThan(0);
    noneBefore(fresh.events.map((e) => e.line));
  });

  it('refuses what it cannot do, naming the parameter', async () => {
    const { c } = await talker();
    await expect(c.subscribe('logs', { ...target, stream: 'both' }, () => undefined)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('stream') });
    await expect(c.subscribe('logs', { ...target, flush: true, follow: true }, () => undefined)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('follow') });
    await expect(c.subscribe('logs', { ...target, flush: true, stream: 'events' }, () => undefined)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('event log') });
    await expect(c.subscribe('logs', { ...target, flush: 'yes' }, () => undefined)).rejects.toMatchObject({ code: 'EIPC_BAD_PARAMS', message: expect.stringContaining('flush') });
  });
});
