import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { startLoad, type Load, type LoadOptions } from './helpers/load.js';
import { FIXTURES } from './helpers/paths.js';
import { reloadsUnderLoad } from './helpers/reloads.js';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * Framework apps written as their docs write a hello world, knowing nothing of svc, each run as 2
 * instances with `listen` and reloaded 3 times under 50 keep-alive clients: svc's preload
 * (bin/adopt.cjs) makes their own listen() take svc's socket, reports readiness when they listen
 * and drains them on SIGTERM. node:http itself is adopt-unmodified.test.ts's. The fixtures live in
 * fixtures/frameworks/, so they resolve express, fastify, … from apps/integration/node_modules.
 */

const APPS = path.join(FIXTURES, 'frameworks');
const app = (file: string) => path.join(APPS, file);

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl for this file's run. */
let tls: { dir: string; key: string; cert: string; ca: string };
beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svc-it-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`openssl could not make the test certificate (the https and http2 tests need the openssl command): ${(error as Error).message}`, { cause: error });
  }
  tls = { dir, key, cert, ca: readFileSync(cert, 'utf8') };
});
afterAll(() => rmSync(tls.dir, { recursive: true, force: true }));

/** 2 instances of `file` on a socket svc holds, readiness notify (nothing in the app sends it). */
function config(name: string, file: string, port: number, env: Record<string, string> = {}) {
  return (version: string) => ({
    services: {
      [name]: { command: process.execPath, args: [app(file)], instances: 2, listen: { port }, readiness: { type: 'notify', timeout: '30s' }, env: { APP_PORT: String(port), VERSION: version, ...env }, stop: { timeout: '20s' } },
    },
  });
}

/** Each instance exit the daemon recorded for `service`: [code, signal, reason]. */
async function exits(sb: Sandbox, service: string): Promise<Array<[unknown, unknown, unknown]>> {
  const { lines } = JSON.parse((await sb.ok(['logs', service, '--events', '-n', '500', '--json'])).stdout) as { lines: string[] };
  return lines
    .map((l) => JSON.parse(l) as { type: string; code?: number | null; signal?: string | null; reason?: string })
    .filter((e) => e.type === 'exited')
    .map((e) => [e.code, e.signal, e.reason]);
}

/** Starts the service and checks that both instances run, were ready, and answer on the one socket. */
async function startBoth(sb: Sandbox, service: string, port: number, answers: () => Promise<number | null> = async () => ((await whoAnswers(port)) as { pid: number } | null)?.pid ?? null) {
  const started = await sb.ok(['start', service]);
  expect(started.stdout).toMatch(new RegExp(`^${service} is running \\(2 instances, pids \\d+, \\d+, listening on 127\\.0\\.0\\.1:${port}\\)$`, 'm'));
  const item = (await sb.item(service))!;
  expect(item.instances.map((i) => i.state)).toEqual(['running', 'running']);
  const answering = new Set<number>();
  await waitUntil('both instances to answer', async () => {
    const pid = await answers();
    if (pid !== null) answering.add(pid);
    return answering.size === 2;
  });
  expect([...answering].sort()).toEqual(item.instances.map((i) => i.pid).sort());
}

/** An HTTP/1.1 framework app: started, reloaded 3 times under load, every replaced instance drained. */
async function reloadsWithNothingLost(file: string, env: Record<string, string> = {}) {
  const sb = createSandbox();
  const port = await freePort();
  const service = path.basename(file, path.extname(file));
  const configFor = config(service, file, port, env);
  sb.writeConfig(configFor('v1'));
  await startBoth(sb, service, port);
  const load = await reloadsUnderLoad(sb, { service, port, versions: ['v2', 'v3', 'v4'], config: configFor });
  expect(load.failed()).toEqual([]);
  expect(load.refused()).toEqual([]);
  return { sb, service, port, load };
}

/** The six replaced instances drained and exited 0 on SIGTERM, the app having no handler. */
const SIX_DRAINED = Array.from({ length: 6 }, () => [0, null, 'stop']);

it('Express 5 (app.listen(port, callback)): 2 instances reload 3 times under 50 keep-alive clients with 0 failed, each old one drained and exited 0', async () => {
  const { sb, service } = await reloadsWithNothingLost('express.cjs');
  expect(await exits(sb, service)).toEqual(SIX_DRAINED);
  await sb.ok(['stop', service]);
});

it('Koa 3 (app.listen(port)): 2 instances reload 3 times under 50 keep-alive clients with 0 failed, each old one drained and exited 0', async () => {
  const { sb, service } = await reloadsWithNothingLost('koa.cjs');
  expect(await exits(sb, service)).toEqual(SIX_DRAINED);
  await sb.ok(['stop', service]);
});

it("Fastify 5 on a localhost of 127.0.0.1 and ::1: its first server takes svc's socket, its second (for ::1) is refused and binds nothing; 3 reloads under load with 0 failed", async () => {
  // The one stand-in: this machine's localhost is 127.0.0.1 alone, so a preload makes it both (see it).
  const { sb, service, port } = await reloadsWithNothingLost('fastify.mjs', { NODE_OPTIONS: `--require ${app('localhost-both.cjs')}` });
  expect(await exits(sb, service)).toEqual(SIX_DRAINED);
  // No instance bound [::1]:port of its own: the service is where svc holds it, and only there.
  const onV6 = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: '::1', port }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  expect(onV6).toBe('ECONNREFUSED');
  await sb.ok(['stop', service]);
});

it('NestJS 11 on its Express adapter (NestFactory.create, app.listen(port)): 3 reloads under 50 keep-alive clients with 0 failed, each old instance drained and exited 0', async () => {
  const { sb, service } = await reloadsWithNothingLost('nest.cjs');
  expect(await exits(sb, service)).toEqual(SIX_DRAINED);
  await sb.ok(['stop', service]);
});

it('NestJS 11 on its Fastify adapter: 3 reloads under 50 keep-alive clients with 0 failed, each old instance drained and exited 0', async () => {
  const { sb, service } = await reloadsWithNothingLost('nest.cjs', { NEST_ADAPTER: 'fastify' });
  expect(await exits(sb, service)).toEqual(SIX_DRAINED);
  await sb.ok(['stop', service]);
});

it("NestJS with enableShutdownHooks (its own SIGTERM handler): left to the app, whose app.close() drains; 0 failed, and each old instance dies of the SIGTERM Nest raises again once closed", async () => {
  const { sb, service } = await reloadsWithNothingLost('nest.cjs', { NEST_SHUTDOWN_HOOKS: '1' });
  expect(await exits(sb, service)).toEqual(Array.from({ length: 6 }, () => [null, 'SIGTERM', 'stop']));
  await sb.ok(['stop', service]);
});

/**
 * reloadsUnderLoad's rounds with loads of another protocol: before each reload the config gets the
 * version; after it, the loads kept flowing, only the new version answers, none of the old pids is left.
 */
async function reloadsUnder(sb: Sandbox, service: string, configFor: (version: string) => { services: Record<string, unknown> }, loads: Load[]) {
  const total = () => loads.reduce((n, l) => n + l.answered(), 0);
  try {
    await waitUntil('the load to flow', () => loads.every((l) => l.answered() >= 50), { timeoutMs: 60_000 });
    let pids = (await sb.item(service))!.instances.map((i) => i.pid);
    for (const version of ['v2', 'v3', 'v4']) {
      sb.writeConfig(configFor(version));
      const before = total();
      expect(JSON.parse((await sb.ok(['reload', service, '--json'])).stdout)).toMatchObject({ mode: 'reload', replaced: 2, warning: null });
      const after = performance.now();
      expect(total()).toBeGreaterThan(before);
      await waitUntil(`answers of ${version} on every load`, () => loads.every((l) => l.identities(after).length >= 10), { timeoutMs: 60_000 });
      for (const load of loads) expect(new Set(load.identities(after).map((i) => i.version))).toEqual(new Set([version]));
      const now = (await sb.item(service))!.instances.map((i) => i.pid);
      for (const pid of now) expect(pids).not.toContain(pid);
      pids = now;
    }
  } finally {
    await Promise.all(loads.map((l) => l.stop()));
  }
  for (const load of loads) {
    expect(load.failed()).toEqual([]);
    expect(load.refused()).toEqual([]);
  }
}

it('node:https: 2 instances reload 3 times under 50 keep-alive TLS clients with 0 failed, each old one drained and exited 0', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const configFor = config('https', 'https.cjs', port, { TLS_KEY: tls.key, TLS_CERT: tls.cert });
  sb.writeConfig(configFor('v1'));
  await startBoth(sb, 'https', port, () => answeredBy(port, { protocol: 'https', ca: tls.ca }));
  await reloadsUnder(sb, 'https', configFor, [startLoad(port, { connections: 50, protocol: 'https', ca: tls.ca })]);
  expect(await exits(sb, 'https')).toEqual(SIX_DRAINED);
  await sb.ok(['stop', 'https']);
});

it('node:http2 secure server with allowHTTP1: 40 HTTP/2 sessions and 10 HTTP/1.1 TLS clients through 3 reloads with 0 failed (GOAWAY, then streams finish), each old instance exited 0', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const configFor = config('h2', 'http2.cjs', port, { TLS_KEY: tls.key, TLS_CERT: tls.cert });
  sb.writeConfig(configFor('v1'));
  await startBoth(sb, 'h2', port, () => answeredBy(port, { protocol: 'h2', ca: tls.ca }));
  const h2 = startLoad(port, { connections: 40, protocol: 'h2', ca: tls.ca });
  const h1 = startLoad(port, { connections: 10, protocol: 'https', ca: tls.ca });
  await reloadsUnder(sb, 'h2', configFor, [h2, h1]);
  // Both protocols really ran: the HTTP/2 clients opened new sessions after each GOAWAY.
  expect(h2.answered()).toBeGreaterThan(200);
  expect(h1.answered()).toBeGreaterThan(50);
  expect(await exits(sb, 'h2')).toEqual(SIX_DRAINED);
  await sb.ok(['stop', 'h2']);
});

/** The pid that answers `GET /` on one fresh connection of `protocol`, or null while none does. */
async function answeredBy(port: number, options: LoadOptions): Promise<number | null> {
  const load = startLoad(port, { ...options, connections: 1 });
  await waitUntil('one answer', () => load.outcomes.length >= 3);
  await load.stop();
  return load.identities(0)[0]?.pid ?? null;
}

it('a ws WebSocket server on an adopted http server: at a reload and at a stop its clients get close 1001 "going away", and each process exits 0', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const configFor = config('ws', 'ws.cjs', port);
  sb.writeConfig(configFor('v1'));
  await startBoth(sb, 'ws', port);

  /** Ten clients, each answered once over its WebSocket; resolves with how each was closed. */
  const connect = async () => {
    const clients = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
        // An error is followed by 'close', whose code then says what happened (1006: no close frame).
        ws.on('error', () => undefined);
        const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
        const answer = new Promise<{ pid: number; version: string }>((resolve, reject) => {
          ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { pid: number; version: string }));
          ws.once('error', reject);
        });
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        ws.send('who');
        return { closed, answer: await answer };
      }),
    );
    return clients;
  };

  const first = await connect();
  expect(new Set(first.map((c) => c.answer.version))).toEqual(new Set(['v1']));
  sb.writeConfig(configFor('v2'));
  expect(JSON.parse((await sb.ok(['reload', 'ws', '--json'])).stdout)).toMatchObject({ mode: 'reload', replaced: 2 });
  expect(await Promise.all(first.map((c) => c.closed))).toEqual(Array.from({ length: 10 }, () => [1001, 'going away']));
  expect(await exits(sb, 'ws')).toEqual([
    [0, null, 'stop'],
    [0, null, 'stop'],
  ]);

  const second = await connect();
  expect(new Set(second.map((c) => c.answer.version))).toEqual(new Set(['v2']));
  await sb.ok(['stop', 'ws']);
  expect(await Promise.all(second.map((c) => c.closed))).toEqual(Array.from({ length: 10 }, () => [1001, 'going away']));
  expect(await exits(sb, 'ws')).toEqual(Array.from({ length: 4 }, () => [0, null, 'stop']));
});
