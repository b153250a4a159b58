import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { reloadsUnderLoad } from './helpers/reloads.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * Node apps that know nothing of svc: they bind their own port with listen(), have no SIGTERM
 * handler and send no readiness. With `listen`, svc's preload (bin/adopt.cjs) makes their listen()
 * take the socket svc holds, reports readiness when they listen, and drains them on SIGTERM.
 */

/** The kind of app every PM2 user has, answering who it is (the load helper reads that). */
const CJS_APP = `require('http')
  .createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, version: process.env.VERSION, instance: process.env.SVC_INSTANCE })))
  .listen(Number(process.env.APP_PORT), '127.0.0.1');
`;
const ESM_APP = `import http from 'node:http';
const server = http.createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, version: process.env.VERSION, instance: process.env.SVC_INSTANCE })));
server.listen({ port: Number(process.env.APP_PORT), host: 'localhost' }, () => console.log('listening'));
`;

const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

it('an unmodified Node app with instances: 2 and listen runs, is ready with readiness notify, and reloads three times under 50 keep-alive clients with 0 failed', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const app = sb.writeFile('app.cjs', CJS_APP);
  const config = (version: string) => ({
    services: {
      plain: { command: process.execPath, args: [app], instances: 2, listen: { port }, readiness: { type: 'notify', timeout: '20s' }, env: { APP_PORT: String(port), VERSION: version }, stop: { timeout: '20s' } },
    },
  });
  sb.writeConfig(config('v1'));
  const started = await sb.ok(['start', 'plain']);
  expect(started.stdout).toMatch(/^plain is running \(2 instances, pids \d+, \d+, listening on 127\.0\.0\.1:\d+\)$/m);
  const item = (await sb.item('plain'))!;
  expect(item.instances.map((i) => i.state)).toEqual(['running', 'running']);
  expect(item.restarts).toBe(0);
  // Both instances serve on the one socket; neither bound the port itself.
  const answering = new Set<number>();
  await waitUntil('both instances to answer', async () => {
    answering.add(((await whoAnswers(port)) as { pid: number }).pid);
    return answering.size === 2;
  });
  expect([...answering].sort()).toEqual(item.instances.map((i) => i.pid).sort());

  const load = await reloadsUnderLoad(sb, { service: 'plain', port, versions: ['v2', 'v3', 'v4'], config });
  expect(load.failed()).toEqual([]);
  expect(load.refused()).toEqual([]);
  // The six replaced instances drained and exited 0 on SIGTERM, the app having no handler.
  const events = (JSON.parse((await sb.ok(['logs', 'plain', '--events', '-n', '200', '--json'])).stdout) as { lines: string[] }).lines.map((l) => JSON.parse(l) as { type: string; code?: number; reason?: string });
  const exits = events.filter((e) => e.type === 'exited');
  expect(exits.map((e) => [e.code, e.reason])).toEqual(Array.from({ length: 6 }, () => [0, 'stop']));
  await sb.ok(['stop', 'plain']);
});

it('an ES module app adopts too; an app with its own SIGTERM handler is left to it; non-Node commands and listen.adopt: false get nothing', async () => {
  const sb = createSandbox();
  const [esmPort, ownPort, shPort, offPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const esm = sb.writeFile('app.mjs', ESM_APP);
  const marker = `${sb.dir}/handled`;
  const own = sb.writeFile(
    'own.cjs',
    `const server = require('http').createServer((q, r) => r.end('own')).listen(${ownPort}, '127.0.0.1');
process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'the app handled SIGTERM'); server.close(() => process.exit(0)); });
`,
  );
  sb.writeConfig({
    services: {
      esm: { command: process.execPath, args: [esm], instances: 2, listen: { port: esmPort }, readiness: { type: 'notify' }, env: { APP_PORT: String(esmPort) } },
      own: { command: process.execPath, args: [own], listen: { port: ownPort }, readiness: { type: 'notify' } },
      shell: { command: 'sleep', args: ['1000'], listen: { port: shPort } },
      off: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], listen: { port: offPort, adopt: false } },
    },
  });
  await sb.ok(['start', '--all']);
  const esmItem = (await sb.item('esm'))!;
  const ownItem = (await sb.item('own'))!;
  const shellItem = (await sb.item('shell'))!;
  const offItem = (await sb.item('off'))!;
  expect(esmItem.instances.map((i) => i.state)).toEqual(['running', 'running']);
  expect(((await whoAnswers(esmPort)) as { pid: number }).pid).toBeOneOf(esmItem.instances.map((i) => i.pid));
  expect(ownItem.state).toBe('running');
  // Only Node processes with listen.adopt get the preload, and nothing of it passes to children.
  const preload = (pid: number) => environOf(pid).some((v) => v.startsWith('NODE_OPTIONS=') && v.includes('adopt.cjs'));
  expect(preload(esmItem.instances[0]!.pid!)).toBe(true);
  expect(preload(shellItem.pid!)).toBe(false);
  expect(preload(offItem.pid!)).toBe(false);
  expect(environOf(shellItem.pid!)).toContain('LISTEN_FDS=1');

  await sb.ok(['stop', 'own']);
  expect(readFileSync(marker, 'utf8')).toBe('the app handled SIGTERM');
  await sb.ok(['stop', '--all']);
});
