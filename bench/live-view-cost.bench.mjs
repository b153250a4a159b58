// What watching costs the daemon: 20 services that each print a line a second, and the daemon's
// CPU (utime + stime from /proc, as a share of one core) over a window with nobody watching, with
// `svc monit` running in a terminal (tmux, 80×24), and with `svc monit` plus the `svc ui` page
// open in Chromium (the page follows the first service's log). The same with PM2 7: its daemon's
// CPU with nobody watching and with `pm2 monit` running. Target (issue: live view): the svc daemon
// under 2 % of a core with the page open and monit running.
//
//   node bench/live-view-cost.bench.mjs [--seconds 60]     (after pnpm build; needs tmux and chromium)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { leftovers, loadLog, measure, mustSucceed, runNode, snapshotCli, sweep } from './lib/tools.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const WINDOW_S = Number(args.seconds);
const SERVICES = 20;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const require = createRequire(path.join(here, '..', 'apps', 'integration', 'package.json'));
const { chromium } = require('playwright-core');
const PM2_BIN = path.join(here, 'node_modules', 'pm2', 'bin', 'pm2');
const PM2_VERSION = JSON.parse(readFileSync(path.join(here, 'node_modules', 'pm2', 'package.json'), 'utf8')).version;

const work = mkdtempSync(path.join(os.tmpdir(), 'svc-bench-live-'));
const marker = `SVC_BENCH_LIVE=${path.basename(work)}`;
const SVC_HOME = path.join(work, 'svc-home');
const PM2_HOME = path.join(work, 'pm2');
const project = path.join(work, 'project');
mkdirSync(project, { recursive: true });
const base = { ...process.env, SVC_BENCH_LIVE: path.basename(work), NO_COLOR: '1' };
for (const key of Object.keys(base)) if (/^(SVC_|PM2_)/.test(key) && key !== 'SVC_BENCH_LIVE') delete base[key];
const svcEnv = { ...base, SVC_HOME };
const pm2Env = { ...base, PM2_HOME };
const { bin: SVC } = snapshotCli(path.join(here, '..', 'apps', 'cli'), work);

// Each service prints a numbered line every second: what a log tail shows.
const APP = path.join(project, 'talk.mjs');
writeFileSync(APP, "let n = 0; setInterval(() => console.log(`line ${++n} from ${process.pid}`), 1000);\n");
const services = Array.from({ length: SERVICES }, (_, i) => `  s${i + 1}:\n    command: ${process.execPath}\n    args: [${APP}]\n    readiness: { type: none }\n`).join('');
writeFileSync(path.join(project, 'svc.config.yaml'), `services:\n${services}`);

/** CPU time (user + system) of `pid` in seconds, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The share of one core `pids` used over WINDOW_S seconds (each pid's own CPU, summed). */
async function cpuShare(pids) {
  const before = pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const used = pids.map((pid, i) => cpuSeconds(pid) - before[i]);
  return used.map((u) => (100 * u) / seconds);
}

const daemonPid = () => {
  const found = leftovers(`SVC_HOME=${SVC_HOME}`).filter((pid) => /daemon\.mjs/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1')));
  if (found.length !== 1) throw new Error(`expected one svc daemon, found ${found.length}`);
  return found[0];
};
const pm2Pid = () => Number(readFileSync(path.join(PM2_HOME, 'pm2.pid'), 'utf8'));
const tmuxSocket = path.join(work, 'tmux.sock');
const tmux = (...argv) => spawnSync('tmux', ['-S', tmuxSocket, ...argv], { encoding: 'utf8' });
/** Runs `argv` in a detached 80×24 tmux session; returns the pid of the program in it. */
function inTerminal(name, env, argv) {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const r = tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', ...envArgs, '--', ...argv);
  if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
  return Number(tmux('display-message', '-p', '-t', name, '#{pane_pid}').stdout.trim());
}

const results = [];
const { loads, note } = loadLog();
let browser;
let ui;

const problems = await measure(
  async () => {
    await mustSucceed('svc start', runNode(SVC, ['start'], { env: svcEnv, cwd: project }));
    const daemon = daemonPid();
    // Settle: the first samples and the services' start are not what watching costs.
    await new Promise((resolve) => setTimeout(resolve, 10_000));

    note('svc: nobody watching');
    results.push({ tool: 'svc', watching: 'nobody', cpu: (await cpuShare([daemon]))[0] });

    const monit = inTerminal('monit', { ...svcEnv, TERM: 'xterm-256color' }, [process.execPath, SVC, 'monit']);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    note('svc: svc monit');
    const [d1, m1] = await cpuShare([daemon, monit]);
    results.push({ tool: 'svc', watching: '`svc monit`', cpu: d1, viewer: m1 });

    ui = spawn(process.execPath, [SVC, 'ui', '--json'], { env: svcEnv, cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    const { url } = await new Promise((resolve, reject) => {
      ui.stdout.once('data', (d) => resolve(JSON.parse(String(d))));
      ui.once('exit', (code) => reject(new Error(`svc ui exited ${code}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM });
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('[data-testid="service"]').nth(SERVICES - 1).waitFor();
    await page.locator('[data-testid="log-lines"] li').first().waitFor();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    note('svc: svc monit and svc ui open in Chromium');
    const [d2, m2, u2] = await cpuShare([daemon, monit, ui.pid]);
    results.push({ tool: 'svc', watching: '`svc monit` and the `svc ui` page', cpu: d2, viewer: m2 + u2 });
    await browser.close();
    browser = undefined;
    ui.kill('SIGTERM');
    tmux('kill-session', '-t', 'monit');

    for (let i = 1; i <= SERVICES; i++) await mustSucceed(`pm2 start s${i}`, runNode(PM2_BIN, ['start', APP, '--name', `s${i}`], { env: pm2Env, cwd: project }));
    const pm2 = pm2Pid();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    note('PM2: nobody watching');
    results.push({ tool: `PM2 ${PM2_VERSION}`, watching: 'nobody', cpu: (await cpuShare([pm2]))[0] });
    const pm2Monit = inTerminal('pm2monit', { ...pm2Env, TERM: 'xterm-256color' }, [process.execPath, PM2_BIN, 'monit']);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    note('PM2: pm2 monit');
    const [p1, pm1] = await cpuShare([pm2, pm2Monit]);
    results.push({ tool: `PM2 ${PM2_VERSION}`, watching: '`pm2 monit`', cpu: p1, viewer: pm1 });
    tmux('kill-session', '-t', 'pm2monit');
  },
  () => {
    void browser?.close();
    ui?.kill('SIGKILL');
    tmux('kill-server');
    return sweep({
      stops: [
        { what: 'svc stop --all', file: SVC, argv: ['stop', '--all'], env: svcEnv, cwd: project },
        { what: 'pm2 kill', file: PM2_BIN, argv: ['kill'], env: pm2Env, cwd: project },
      ],
      marker,
      scratch: work,
    });
  },
);

const pct = (x) => `${x.toFixed(2)} %`;
console.log(`node ${process.version}, ${SERVICES} services printing a line a second, CPU over ${WINDOW_S} s windows, ${os.cpus().length} cores\n`);
console.log('| daemon | watching | daemon CPU, % of a core | the viewers\' own CPU |');
console.log('| --- | --- | ---: | ---: |');
for (const r of results) console.log(`| ${r.tool} | ${r.watching} | ${pct(r.cpu)} | ${r.viewer === undefined ? '—' : pct(r.viewer)} |`);
const svcBoth = results.find((r) => r.tool === 'svc' && r.watching.includes('ui'));
const svcMonit = results.find((r) => r.tool === 'svc' && r.watching === '`svc monit`');
const pm2Monit = results.find((r) => r.tool.startsWith('PM2') && r.watching === '`pm2 monit`');
console.log(`\nsvc daemon with monit and the page: ${pct(svcBoth.cpu)} (target < 2 %: ${svcBoth.cpu < 2 ? 'met' : 'not met'}); with monit ÷ PM2's with pm2 monit: ${(svcMonit.cpu / pm2Monit.cpu).toFixed(2)}×`);
console.log(`load average at each phase: ${loads.map((l) => `${l.at}: ${l.loadavg[0]}`).join('; ')}`);
for (const p of problems) console.log(`problem: ${p}`);
writeFileSync(path.join(here, 'results', 'live-view-cost.json'), `${JSON.stringify({ when: new Date().toISOString(), node: process.version, windowS: WINDOW_S, services: SERVICES, results, loads, problems }, null, 2)}\n`);
