import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { answered, answersWith, runNode, stopWith, type DocProcess } from './doc-run.js';
import { freePort, request } from './http.js';
import { isAlive } from './processes.js';
import type { Sandbox } from './sandbox.js';
import { waitUntil } from './wait.js';

/*
 * The checks of the docs' runnable examples, by scenario name (`<!-- doctest: <name> -->`). Each
 * gets the example's files as written from the page and asserts what the page promises.
 * doc-examples.test.ts runs them from the packed packages.
 */

export interface ScenarioContext {
  /** Where the example's files were written (inside a plain `npm init -y` project). */
  dir: string;
  /** File title → path. */
  files: Map<string, string>;
  /** The scenario's `sh` blocks, in page order. */
  commands: string[];
  /** SVC_HOME of this test (locks, sockets), PATH with the packed CLI. */
  env: NodeJS.ProcessEnv;
  sandbox: Sandbox;
}

type Check = (ctx: ScenarioContext) => Promise<void>;

const execFileP = promisify(execFile);

function file(ctx: ScenarioContext, name: string): string {
  const found = ctx.files.get(name);
  if (!found) throw new Error(`the example has no block titled [${name}] (it has: ${[...ctx.files.keys()].join(', ')})`);
  return found;
}

const node = (ctx: ScenarioContext, name: string, env: Record<string, string> = {}, args: string[] = []): DocProcess =>
  runNode(file(ctx, name), { cwd: ctx.dir, env: { ...ctx.env, ...env }, args });

/** lock.md: a second copy exits naming the first; the lock is free again after SIGTERM. */
async function lockExpress(ctx: ScenarioContext): Promise<void> {
  for (const server of ['server.mjs', 'server.cjs']) {
    const port = String(await freePort());
    const first = node(ctx, server, { PORT: port });
    expect((await answersWith(`http://127.0.0.1:${port}/`, 200)).body).toBe('hello');
    const who = node(ctx, 'who.mjs');
    expect((await who.exited).code, who.output()).toBe(0);
    expect(who.output().trim()).toBe(`held ${first.child.pid}`);
    const second = node(ctx, server, { PORT: String(await freePort()) });
    const ended = await second.exited;
    expect(ended.code, `${server}: ${second.output()}`).toBe(1);
    expect(second.output()).toContain(`my-api is already running: pid ${first.child.pid}`);
    expect(second.output()).toContain(`port ${port}`);
    expect((await stopWith(first, 'SIGTERM')).signal ?? 'exit').not.toBe('SIGKILL');
    const after = node(ctx, 'who.mjs');
    await after.exited;
    expect(after.output().trim(), server).toBe('free');
    // Free again: a new copy starts.
    const third = node(ctx, server, { PORT: port });
    expect((await answersWith(`http://127.0.0.1:${port}/`, 200)).body).toBe('hello');
    await stopWith(third, 'SIGTERM');
  }
}

/** lock.md: two migrations at once run one after the other. */
async function lockQueue(ctx: ScenarioContext): Promise<void> {
  const a = node(ctx, 'migrate.mjs');
  const b = node(ctx, 'migrate.mjs');
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  expect([ea.code, eb.code], `${a.output()}\n${b.output()}`).toEqual([0, 0]);
  const span = (p: DocProcess) => {
    const from = Number(/migrating at (\d+)/.exec(p.output())?.[1]);
    const to = Number(/migrated at (\d+)/.exec(p.output())?.[1]);
    expect(from, p.output()).toBeGreaterThan(0);
    return [from, to] as const;
  };
  const [first, second] = [span(a), span(b)].sort((x, y) => x[0] - y[0]);
  expect(second![0], 'the second migration starts only after the first is done').toBeGreaterThanOrEqual(first![1]);
}

export const SCENARIOS: Record<string, Check> = {
  'lock-express': lockExpress,
  'lock-queue': lockQueue,
};


/** A GET whose first bytes have arrived (`started`: the server has the request) and whose end is `done`. */
function streamedGet(url: string): { started: Promise<void>; done: Promise<{ status: number; connection: string | undefined; body: string }> } {
  let started!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        started();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  void done.catch(() => started());
  return { started: startedP, done };
}

/** drain.md: SIGTERM during a slow response: it completes, new connections are refused, exit 0, hooks ran. */
async function drainCheck(ctx: ScenarioContext): Promise<void> {
  for (const server of ['server.mjs', 'server.cjs']) {
    const port = await freePort();
    const proc = node(ctx, server, { PORT: String(port) });
    expect((await answersWith(`http://127.0.0.1:${port}/`, 200)).body, server).toBe('hello');
    const slow = streamedGet(`http://127.0.0.1:${port}/slow`);
    await slow.started;
    proc.child.kill('SIGTERM');
    const answer = await slow.done;
    expect(answer, server).toEqual({ status: 200, connection: 'close', body: 'working… done' });
    // One SIGTERM only: a second one means "exit now".
    const ended = await stopWith(proc, null);
    expect(ended, `${server}: ${proc.output()}`).toEqual({ code: 0, signal: null });
    expect(proc.output(), server).toContain('database pool closed');
    await expect(request(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 }), server).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }
}

Object.assign(SCENARIOS, { 'drain-http': drainCheck, 'drain-express': drainCheck, 'drain-fastify': drainCheck });

/** health.md: every endpoint answers as the page's table says once the server has called ready(); the app keeps its own paths. */
async function healthCheck(ctx: ScenarioContext): Promise<void> {
  for (const server of ['server.mjs', 'server.cjs']) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = node(ctx, server, { PORT: String(port) });
    await answered(`${base}/alive`, proc);
    // ready() is called once it listens: a readiness probe passes.
    expect(JSON.parse((await answersWith(`${base}/ready`, 200)).body), server).toMatchObject({ status: 'pass', state: 'ready' });
    expect((await request(`${base}/startup`)).status, server).toBe(200);
    const summary = await request(`${base}/health`);
    expect(summary.status, `${server}: ${summary.body}`).toBe(200);
    expect(JSON.parse(summary.body).status, server).toMatch(/^(pass|warn)$/);
    const metrics = await request(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^svc_health_state\{state="ready"\} 1$/m);
    // Any other path is the app's.
    expect(await request(`${base}/`), server).toMatchObject({ status: 200, body: 'hello' });
    await stopWith(proc, 'SIGTERM');
  }
}

Object.assign(SCENARIOS, { 'health-http': healthCheck, 'health-express': healthCheck, 'health-fastify': healthCheck });

/** ipc.md: the script calls the server's admin method; SIGTERM ends the server and removes its socket. */
async function ipcAdmin(ctx: ScenarioContext): Promise<void> {
  const runtime = path.join(ctx.sandbox.home, 'xdg');
  mkdirSync(runtime, { mode: 0o700 });
  const env = { XDG_RUNTIME_DIR: runtime };
  const socket = path.join(runtime, `my-api-${process.getuid!()}`, 'admin.sock');
  const clear = async () => {
    const client = node(ctx, 'clear-cache.mjs', env);
    return { ...(await client.exited), output: client.output().trim() };
  };
  for (const server of ['server.mjs', 'server.cjs']) {
    const port = await freePort();
    const proc = node(ctx, server, { ...env, PORT: String(port) });
    expect((await answersWith(`http://127.0.0.1:${port}/`, 200)).body, server).toBe('hello');
    await waitUntil(`${socket} to exist`, () => existsSync(socket));
    expect(await clear(), server).toEqual({ code: 0, signal: null, output: 'removed 2 entries' });
    expect(await clear(), server).toEqual({ code: 0, signal: null, output: 'removed 0 entries' });
    expect(await stopWith(proc, 'SIGTERM'), `${server}: ${proc.output()}`).toEqual({ code: 0, signal: null });
    expect(existsSync(socket), 'the socket file is removed').toBe(false);
    expect(await clear(), server).toEqual({ code: 1, signal: null, output: 'the server is not running' });
  }
}

Object.assign(SCENARIOS, { 'ipc-admin': ipcAdmin });

/** supervisor.md: the server is started and ready, comes back after a SIGKILL, and SIGTERM stops both. */
async function supervise(ctx: ScenarioContext): Promise<void> {
  const port = await freePort();
  const proc = node(ctx, 'supervise.mjs', { PORT: String(port) });
  await proc.waitForOutput(/api is running, pid \d+/);
  const first = Number(/api is running, pid (\d+)/.exec(proc.output())![1]);
  expect((await request(`http://127.0.0.1:${port}/`)).body).toBe(`hello from ${first}`);
  process.kill(first, 'SIGKILL');
  const again = await waitUntil('the server to answer again from a new process', async () => {
    const body = (await request(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 })).body;
    return body !== `hello from ${first}` ? body : null;
  });
  expect(again).toMatch(/^hello from \d+$/);
  const second = Number(/\d+$/.exec(again)![0]);
  expect(await stopWith(proc, 'SIGTERM'), proc.output()).toEqual({ code: 0, signal: null });
  expect(isAlive(second), 'the supervised server is stopped with its supervisor').toBe(false);
  expect(proc.output()).toMatch(/→ running/);
}

Object.assign(SCENARIOS, { supervise });

/** installers.md: the units the page shows are exactly what generate() writes for the recipe's options. */
async function installersUnits(ctx: ScenarioContext): Promise<void> {
  const proc = node(ctx, 'preview.mjs');
  expect((await proc.exited).code, proc.output()).toBe(0);
  const shown = [...ctx.files].filter(([title]) => title.endsWith('.service'));
  expect(shown.length).toBe(2);
  for (const [title, file] of shown) {
    const text = readFileSync(file, 'utf8');
    expect(proc.output(), `the unit shown as ${title}`).toContain(`${title.replace(/^~/, os.homedir())}:\n${text}`);
  }
}

Object.assign(SCENARIOS, { 'installers-units': installersUnits });

/**
 * other-languages.md: the page's commands, in order; at its `svc reload` line, each service (Python,
 * Go, Puma) is reloaded under a stream of requests, each on a new connection: none fails, and the
 * new instances answer. Ports are the page's.
 */
async function fd3Languages(ctx: ScenarioContext): Promise<void> {
  const lines = ctx.commands.flatMap((c) => c.split('\n')).map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  // Go's build cache in the example's directory, not the runner's home.
  const env = { ...ctx.env, GOCACHE: path.join(ctx.dir, '.go-cache'), GOPATH: path.join(ctx.dir, '.go') };
  const sh = (line: string) => execFileP('bash', ['-euo', 'pipefail', '-c', line], { cwd: ctx.dir, env, timeout: 180_000 });
  const services = { py: 18000, go: 18001, rb: 18002 };
  try {
    for (const line of lines) {
      if (!line.startsWith('svc reload')) {
        await sh(line);
        continue;
      }
      for (const [name, port] of Object.entries(services)) {
        const url = `http://127.0.0.1:${port}/`;
        const pidsOf = async (count: number) => {
          const seen = new Set<string>();
          await waitUntil(`${count} instances of ${name} to answer`, async () => {
            seen.add((await request(url, { timeoutMs: 5_000 })).body.trim());
            return seen.size >= count;
          });
          return seen;
        };
        const before = await pidsOf(2);
        const failures: string[] = [];
        let answered = 0;
        let stop = false;
        const loop = (async () => {
          while (!stop) {
            try {
              const res = await request(url, { timeoutMs: 10_000 });
              if (res.status === 200) answered++;
              else failures.push(`status ${res.status}`);
            } catch (error) {
              failures.push((error as Error).message);
            }
          }
        })();
        await sh(`svc reload ${name}`);
        const after = await waitUntil(`new instances of ${name} to answer`, async () => {
          const body = (await request(url, { timeoutMs: 5_000 })).body.trim();
          return before.has(body) ? null : body;
        });
        stop = true;
        await loop;
        expect(after, name).toMatch(new RegExp(`^${name === 'py' ? 'python' : name === 'go' ? 'go' : 'ruby'} \\d+$`));
        expect(failures, name).toEqual([]);
        expect(answered, name).toBeGreaterThan(0);
      }
    }
  } finally {
    await sh('svc stop --all').catch(() => undefined);
  }
}

Object.assign(SCENARIOS, { 'fd3-languages': fd3Languages });
