import { spawnSync } from 'node:child_process';
import { register as globalRegistry, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type Health, type HealthOptions } from '../src/index.js';
import { get, listen } from './helpers/http.js';

const handles: Health[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const health of handles.splice(0)) health.close();
  for (const close of closers.splice(0)) await close();
});
const make = (options: HealthOptions = {}) => {
  const health = createHealth({ notify: 'none', ...options });
  handles.push(health);
  return health;
};
const scrape = async (health: Health) => {
  const { url, close } = await listen((req, res) => void health.handler(req, res));
  closers.push(close);
  const reply = await get(`${url}/metrics`);
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toBe(health.registry.contentType);
  return reply.body;
};

describe('/metrics', () => {
  it('passes `promtool check metrics` with no lint error (default metrics, passing and failing checks)', async () => {
    const health = make();
    health.addCheck('db', () => true);
    health.addCheck('queue', () => false, { critical: false });
    await health.ready();
    const text = await scrape(health);
    expect(text).toContain('process_cpu_seconds_total');
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect({ status: promtool.status, stdout: promtool.stdout, stderr: promtool.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('shows a gauge per check, check durations and the state', async () => {
    const health = make({ defaultMetrics: false });
    health.addCheck('db', () => true);
    health.addCheck('queue', () => false, { critical: false });
    health.setState('ready');
    health.setState('draining');
    const text = await scrape(health);
    expect(text).toContain('svc_health_check_status{check="db"} 1');
    expect(text).toContain('svc_health_check_status{check="queue"} 0');
    expect(text).toContain('svc_health_check_critical{check="queue"} 0');
    expect(text).toContain('svc_health_check_duration_seconds_count{check="db"} 1');
    expect(text).toContain('svc_health_state{state="draining"} 1');
    expect(text).toContain('svc_health_state{state="ready"} 0');
  });

  it('keeps two handles in one process apart, and leaves prom-client\'s global registry alone', async () => {
    const globalBefore = (await globalRegistry.getMetricsAsJSON()).map((metric) => metric.name);
    const a = make();
    const b = make();
    a.addCheck('a', () => true);
    b.addCheck('b', () => false);
    const [textA, textB] = [await scrape(a), await scrape(b)];
    expect(textA).toContain('svc_health_check_status{check="a"} 1');
    expect(textA).not.toContain('check="b"');
    expect(textB).toContain('svc_health_check_status{check="b"} 0');
    expect((await globalRegistry.getMetricsAsJSON()).map((metric) => metric.name)).toEqual(globalBefore);
  });

  it('merges with an app registry through Registry.merge', async () => {
    const app = new Registry();
    new Gauge({ name: 'app_queue_depth', help: 'Jobs waiting.', registers: [app] }).set(3);
    const health = make({ defaultMetrics: false });
    health.addCheck('db', () => true);
    const merged = Registry.merge([app, health.registry]);
    const text = await merged.metrics();
    expect(text).toContain('app_queue_depth 3');
    expect(text).toContain('svc_health_check_status{check="db"} 1');
  });

  it('registers into a given registry, refuses a clash there without touching it, and unregisters on close()', () => {
    const app = new Registry();
    new Gauge({ name: 'app_queue_depth', help: 'Jobs waiting.', registers: [app] });
    const first = make({ registry: app, defaultMetrics: false });
    const names = () => app.getMetricsAsArray().map((metric) => metric.name).sort();
    const withFirst = names();
    expect(withFirst).toContain('svc_health_state');
    expect(() => make({ registry: app, defaultMetrics: false })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'metricsPrefix' }));
    expect(() => make({ registry: app, metricsPrefix: 'other_', defaultMetrics: true })).not.toThrow();
    expect(() => make({ registry: app, metricsPrefix: 'third_', defaultMetrics: true })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'defaultMetrics' }));
    expect(names().filter((name) => name.startsWith('third_'))).toEqual([]);
    first.close();
    expect(names()).toContain('app_queue_depth');
    expect(names().filter((name) => name.startsWith('svc_health_'))).toEqual([]);
  });
});
