import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adhocProject, connectDaemon, createDaemon, type Daemon, type DaemonConnection } from '../src/index.js';
import { Harness, NODE, fixture, waitFor } from './helpers.js';

/*
 * The daemon's metrics, as Prometheus would scrape them: a real daemon with real services, its
 * HTTP endpoint fetched with fetch(), the text checked by `promtool check metrics`.
 */

const h = new Harness();
const daemons: Daemon[] = [];
const connections: DaemonConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close();
  for (const d of daemons.splice(0)) await d.close();
  await h.cleanup();
});

/** Every sample of an exposition text, as `name{labels} value` split apart. */
function samples(text: string): Array<{ name: string; labels: string; value: number }> {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const match = /^([a-z_:][a-z0-9_:]*)(\{.*\})? (\S+)$/.exec(l);
      if (!match) throw new Error(`not a sample: ${l}`);
      return { name: match[1]!, labels: match[2] ?? '', value: Number(match[3]) };
    });
}
const sample = (text: string, name: string, ...labels: string[]) => samples(text).find((s) => s.name === name && labels.every((l) => s.labels.includes(l)))?.value;

function promtool(text: string): string {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return `${run.status} ${run.stdout}${run.stderr}`.trim();
}

async function daemonWithMetrics(extra: Parameters<typeof createDaemon>[0] = {}): Promise<{ d: Daemon; c: DaemonConnection; env: { SVC_HOME: string } }> {
  const env = { SVC_HOME: h.tempDir() };
  const d = await createDaemon({ env, handleSignals: false, exitWhenIdle: false, ...extra });
  daemons.push(d);
  const c = (await connectDaemon({ env }))!;
  connections.push(c);
  return { d, c, env };
}

describe('daemon metrics', () => {
  it('serves over HTTP what operators alert on, per project, service and instance, and promtool accepts it', async () => {
    const { d, c } = await daemonWithMetrics({ metrics: { host: '127.0.0.1', port: 0 } });
    const { http } = await c.client.call('metrics', null);
    expect(http).toMatchObject({ listen: { host: '127.0.0.1', port: 0 }, error: null });
    const url = http!.url!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const api = { project: adhocProject, service: 'api' };
    await d.start(api, { definition: { command: NODE, args: [fixture('http-server.mjs')], cwd: process.cwd(), readiness: { type: 'notify' } } });
    // Exits with code 1 after 100 ms, each time: restarted twice, then a crash loop.
    const flaky = { project: adhocProject, service: 'flaky' };
    await d.start(flaky, {
      definition: { command: NODE, args: [fixture('exit-with.mjs'), '1', '100'], cwd: process.cwd(), readiness: { type: 'none', startWindow: '20ms' }, restart: { delay: '10ms', crashLoop: { count: 3, window: '1m' } } },
    });
    await waitFor(() => d.status({ service: 'flaky' })[0]?.state === 'failed', 'flaky to give up');
    // Without listen, a reload is a restart ("fallback").
    await d.reload(api);
    await d.service(api).flushLogs();

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(promtool(text)).toBe('0');

    const adhoc = 'project="adhoc"';
    expect(sample(text, 'svc_service_up', adhoc, 'service="api"', 'instance="0"')).toBe(1);
    expect(sample(text, 'svc_service_state', 'service="flaky"', 'state="failed"')).toBe(1);
    expect(sample(text, 'svc_service_exits_total', 'service="flaky"', 'reason="exit-code"')).toBe(3);
    expect(sample(text, 'svc_service_gave_up_total', 'service="flaky"', 'kind="crash-loop"')).toBe(1);
    expect(sample(text, 'svc_service_restarts_total', 'service="flaky"')).toBe(2);
    expect(sample(text, 'svc_service_time_to_ready_seconds', 'service="api"')).toBeGreaterThan(0);
    expect(sample(text, 'svc_service_reloads_total', 'service="api"', 'outcome="fallback"')).toBe(1);
    // "listening <port>" and "exit-with 1 pid …" lines: bytes the disk took.
    expect(sample(text, 'svc_service_log_bytes_total', 'service="api"')).toBeGreaterThan(10);
    expect(sample(text, 'svc_service_log_bytes_total', 'service="flaky"')).toBeGreaterThan(30);
    expect(sample(text, 'svc_service_log_dropped_lines_total', 'service="api"')).toBe(0);
    expect(sample(text, 'svc_daemon_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    const heapUsed = sample(text, 'svc_daemon_heap_used_bytes') ?? Number.NaN;
    expect(heapUsed).toBeGreaterThan(1024 * 1024);
    expect(sample(text, 'svc_daemon_heap_total_bytes')).toBeGreaterThanOrEqual(heapUsed);
    // At least the daemon's own Buffers (its log writers' and sockets').
    expect(sample(text, 'svc_daemon_external_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'svc_daemon_event_loop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'svc_daemon_event_loop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'svc_daemon_info', 'version="')).toBe(1);
    // The admin socket's text is the same families.
    const viaSocket = (await c.client.call('metrics', null)).text;
    expect(samples(viaSocket).map((s) => `${s.name}${s.labels}`).filter((k) => !k.startsWith('svc_daemon_') && !k.includes('uptime') && !k.includes('cpu') && !k.includes('memory'))).toEqual(
      samples(text).map((s) => `${s.name}${s.labels}`).filter((k) => !k.startsWith('svc_daemon_') && !k.includes('uptime') && !k.includes('cpu') && !k.includes('memory')),
    );

    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('reads metrics.listen from the settings file; a port in use leaves supervision alone and is said', async () => {
    // A port taken by someone else.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const env = { SVC_HOME: h.tempDir() };
      writeFileSync(path.join(env.SVC_HOME, 'daemon.json'), JSON.stringify({ metrics: { listen: `127.0.0.1:${port}` } }));
      const d = await createDaemon({ env, handleSignals: false, exitWhenIdle: false });
      daemons.push(d);
      const c = (await connectDaemon({ env }))!;
      connections.push(c);
      const { http, text } = await c.client.call('metrics', null);
      expect(http).toMatchObject({ listen: { host: '127.0.0.1', port }, url: null, error: expect.stringMatching(/^EADDRINUSE/) });
      expect(text).toContain('svc_daemon_info');
      await d.start({ project: adhocProject, service: 'still' }, { definition: { command: NODE, args: [fixture('http-server.mjs')], cwd: process.cwd(), readiness: { type: 'notify' } } });
      expect(d.status({ service: 'still' })[0]?.state).toBe('running');
    } finally {
      taken.close();
    }

    const env = { SVC_HOME: h.tempDir() };
    writeFileSync(path.join(env.SVC_HOME, 'daemon.json'), JSON.stringify({ metrics: { listen: 0 } }));
    await expect(createDaemon({ env, handleSignals: false })).rejects.toMatchObject({
      code: 'EINVALID_OPTIONS',
      message: expect.stringContaining(`invalid option metrics.listen (in ${path.join(env.SVC_HOME, 'daemon.json')}): 0; expected a port (1-65535`),
    });
    writeFileSync(path.join(env.SVC_HOME, 'daemon.json'), JSON.stringify({ metrics: { listen: 9464, path: '/x' } }));
    await expect(createDaemon({ env, handleSignals: false })).rejects.toMatchObject({ message: expect.stringContaining('invalid option metrics.path (in ') });
    writeFileSync(path.join(env.SVC_HOME, 'daemon.json'), '{ "metrics": ');
    await expect(createDaemon({ env, handleSignals: false })).rejects.toMatchObject({ message: expect.stringContaining(`invalid option settings file ${path.join(env.SVC_HOME, 'daemon.json')}`) });
    // Nothing was left holding the lock: a valid file lets the daemon start.
    writeFileSync(path.join(env.SVC_HOME, 'daemon.json'), JSON.stringify({ metrics: { listen: null } }));
    const d = await createDaemon({ env, handleSignals: false, exitWhenIdle: false });
    daemons.push(d);
    const c = (await connectDaemon({ env }))!;
    connections.push(c);
    expect((await c.client.call('metrics', null)).http).toBeNull();
  });
});
