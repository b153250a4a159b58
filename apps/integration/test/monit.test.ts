import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signal } from './helpers/processes.js';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';
import { REPO } from './helpers/paths.js';
import { writeTerminalScreenshot } from './helpers/screenshot.js';
import { closeTerminals, colourSequences, drawnRows, openTerminal, type Terminal } from './helpers/terminal.js';

/*
 * `svc monit` in a real terminal (tmux, helpers/terminal.ts), over a real daemon running real
 * services of two projects. What is asserted is what the screen shows, what the terminal was
 * left as, and what the daemon did; never how long anything took.
 */

afterEach(closeTerminals);

const nodeService = (lines: string[]) => ({
  command: process.execPath,
  args: ['-e', lines.join(';')],
  readiness: { type: 'none', startWindow: '200ms' },
  restart: { delay: '200ms' },
});

/** api prints its own colours, a line far wider than the screen and a tab; all three must be tamed. */
const API = nodeService([
  "console.log('api up')",
  "console.log('\\u001b[31mred from api\\u001b[0m then a long line ' + 'x'.repeat(300))",
  "console.log('a\\ttab')",
  "setInterval(() => console.log('api tick'), 400)",
  "setInterval(() => console.error('api warn'), 900)",
]);
const WORKER = nodeService(["console.log('worker up')", "setInterval(() => console.log('worker tick'), 700)"]);
const WEB = nodeService(["console.log('web up')", 'setInterval(() => {}, 1000)']);

interface Projects {
  one: string;
  two: string;
}

/** Two projects: one (api, worker) and two (web), every service running. */
async function twoProjects(sb: Sandbox): Promise<Projects> {
  const one = sb.project('one', { services: { api: API, worker: WORKER } });
  const two = sb.project('two', { services: { web: WEB } });
  await sb.ok(['start', '--all'], { cwd: one });
  await sb.ok(['start', '--all'], { cwd: two });
  return { one, two };
}

/** The pid `svc status` gives for a service of a project. */
async function pidOf(sb: Sandbox, dir: string, name: string): Promise<number | null> {
  const item = (await sb.status()).find((i) => i.name === name && i.project === path.join(dir, 'svc.config.yaml'));
  return item?.pid ?? null;
}

/** The list row of a service: its name, state, pid and restarts as the screen shows them. */
function rowOf(rows: string[], name: string): { state: string; pid: number | null; restarts: number | null } | undefined {
  const row = rows.find((r) => new RegExp(`^[› ] ${name}\\s`).test(r));
  const m = row ? /^[› ] \S+\s+(\S+)\s+(\d+|-)\s+(?:\S+(?: \S+)?)\s+(\d+)?\s/.exec(row) : null;
  return m ? { state: m[1]!, pid: m[2] === '-' ? null : Number(m[2]), restarts: m[3] === undefined ? null : Number(m[3]) } : undefined;
}

const running = (rows: string[], names: string[]) => names.every((name) => rowOf(rows, name)?.state === 'running');

/** Searches the log pane (`/`, the text, Enter) and waits until it shows a line holding the text. */
async function findInPane(tty: Terminal, text: string): Promise<string[]> {
  await tty.keys('/');
  await tty.type(text);
  await tty.keys('Enter');
  return tty.waitForScreen(`the search for "${text}" to show its line`, (r) => r.some((l) => l.includes(`search: ${text} ─`)) && r.some((l) => / (out|err) /.test(l) && l.includes(text)));
}

async function monitOn(sb: Sandbox, options: Parameters<typeof openTerminal>[2] = {}): Promise<Terminal> {
  const terminal = await openTerminal(sb, ['monit'], options);
  await terminal.waitForScreen('svc monit to list the three services, running', (rows) => running(rows, ['api', 'worker', 'web']));
  return terminal;
}

describe('svc monit', () => {
  it('shows every service of two projects; a crash shows at once, then the restart with its new pid', async () => {
    const sb = createSandbox();
    const { one, two } = await twoProjects(sb);
    const tty = await monitOn(sb);
    const rows = await tty.screen();
    // Both projects, each above its services; api (the first) is selected and its pane shows its output.
    const at = (text: string) => rows.findIndex((r) => r.includes(text));
    expect(at(path.join(one, 'svc.config.yaml'))).toBeLessThan(at(' api '));
    expect(at(' worker ')).toBeLessThan(at(path.join(two, 'svc.config.yaml')));
    expect(at(path.join(two, 'svc.config.yaml'))).toBeLessThan(at(' web '));
    expect(rows.find((r) => /^› api /.test(r))).toBeDefined();
    await tty.waitForScreen("api's output in the log pane", (r) => r.some((l) => / out api tick$/.test(l)) && r.some((l) => / err api warn$/.test(l)));

    const before = (await pidOf(sb, one, 'api'))!;
    expect(rowOf(await tty.screen(), 'api')).toMatchObject({ pid: before, restarts: 0 });
    signal(before, 'SIGKILL');
    // The crash is said (status line, and api's events in its pane), then api runs again under a new pid.
    const after = await tty.waitForScreen('the crash and the restart on screen', (r) => {
      const api = rowOf(r, 'api');
      return api?.state === 'running' && api.pid !== before && api.restarts === 1 && r.some((l) => l.includes('api crashed (crash: signal)'));
    });
    expect(after.some((l) => / svc exited: SIGKILL \(signal\)$/.test(l))).toBe(true);
    expect(rowOf(after, 'api')!.pid).toBe(await pidOf(sb, one, 'api'));
    // The others were left alone.
    expect(rowOf(after, 'worker')).toMatchObject({ state: 'running', restarts: 0 });
    expect(rowOf(after, 'web')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('r restarts the selected service, as svc restart does', async () => {
    const sb = createSandbox();
    const { one } = await twoProjects(sb);
    const tty = await monitOn(sb);
    const api = await pidOf(sb, one, 'api');
    const before = (await pidOf(sb, one, 'worker'))!;
    await tty.keys('j');
    await tty.waitForScreen('worker selected', (r) => r.some((l) => /^› worker /.test(l)) && r.some((l) => l.startsWith('─ worker ·')));
    await tty.keys('r');
    const rows = await tty.waitForScreen('the restart said in the status line', (r) => r.some((l) => /^worker restarted \(pid \d+\)$/.test(l)));
    const said = Number(/^worker restarted \(pid (\d+)\)$/m.exec(rows.join('\n'))![1]);
    expect(said).not.toBe(before);
    expect(await pidOf(sb, one, 'worker')).toBe(said);
    expect(await pidOf(sb, one, 'api')).toBe(api);
    // The daemon was asked: a stop was requested of the old process, and a new one spawned.
    const events = (await sb.ok(['logs', 'worker', '--events', '-n', '100'], { cwd: one })).stdout;
    expect(events).toContain(`"type":"stop-requested","pid":${before}`);
    expect(events).toContain(`"type":"spawned","pid":${said}`);
    await tty.waitForScreen('the new pid in the list', (r) => rowOf(r, 'worker')?.pid === said);
  });

  it('s stops each service; once the daemon has exited it says so, and S brings a service (and a daemon) back', async () => {
    const sb = createSandbox();
    const { two } = await twoProjects(sb);
    const tty = await monitOn(sb);
    const first = Number(/daemon pid (\d+)/.exec((await tty.screen())[0]!)![1]);
    await tty.keys('s');
    await tty.waitForScreen('api stopped', (r) => rowOf(r, 'api')?.state === 'stopped' && r.includes('api stopped'));
    await tty.keys('j', 's');
    await tty.waitForScreen('worker stopped', (r) => rowOf(r, 'worker')?.state === 'stopped' && r.includes('worker stopped'));
    await tty.keys('j', 's');
    // The last service stopped: the daemon exits, the view says so and keeps every service listed.
    await tty.waitForScreen('the daemon gone', (r) => r[0]!.includes('· no daemon running ·') && ['api', 'worker', 'web'].every((n) => rowOf(r, n)?.state === 'stopped'));
    expect(await sb.status()).toEqual([]);
    await tty.keys('S');
    const back = await tty.waitForScreen('web running on a new daemon', (r) => rowOf(r, 'web')?.state === 'running' && /daemon pid \d+/.test(r[0]!) && r.includes(`web is running (pid ${rowOf(r, 'web')!.pid})`));
    expect(Number(/daemon pid (\d+)/.exec(back[0]!)![1])).not.toBe(first);
    expect(rowOf(back, 'web')!.pid).toBe(await pidOf(sb, two, 'web'));
    expect(rowOf(back, 'api')!.state).toBe('stopped');
    // Its pane follows it again: the new run's output and events.
    await tty.waitForScreen("web's new run in its pane", (r) => r.some((l) => / svc spawned pid \d+$/.test(l) && l.endsWith(`pid ${rowOf(back, 'web')!.pid}`)) && r.some((l) => / out web up$/.test(l)));
  });

  it('leaves the terminal as it found it: q, Ctrl-C, SIGTERM, SIGHUP, and a failure of the view (said, exit 1)', async () => {
    const sb = createSandbox();
    await twoProjects(sb);
    // A failure of the view itself cannot be provoked from outside: a module preloaded into the
    // svc process throws, uncaught, when it gets SIGUSR2 — an exception like any other in the view.
    const failing = sb.writeFile('fail-on-usr2.mjs', "process.on('SIGUSR2', () => { throw new Error('the view failed here'); });\n");
    const ways: Array<[string, (tty: Terminal) => Promise<void>, number, Record<string, string>]> = [
      ['q', (tty) => tty.keys('q'), 0, {}],
      ['Ctrl-C', (tty) => tty.keys('C-c'), 0, {}],
      ['SIGTERM', async (tty) => void signal(await tty.pid(), 'SIGTERM'), 128 + 15, {}],
      ['SIGHUP', async (tty) => void signal(await tty.pid(), 'SIGHUP'), 128 + 1, {}],
      ['an exception', async (tty) => void signal(await tty.pid(), 'SIGUSR2'), 1, { NODE_OPTIONS: `--import=${failing}` }],
    ];
    for (const [way, end, status, env] of ways) {
      const tty = await monitOn(sb, { env });
      expect(await tty.modes(), way).toEqual({ alternate: true, cursor: false });
      await end(tty);
      expect(await tty.exitStatus(), way).toBe(status);
      // Back on the shell's screen, cursor shown: the emulator's state, and the bytes that put it there.
      expect(await tty.modes(), way).toEqual({ alternate: false, cursor: true });
      const raw = tty.raw();
      expect(raw.lastIndexOf('\u001b[?1049l'), way).toBeGreaterThan(raw.lastIndexOf('\u001b[?1049h'));
      expect(raw.lastIndexOf('\u001b[?25h'), way).toBeGreaterThan(raw.lastIndexOf('\u001b[?25l'));
      expect(raw.lastIndexOf('\u001b[?7h'), way).toBeGreaterThan(raw.lastIndexOf('\u001b[?7l'));
      // The error is said on the restored screen, after the view's last frame.
      if (status === 1) expect(raw.lastIndexOf('the view failed here'), way).toBeGreaterThan(raw.lastIndexOf('\u001b[?1049l'));
      await tty.close();
    }
    // The services ran on throughout.
    expect((await sb.status()).map((i) => i.state)).toEqual(['running', 'running', 'running']);
  });

  it('without a terminal exits 2 naming svc status and svc logs -f; --json is refused the same way', async () => {
    const sb = createSandbox();
    const piped = await sb.svc(['monit']);
    expect(piped).toMatchObject({ code: 2, stdout: '' });
    expect(piped.stderr).toContain('svc monit needs a terminal');
    expect(piped.stderr).toContain('svc status');
    expect(piped.stderr).toContain('svc logs -f');
    const json = await sb.svc(['monit', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'EUSAGE' } });
  });

  it('NO_COLOR: not one colour escape (the services’ own neither); without it, states in colour', async () => {
    const sb = createSandbox();
    await twoProjects(sb);
    // The sandbox sets NO_COLOR=1 for every svc.
    const plain = await monitOn(sb);
    await findInPane(plain, 'red from api');
    expect(colourSequences(plain.raw())).toEqual([]);
    // Selection and emphasis are not colour: they stay.
    expect(plain.raw()).toContain('\u001b[1;7m');
    await plain.close();

    const coloured = await monitOn(sb, { unset: ['NO_COLOR'] });
    await findInPane(coloured, 'red from api');
    const colours = colourSequences(coloured.raw());
    expect(colours).toContain('\u001b[32m');
    // svc's colours only: the service's red is taken out, as any escape a service prints.
    expect(coloured.raw()).not.toContain('\u001b[31mred from api');
  });

  it('fits 80×24: header, list, log pane, status and help line, no row wider than the screen; a resize redraws', async () => {
    const sb = createSandbox();
    const { one } = await twoProjects(sb);
    const tty = await monitOn(sb);
    const rows = await findInPane(tty, 'long line');
    expect(rows).toHaveLength(24);
    expect(rows[0]).toMatch(/^svc monit \d\d:\d\d:\d\d · daemon pid \d+ \(\S+\) · 3 services · all projects$/);
    expect(rows[1]).toMatch(/^ {2}SERVICE +STATE +PID +UPTIME +↺ CPU +MEM +HEALTH$/);
    expect(rows[2]).toBe(`  ${path.join(one, 'svc.config.yaml')}`);
    const title = rows.findIndex((r) => r.startsWith('─ api · '));
    expect(title).toBeGreaterThan(rows.findIndex((r) => /^ {2}web /.test(r)));
    expect(rows[title]).toHaveLength(80);
    expect(rows[23]).toBe('↑↓ r restart l reload s stop S start +/- scale p project / search ? help q quit');
    // The long line is cut at the edge, the tab made spaces; every row svc drew fits 80 columns.
    const long = rows.find((r) => r.includes('red from api then a long line'))!;
    expect(long).toHaveLength(80);
    expect(long.endsWith('x…')).toBe(true);
    await tty.keys('Escape');
    await tty.waitForScreen('the search cleared', (r) => r.some((l) => l.startsWith('─ api · ')) && !r.some((l) => l.includes('search: ')));
    await findInPane(tty, 'tab');
    await tty.waitForScreen('the tab made spaces', (r) => r.some((l) => / out a {7}tab$/.test(l)));
    const drawn = drawnRows(tty.raw());
    expect(drawn.length).toBeGreaterThan(24);
    for (const row of drawn) expect([...row].length, row).toBeLessThanOrEqual(80);

    await tty.resize(100, 30);
    const wider = await tty.waitForScreen('the frame redrawn at 100×30', (r) => r.length === 30 && r[29]!.startsWith('↑↓ select  r restart') && r.some((l) => l.startsWith('─ api · ') && l.length === 100));
    expect(wider[0]).toMatch(/^svc monit /);
    // The guide's picture of svc monit (docs/guides/live-view.md), taken from this screen.
    writeTerminalScreenshot(path.join(REPO, 'docs/public/screenshots/svc-monit.svg'), wider, 100);
    await tty.resize(80, 24);
    await tty.waitForScreen('the frame redrawn at 80×24 again', (r) => r.length === 24 && r[23] === rows[23] && r.some((l) => l.startsWith('─ api · ') && l.length === 80));
  });
});
