import { expect, it } from 'vitest';
import { freePort, request, whoAnswers } from './helpers/http.js';
import { EXAMPLE_SERVER } from './helpers/paths.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, type Sandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/** The supervisor's events of `name`, from `svc logs --events`. */
async function events(sb: Sandbox, name: string): Promise<Array<Record<string, unknown>>> {
  const result = await sb.ok(['logs', name, '--events', '-n', '200']);
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('a command that dies at once is a failed start: exit 1 with its exit code and stderr, at that exit, not after a crash loop', async () => {
  const sb = createSandbox();
  const begun = performance.now();
  const started = await sb.svc(['start', 'bad', '--', process.execPath, '-e', 'console.error("boom"); process.exit(1)']);
  const tookMs = performance.now() - begun;
  expect(started.code).toBe(1);
  expect(started.stdout).toBe('');
  expect(started.stderr.split('\n')).toEqual([
    'Error: bad did not start (failed): exited with code 1 within its start window (1000 ms, readiness.startWindow)',
    "last lines of bad's stderr:",
    '  boom',
    '',
  ]);
  // One spawn, no restart: the answer is that first exit. (The crash loop it no longer waits for
  // takes 5 spawns and 1 + 2 + 4 + 8 s of backoff; this bound only says it was not waited for.)
  expect(tookMs).toBeLessThan(5_000);
  const seen = await events(sb, 'bad');
  expect(seen.filter((e) => e.type === 'spawned')).toHaveLength(1);
  expect(seen.some((e) => e.type === 'restarting')).toBe(false);
  expect(seen.find((e) => e.type === 'gave-up')).toMatchObject({ kind: 'start-failed' });

  const item = await sb.item('bad');
  expect(item).toMatchObject({ state: 'failed', pid: null, restarts: 0, lastExit: { code: 1, signal: null } });
  // Nothing runs for it, and the daemon, with nothing left to run, is gone.
  await waitUntil('the daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });

  // The same with --json: one error object on stdout, nothing on stderr.
  const json = await sb.svc(['start', 'bad2', '--json', '--', process.execPath, '-e', 'console.error("boom"); process.exit(4)']);
  expect(json.code).toBe(1);
  expect(json.stderr).toBe('');
  expect(JSON.parse(json.stdout)).toMatchObject({
    error: {
      code: 'ESTART_FAILED',
      message: 'bad2 did not start (failed): exited with code 4 within its start window (1000 ms, readiness.startWindow)',
      service: 'bad2',
      stderrTail: ['boom'],
      lastExit: { code: 4, signal: null },
    },
  });
});

it('a command that stays up is started once its start window has passed; one that dies inside the window is not', async () => {
  const sb = createSandbox();
  const stays = await sb.svc(['start', 'slow', '--', process.execPath, '-e', 'console.log("up"); setInterval(() => {}, 1 << 30)']);
  expect(stays.code).toBe(0);
  expect(stays.stdout).toMatch(/^slow is running \(pid \d+\)$/m);
  const ready = (await events(sb, 'slow')).find((e) => e.type === 'ready');
  expect(ready!.startupMs as number).toBeGreaterThanOrEqual(1000);

  // Up for 600 ms, then gone: inside the window, so a failed start although it ran for a while.
  const late = await sb.svc(['start', 'late', '--', process.execPath, '-e', 'console.error("late failure"); setTimeout(() => process.exit(2), 600)']);
  expect(late.code).toBe(1);
  expect(late.stderr).toMatch(/^Error: late did not start \(failed\): exited with code 2 within its start window/m);
  expect(late.stderr).toContain('  late failure');
  await sb.ok(['stop', '--all']);
});

it('--ready chooses the readiness of an ad-hoc service: tcp, http and notify, each ready without the start window', async () => {
  const sb = createSandbox();
  const forms = async (name: string, ready: (port: number) => string) => {
    const port = await freePort();
    const started = await sb.svc(['start', name, '--ready', ready(port), '--', process.execPath, EXAMPLE_SERVER], { env: { PORT: String(port) } });
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    // Ready means the server answers, at the moment svc start returns.
    expect(await whoAnswers(port)).toMatchObject({ pid: Number(/pid (\d+)/.exec(started.stdout)![1]) });
    expect((await events(sb, name)).filter((e) => e.type === 'ready')).toHaveLength(1);
  };
  await forms('bytcp', (port) => `tcp:${port}`);
  await forms('byhost', (port) => `tcp:127.0.0.1:${port}`);
  await forms('byhttp', (port) => `http://127.0.0.1:${port}/health`);
  await forms('bynotify', () => 'notify');
  const items = await sb.status();
  expect(items.map((i) => [i.name, i.state]).sort()).toEqual([
    ['byhost', 'running'],
    ['byhttp', 'running'],
    ['bynotify', 'running'],
    ['bytcp', 'running'],
  ]);
  await sb.ok(['stop', '--all']);
});

it('--ready, --instances and --listen values the rules refuse are usage errors naming the flag, and nothing starts', async () => {
  const sb = createSandbox();
  const cases: Array<[string[], RegExp]> = [
    [['--ready', 'bogus'], /^--ready must be none, notify, tcp:PORT, tcp:HOST:PORT or an http\(s\):\/\/ URL \(got "bogus"\)$/],
    [['--ready', 'tcp:99999'], /^--ready: readiness\.port must be an integer from 1 to 65535 \(got 99999\)$/],
    [['--ready', 'tcp:3000', '--listen', '3000'], /^--ready: readiness\.type must be notify or none with listen/],
    [['-i', '0'], /^--instances: instances must be /],
    [['--listen', 'nope'], /^--listen must be PORT or HOST:PORT \(got "nope"\)$/],
  ];
  for (const [flags, message] of cases) {
    const result = await sb.svc(['start', 'x', ...flags, '--json', '--', process.execPath, '-e', '0']);
    expect(result.code, flags.join(' ')).toBe(2);
    expect(result.stderr).toBe('');
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('EUSAGE');
    expect(error.message).toMatch(message);
  }
  // Ad-hoc flags on a config's service are refused: the config says how it starts.
  sb.writeConfig({ services: { api: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'] } } });
  const onConfig = await sb.svc(['start', 'api', '--ready', 'notify']);
  expect(onConfig.code).toBe(2);
  expect(onConfig.stderr).toMatch(/^Error: --ready is for an ad-hoc service/);
  expect(processesOf(sb.home)).toEqual([]);
});

it('svc start <script> runs it as an ad-hoc service named after the file (--name to choose), with -i and --listen', async () => {
  const sb = createSandbox();
  const port = await freePort();
  // Answers with its pid on the socket svc hands over as fd 3.
  sb.writeFile('app.cjs', `require('node:http').createServer((q, r) => r.end(String(process.pid))).listen({ fd: 3 }, () => process.send?.({ svc: 'ready' }));\n`);
  const started = await sb.ok(['start', 'app.cjs', '-i', '2', '--listen', `127.0.0.1:${port}`, '--ready', 'notify']);
  expect(started.stdout).toMatch(new RegExp(`^app is running \\(2 instances, pids \\d+, \\d+, listening on 127\\.0\\.0\\.1:${port}\\)$`, 'm'));
  const pids = new Set<string>();
  await waitUntil('both instances to answer', async () => {
    pids.add((await request(`http://127.0.0.1:${port}/`, { agent: false })).body);
    return pids.size === 2;
  });
  expect((await sb.item('app'))!.instances).toHaveLength(2);

  sb.writeFile('worker.cjs', `console.log('args ' + process.argv.slice(2).join(' ')); setInterval(() => {}, 1 << 30);\n`);
  await sb.ok(['start', 'worker.cjs', '--name', 'mailer', '--', '--queue', 'emails']);
  await waitUntil('the worker to log its arguments', async () => (await sb.svc(['logs', 'mailer', '-n', '5'])).stdout.includes('args --queue emails'));
  expect((await sb.status()).map((i) => i.name).sort()).toEqual(['app', 'mailer']);
  await sb.ok(['stop', '--all']);
});
