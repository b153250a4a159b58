import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { dataPanels, interpolate, labelValuesQuery, OBSERVABILITY, readDashboard, type Intervals } from './helpers/dashboard.js';
import { freePort, request } from './helpers/http.js';
import { startPrometheus, stopPrometheusServers, type PrometheusSample, type PrometheusServer } from './helpers/prometheus.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { startTraffic } from './helpers/traffic.js';
import { waitUntil } from './helpers/wait.js';

/*
 * The dashboard and the alert rules against real servers: the example server under svc with the
 * daemon's metrics endpoint on, scraped every second by a real Prometheus that runs the shipped
 * scrape config and rules. Every query of every panel must return data through Prometheus's HTTP
 * API, and each alert must go off on the fault it is about.
 */

afterEach(stopPrometheusServers);

/** Grafana's macros, as it would fill them for a 1 s scrape interval: every window spans many scrapes. */
const INTERVALS: Intervals = { rateInterval: '15s', interval: '5s', range: '5m' };

/** `text` with `from` replaced; `from` must occur exactly once, so that an edit of the example is noticed here. */
function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`prometheus.example.yml: expected "${from}" once, found it ${count} times`);
  return text.replace(from, () => to);
}

/** The documented scrape config with this test's ports, a 1 s interval and the shipped rules by absolute path. */
function scrapeConfig(daemonPort: number, serverPort: number): string {
  let text = readFileSync(path.join(OBSERVABILITY, 'prometheus/prometheus.example.yml'), 'utf8');
  text = replaceOnce(text, 'scrape_interval: 15s', 'scrape_interval: 1s');
  text = replaceOnce(text, 'evaluation_interval: 15s', 'evaluation_interval: 1s');
  text = replaceOnce(text, '- alerts.yml', `- ${JSON.stringify(path.join(OBSERVABILITY, 'prometheus/alerts.yml'))}`);
  text = replaceOnce(text, "'127.0.0.1:9464'", `'127.0.0.1:${daemonPort}'`);
  return replaceOnce(text, "'127.0.0.1:3000'", `'127.0.0.1:${serverPort}'`);
}

const finite = (samples: PrometheusSample[]) => samples.filter((s) => Number.isFinite(Number(s.value[1])));

/** Waits until `expr` returns at least one finite sample (rates need a few scrapes); a query Prometheus refuses fails at once. */
async function dataOf(prom: PrometheusServer, what: string, expr: string): Promise<PrometheusSample[]> {
  await prom.query(expr);
  return waitUntil(`data for ${what}: ${expr}`, async () => {
    const samples = await prom.query(expr);
    return finite(samples).length > 0 ? samples : null;
  }, { timeoutMs: 60_000, intervalMs: 500 });
}

it('every panel of the Grafana dashboard has data through a real Prometheus, and the alert rules go off on real faults', async () => {
  const sb = createSandbox();
  const [webPort, daemonPort] = [await freePort(), await freePort()];
  writeFileSync(path.join(sb.home, 'daemon.json'), JSON.stringify({ metrics: { listen: `127.0.0.1:${daemonPort}` } }));
  sb.writeConfig({
    services: {
      // A memory limit every instance is above, enforced only after an hour above it: the alert
      // goes off (pending within the test), svc restarts nothing for it meanwhile.
      web: exampleService(webPort, { restart: { delay: '200ms' }, limits: { memory: '1MB', window: '1h' } }),
      // Exits at once: a failed start that svc gives up on (state failed, gave up "start-failed").
      broken: { command: process.execPath, args: ['-e', 'process.exit(3)'], restart: { delay: '50ms' } },
    },
  });
  await sb.ok(['start', 'web']);
  expect((await sb.svc(['start', 'broken'])).code).toBe(1);
  expect((await sb.item('broken'))!.state).toBe('failed');

  const prom = await startPrometheus(scrapeConfig(daemonPort, webPort));
  await waitUntil('both targets to be scraped', async () => {
    const { activeTargets } = await prom.api<{ activeTargets: Array<{ labels: Record<string, string>; health: string }> }>('targets');
    return activeTargets.length === 2 && activeTargets.every((t) => t.health === 'up');
  });
  // Seen before the crashes, so that the restarts are an increase.
  await waitUntil('Prometheus to have scraped web with no restart yet', async () => (await prom.query('svc_service_restarts_total{service="web"} == 0')).length === 1);

  const traffic = startTraffic(webPort, ['GET /', 'GET /slow?ms=20', 'GET /nope', 'GET /fail', 'DELETE /', 'GET /']);
  try {
    // Three crashes, each restarted by svc: restarts, crashes, exits and times to ready move.
    for (let restarts = 1; restarts <= 3; restarts++) {
      await waitUntil('web to answer', async () => (await request(`http://127.0.0.1:${webPort}/crash`, { method: 'POST' })).status === 200);
      await waitUntil(`web to run again after crash ${restarts}`, async () => {
        const item = await sb.item('web');
        return item?.state === 'running' && item.restarts === restarts;
      });
    }

    // The template variables, resolved as Grafana does: each from label_values() with the ones before it.
    const dashboard = readDashboard();
    const values: Record<string, string[]> = {};
    for (const variable of dashboard.templating.list) {
      if (variable.type === 'datasource') continue;
      const { selector, label } = labelValuesQuery(variable);
      const match = interpolate(selector, values, INTERVALS);
      values[variable.name] = await waitUntil(`values of $${variable.name} (${match})`, async () => {
        const found = await prom.api<string[]>(`label/${label}/values`, { 'match[]': match });
        return found.length > 0 ? found : null;
      });
    }
    expect(values).toEqual({
      project: [expect.stringMatching(/^cfg-[0-9a-f]{12}$/)],
      service: ['broken', 'web'],
      instance: ['0'],
      job: ['web'],
      server: [`127.0.0.1:${webPort}`],
    });

    // Every target of every panel, as Grafana would send it.
    const queries = new Map<string, string>();
    for (const panel of dataPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        const what = `"${panel.title}" ${target.refId}`;
        queries.set(what, interpolate(target.expr, values, INTERVALS));
        await dataOf(prom, what, queries.get(what)!);
      }
    }
    // And what they show is the scenario: a query's answer is read until it says so (the last
    // scrape may have caught web between a crash and its restart).
    const shows = async (what: string, check: (samples: PrometheusSample[]) => boolean) => {
      let last: PrometheusSample[] = [];
      await waitUntil(`${what} to show the scenario`, async () => check((last = await prom.query(queries.get(what)!))), {
        describe: () => JSON.stringify(last.map((s) => [s.metric, s.value[1]])),
      });
    };
    const value = (samples: PrometheusSample[], match: Record<string, string>) =>
      Number(samples.find((s) => Object.entries(match).every(([k, v]) => s.metric[k] === v))?.value[1]);
    const labels = (samples: PrometheusSample[], label: string) => new Set(samples.map((s) => s.metric[label]));
    await shows('"Up" A', (s) => value(s, { service: 'web' }) === 1 && value(s, { service: 'broken' }) === 0);
    await shows('"State" A', (s) => s.map((x) => `${x.metric.service} ${x.metric.state}`).sort().join() === 'broken failed,web running');
    await shows('"Crashes, failed starts, exits and give-ups" C', (s) => labels(s, 'reason').has('exit-code'));
    await shows('"Crashes, failed starts, exits and give-ups" D', (s) => s.length === 1 && s[0]!.metric.kind === 'start-failed');
    await shows('"Time to ready" A', (s) => value(s, { service: 'web' }) > 0);
    await shows('"Request rate by route" A', (s) => ['/', '/fail', '/slow', 'unmatched', '/metrics'].every((r) => labels(s, 'route').has(r)));
    await shows('"Requests by status class" A', (s) => ['2xx', '4xx', '5xx'].every((c) => labels(s, 'status_class').has(c)));
    await shows('"Error ratio (5xx)" A', (s) => value(s, { job: 'web' }) > 0);
    await shows('"Daemon memory" A', (s) => value(s, {}) > 0);

    // The rules load and evaluate without error, and each alert is pending or firing on its fault.
    await waitUntil('every rule of alerts.yml to have been evaluated without error', async () => {
      const { groups } = await prom.api<{ groups: Array<{ file: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('rules');
      const shipped = groups.filter((g) => g.file.endsWith('alerts.yml')).flatMap((g) => g.rules);
      const unhealthy = shipped.filter((r) => r.health !== 'ok');
      if (unhealthy.some((r) => r.health === 'err')) throw new Error(`rules failed: ${JSON.stringify(unhealthy)}`);
      return shipped.length === 7 && unhealthy.length === 0;
    });
    type Alert = { labels: Record<string, string>; state: string };
    const expected: Array<[string, Record<string, string>]> = [
      ['SvcServiceDown', { service: 'broken', instance: '0' }],
      ['SvcServiceCrashLooping', { service: 'web', instance: '0' }],
      ['SvcServiceMemoryNearLimit', { service: 'web', instance: '0' }],
      ['SvcHttpErrorRatioHigh', { job: 'web', instance: `127.0.0.1:${webPort}` }],
    ];
    let alerts: Alert[] = [];
    await waitUntil(
      'the four alerts to go off',
      async () => {
        alerts = (await prom.api<{ alerts: Alert[] }>('alerts')).alerts;
        return expected.every(([name, match]) => alerts.some((a) => a.labels.alertname === name && Object.entries(match).every(([k, v]) => a.labels[k] === v)));
      },
      { timeoutMs: 60_000, describe: () => JSON.stringify(alerts) },
    );
    expect(alerts.filter((a) => a.labels.alertname === 'SvcDaemonDown')).toEqual([]);
  } finally {
    await traffic.stop();
  }
  expect(traffic.statuses.get(500)).toBeGreaterThan(0);
  await sb.ok(['stop', '--all']);
}, 300_000);
