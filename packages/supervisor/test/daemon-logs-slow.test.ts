import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon, type LogEvent, type ProjectRef } from '../src/index.js';
import { Harness, NODE, waitFor } from './helpers.js';

const h = new Harness();
const daemons: Daemon[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.allSettled(daemons.splice(0).map((d) => d.close()));
  await h.cleanup();
});

const project: ProjectRef = { id: 'cfg-bbbbbbbbbbbb', config: '/srv/beta/svc.config.yaml' };
const target = { project, service: 'flood' };
/** 200 numbered lines of about 1 KB every 10 ms: about 20 MB/s. */
const FLOOD = "const pad = 'x'.repeat(1000); let n = 0; setInterval(() => { for (let i = 0; i < 200; i++) console.log(`${++n} ${pad}`); }, 10)";

describe('a follower that falls behind a busy service', () => {
  it('is told how many lines were left out and goes on, instead of being cut off', async () => {
    const d = await createDaemon({ env: { SVC_HOME: h.tempDir() }, handleSignals: false });
    daemons.push(d);
    await d.start(target, { definition: { command: NODE, args: ['-e', FLOOD], cwd: process.cwd(), stop: { timeout: 3000 } } });

    // A raw connection that stops reading: the daemon's output to it piles up.
    const socket = net.createConnection({ path: d.socketPath });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let closed = false;
    socket.once('close', () => (closed = true));
    const frames: Array<{ method?: string; params?: { event?: LogEvent } }> = [];
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\n')) !== -1) {
        frames.push(JSON.parse(buffered.slice(0, end)) as (typeof frames)[number]);
        buffered = buffered.slice(end + 1);
      }
    });
    socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'logs', params: { ...target, stream: 'output', lines: 0, follow: true } })}\n`);
    await waitFor(() => frames.some((f) => f.params?.event !== undefined), 'the first followed line');
    socket.pause();
    // Long enough for far more than the daemon's write limit (8 MB) to be printed at 20 MB/s.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    socket.resume();

    await waitFor(() => frames.some((f) => f.params?.event?.skipped !== undefined), 'the skipped lines to be told', 30_000);
    const told = frames.findIndex((f) => f.params?.event?.skipped !== undefined);
    const skipped = frames[told]!.params!.event!.skipped!;
    expect(skipped).toBeGreaterThan(0);
    expect(frames[told]!.params!.event!.line).toBe('');
    // Lines come again after it, and the numbers say the gap is the one told.
    await waitFor(() => frames.slice(told + 1).some((f) => f.params?.event?.line), 'lines after the gap');
    const numbers = frames.map((f) => f.params?.event).filter((e): e is LogEvent => e !== undefined && e.skipped === undefined).map((e) => Number(e.line.split(' ')[0]));
    const before = frames.slice(0, told).filter((f) => f.params?.event?.line).length;
    expect(numbers[before]! - numbers[before - 1]! - 1).toBe(skipped);
    expect(closed).toBe(false);
  });
});
