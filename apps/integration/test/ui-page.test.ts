/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { REPO } from './helpers/paths.js';
import { signal } from './helpers/processes.js';
import { createSandbox, eventsOf, exampleService, type Sandbox, type SvcProcess } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/*
 * `svc ui` as a user gets it: the built CLI serving the page for a sandbox's daemon, real
 * services, and the page driven in Chromium (playwright-core). What is asserted is what the page
 * shows, what the daemon did and what the server answers; never how long anything took. The
 * screenshot of the docs (docs/guides/live-view.md) is taken here, so it shows the page as it is.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(REPO, 'docs/public/screenshots/svc-ui.png');

/** Prints a counter every 200 ms (stderr every 10th) and keeps a little more memory each time, up to ≈ 64 MB. */
const COUNTER = {
  command: process.execPath,
  args: [
    '-e',
    [
      'let n = 0; const kept = [];',
      'setInterval(() => { n++; if (kept.length < 512) kept.push(Buffer.alloc(128 * 1024, n));',
      "console.log('count ' + n); if (n % 10 === 0) console.error('tenth ' + n); }, 200);",
    ].join(' '),
  ],
  readiness: { type: 'none', startWindow: '200ms' },
};

interface Ui {
  url: string;
  port: number;
  token: string;
  process: SvcProcess;
}

/** `svc ui --port 0 --json` in the sandbox (its SVC_HOME, so its daemon), once it printed its line. */
async function openUi(sb: Sandbox): Promise<Ui> {
  const ui = sb.spawnSvc(['ui', '--port', '0', '--json']);
  const line = await waitUntil('svc ui to print its URL', () => ui.lines()[0], { timeoutMs: 30_000, describe: () => `stderr: ${ui.stderr()}` });
  return { ...(JSON.parse(line) as Omit<Ui, 'process'>), process: ui };
}

let browser: Browser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
});

/** A page of a fresh browser, collecting what went wrong on it (a console error is a CSP refusal, a script error…). */
async function newPage(problems: string[]): Promise<Page> {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  browser = await chromium.launch({ executablePath: chromiumPath });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

const card = (page: Page, name: string) => page.locator(`[data-testid="service"][data-service="${name}"]`);
const textOf = async (page: Page, name: string, testId: string) => (await card(page, name).locator(`[data-testid="${testId}"]`).textContent())?.trim() ?? '';

/** The counter values in the log tail, as the page shows them. */
async function countsShown(page: Page): Promise<number[]> {
  const texts = await page.locator('[data-testid="log-lines"] li[data-kind="out"] .text').allTextContents();
  return texts.map((t) => /^count (\d+)$/.exec(t)?.[1]).filter((n) => n !== undefined).map(Number);
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the ui server with exactly these headers (node:http adds Host unless it is given). */
function call(port: number, pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer to ${pathname}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('svc ui', () => {
  it('lists the services, updates its charts, tails the log and restarts a service from its button', async () => {
    const sb = createSandbox();
    const port = await freePort();
    const config = sb.writeConfig({ services: { counter: COUNTER, web: exampleService(port, { listen: { port, host: '127.0.0.1' }, stop: { timeout: '20s' } }) } });
    await sb.ok(['start']);
    const ui = await openUi(sb);
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/?token=${ui.token}`);
    expect(Buffer.from(ui.token, 'base64url')).toHaveLength(32);

    const problems: string[] = [];
    const page = await newPage(problems);
    await page.goto(ui.url);
    // Both services, running, under their project; the pids are the daemon's.
    await waitUntil('both services listed as running', async () => (await textOf(page, 'counter', 'state')) === 'running' && (await textOf(page, 'web', 'state')) === 'running');
    expect(await page.locator('[data-testid="project"] h2').allTextContents()).toEqual([config]);
    const before = (await sb.item('counter'))!.pid!;
    expect(await textOf(page, 'counter', 'pid')).toBe(String(before));
    expect(await textOf(page, 'web', 'pid')).toBe(String((await sb.item('web'))!.pid));
    // The token left the address bar once the cookie held it.
    expect(page.url()).toBe(`http://127.0.0.1:${ui.port}/`);
    // Reload is offered where it is a zero-downtime reload (listen), not for the counter.
    expect(await card(page, 'web').locator('[data-testid="reload"]').isEnabled()).toBe(true);
    expect(await card(page, 'counter').locator('[data-testid="reload"]').isDisabled()).toBe(true);

    // The memory chart takes new samples and says so in its text alternative.
    const chart = card(page, 'counter').locator('[data-testid="memory-chart"]');
    const first = { samples: Number(await chart.getAttribute('data-samples')), label: await chart.getAttribute('aria-label') };
    expect(first.label).toMatch(/^Memory of counter over the last (hour|\d+ min|\d+ s): [\d.]+ [KMG]B now, peak [\d.]+ [KMG]B, \d+ samples$/);
    await waitUntil('the memory chart to take three more samples', async () => Number(await chart.getAttribute('data-samples')) >= first.samples + 3);
    expect(await chart.getAttribute('aria-label')).not.toBe(first.label);
    expect(await chart.locator('path').count()).toBe(1);

    // The log tail shows lines the counter prints after they were first seen.
    await card(page, 'counter').locator('[data-testid="select"]').click();
    await expect.poll(() => page.locator('[data-testid="log-title"]').textContent(), { timeout: 30_000 }).toBe('Log · counter');
    const seen = await waitUntil('the counter in the log tail', async () => Math.max(0, ...(await countsShown(page))) || null);
    await waitUntil(`a count above ${seen + 5} in the log tail`, async () => Math.max(0, ...(await countsShown(page))) > seen + 5);
    // Its stderr is there too, marked as such.
    await waitUntil('a stderr line in the tail', async () => (await page.locator('[data-testid="log-lines"] li[data-kind="err"] .text').allTextContents()).some((t) => /^tenth \d+$/.test(t)));

    // Restart: said on the card, a new pid on the page and in svc status, and the daemon recorded who asked.
    await card(page, 'counter').locator('[data-testid="restart"]').click();
    await waitUntil('the restart said on the card', async () => /^counter restarted \(pid \d+\)$/.test(await textOf(page, 'counter', 'result')));
    const said = Number(/\(pid (\d+)\)/.exec(await textOf(page, 'counter', 'result'))![1]);
    expect(said).not.toBe(before);
    await waitUntil('the new pid on the page', async () => (await textOf(page, 'counter', 'pid')) === String(said));
    expect((await sb.item('counter'))!.pid).toBe(said);
    const requested = (await eventsOf(sb, 'counter')).filter((e) => e.type === 'requested');
    expect(requested).toEqual([expect.objectContaining({ action: 'restart', by: 'svc ui (127.0.0.1)', instance: -1 })]);
    await waitUntil('the restart in the log tail', async () => (await page.locator('[data-testid="log-lines"] li[data-kind="svc"] .text').allTextContents()).includes(`spawned pid ${said}`));
    await waitUntil('counting again after the restart', async () => (await textOf(page, 'counter', 'state')) === 'running' && (await countsShown(page)).length > 10);

    expect(problems).toEqual([]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('says when the daemon is gone, and follows the next one', async () => {
    const sb = createSandbox();
    sb.writeConfig({ services: { counter: COUNTER } });
    await sb.ok(['start', 'counter']);
    const ui = await openUi(sb);
    const problems: string[] = [];
    const page = await newPage(problems);
    await page.goto(ui.url);
    await waitUntil('the counter running, its lines in the tail', async () => (await textOf(page, 'counter', 'state')) === 'running' && (await countsShown(page)).length > 0);
    const daemon = page.locator('[data-testid="daemon"]');
    const first = await daemon.textContent();

    // The last service stopped: the daemon exits, and the page says so; the service stays listed, its buttons off.
    await sb.ok(['stop', 'counter']);
    await waitUntil('the page to say no daemon runs', async () => (await daemon.textContent())?.startsWith('No svc daemon is running'));
    expect(await textOf(page, 'counter', 'state')).toBe('stopped');
    expect(await card(page, 'counter').locator('[data-testid="restart"]').isDisabled()).toBe(true);

    // A new daemon: the page follows it, and the tail follows the counter again.
    await sb.ok(['start', 'counter']);
    const pid = (await sb.item('counter'))!.pid!;
    await waitUntil('the new daemon and the counter running again', async () => (await textOf(page, 'counter', 'pid')) === String(pid) && (await textOf(page, 'counter', 'state')) === 'running');
    expect(await daemon.textContent()).not.toBe(first);
    await waitUntil('the new process counting in the tail', async () => (await page.locator('[data-testid="log-lines"] li[data-kind="svc"] .text').allTextContents()).includes(`spawned pid ${pid}`));
    expect(problems).toEqual([]);
  });

  it('answers nothing without the token, from another Origin or under another Host name; SIGTERM ends it', async () => {
    const sb = createSandbox();
    sb.writeConfig({ services: { counter: COUNTER } });
    await sb.ok(['start', 'counter']);
    const before = (await sb.item('counter'))!.pid!;
    const ui = await openUi(sb);
    const own = `http://127.0.0.1:${ui.port}`;
    const cookie = `svc_ui_${ui.port}=${ui.token}`;
    const json = { 'Content-Type': 'application/json' };
    const state = await call(ui.port, '/api/state', { headers: { Cookie: cookie } });
    expect(state.status).toBe(200);
    const project = (JSON.parse(state.body) as { picture: { projects: Array<{ id: string }> } }).picture.projects[0]!.id;
    const restart = JSON.stringify({ project, service: 'counter', action: 'restart' });

    // No token (or a wrong one): 401 for the page, its script, the API and an action.
    for (const target of ['/', '/app.js', '/api/state', '/api/events', `/?token=${'A'.repeat(43)}`]) expect((await call(ui.port, target)).status, target).toBe(401);
    expect((await call(ui.port, '/api/state', { headers: { Cookie: `svc_ui_${ui.port}=${'A'.repeat(43)}` } })).status).toBe(401);
    expect((await call(ui.port, '/api/action', { method: 'POST', headers: { ...json, Origin: own }, body: restart })).status).toBe(401);
    // The token in the URL opens the page and sets the cookie; every answer carries the policy and no CORS header.
    const opened = await call(ui.port, `/?token=${ui.token}`);
    expect(opened.status).toBe(200);
    expect(opened.headers['set-cookie']).toEqual([`${cookie}; HttpOnly; SameSite=Strict; Path=/`]);
    for (const answer of [opened, state, await call(ui.port, '/api/state')]) {
      expect(answer.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }

    // With the cookie but from elsewhere: another Origin, no Origin, a form's content type, a preflight, another Host name.
    const evil = await call(ui.port, '/api/action', { method: 'POST', headers: { ...json, Cookie: cookie, Origin: 'http://evil.example' }, body: restart });
    expect(evil.status).toBe(403);
    expect((await call(ui.port, '/api/state', { headers: { Cookie: cookie, Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await call(ui.port, '/api/action', { method: 'POST', headers: { ...json, Cookie: cookie }, body: restart })).status).toBe(403);
    expect((await call(ui.port, '/api/action', { method: 'POST', headers: { 'Content-Type': 'text/plain', Cookie: cookie, Origin: own }, body: restart })).status).toBe(403);
    const preflight = await call(ui.port, '/api/action', { method: 'OPTIONS', headers: { Cookie: cookie, Origin: own, 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(405);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    for (const host of [`evil.example:${ui.port}`, `127.0.0.1.nip.io:${ui.port}`, `127.0.0.1:${ui.port + 1}`]) {
      expect((await call(ui.port, '/api/state', { headers: { Host: host, Cookie: cookie } })).status, host).toBe(421);
    }
    // Nothing was restarted, nor recorded as asked.
    expect((await sb.item('counter'))!.pid).toBe(before);
    expect((await eventsOf(sb, 'counter')).filter((e) => e.type === 'requested')).toEqual([]);

    // A bad action is refused naming what is wrong; from the page's own origin an action runs.
    const bad = await call(ui.port, '/api/action', { method: 'POST', headers: { ...json, Cookie: cookie, Origin: own }, body: JSON.stringify({ project: 'x', service: 'counter', action: 'start', extra: 1 }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ ok: false, error: { code: 'EUSAGE', message: 'unknown key extra: expected project, service and action' } });
    const done = await call(ui.port, '/api/action', { method: 'POST', headers: { ...json, Cookie: cookie, Origin: own }, body: restart });
    expect(JSON.parse(done.body)).toMatchObject({ ok: true, message: expect.stringMatching(/^counter restarted \(pid \d+\)$/) });

    // Only loopback is served; SIGTERM closes the server and the command exits 0.
    const remote = await sb.svc(['ui', '--host', '0.0.0.0']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--host must be a loopback address');
    signal(ui.process.child.pid!, 'SIGTERM');
    const ended = await ui.process.exited;
    expect(ended).toMatchObject({ code: 0, signal: null });
    await expect(call(ui.port, '/api/state', { headers: { Cookie: cookie } })).rejects.toThrow(/ECONNREFUSED/);
  });
});
