import { spawnSync } from 'node:child_process';
import { Agent, createServer, request, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, isHealthError, REQUEST_METRICS_DEFAULTS, type Health, type HealthOptions, type InstrumentOptions } from '../src/index.js';
import { fixture } from './helpers/child.js';
import { find, samples, value } from './helpers/exposition.js';
import { get, listen } from './helpers/http.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const P = 'svc_health_';
const TOTAL = `${P}http_requests_total`;
const DURATION = `${P}http_request_duration_seconds`;
const IN_FLIGHT = `${P}http_requests_in_flight`;
const CONNECTIONS = `${P}http_open_connections`;

const hello: RequestListener = (_req, res) => void res.end('hello');

/** A real server on port 0, instrumented before it listens, and a health handle. */
async function serve(
  listener: RequestListener,
  options: { health?: HealthOptions; instrument?: InstrumentOptions } = {},
): Promise<{ health: Health; server: Server; url: string }> {
  const health = createHealth({ defaultMetrics: false, notify: 'none', ...options.health });
  const server = createServer((req, res) => {
    if (health.handler(req, res)) return;
    listener(req, res);
  });
  health.instrument(server, options.instrument);
  const { url, close } = await listen(server);
  cleanups.push(() => health.close(), close);
  return { health, server, url };
}

const scrape = (health: Health) => health.registry.metrics();

/** Sends every path over keep-alive connections, `concurrency` at a time; resolves with the statuses. */
async function hitAll(url: string, paths: string[], concurrency = 16): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = request(`${url}${path}`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          });
          req.on('error', reject);
          req.end();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return statuses;
}

/** Resolves once the server has seen `count` sockets close (from the moment this is called). */
function socketsClosed(server: Server, open: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (open.size === 0) resolve();
    };
    for (const socket of open) socket.once('close', check);
    check();
  });
}

/** Keeps track of the server's open sockets from the test's side, to wait on their closing. */
function trackSockets(server: Server): Set<Socket> {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return open;
}

describe('request metrics on a plain node:http server', () => {
  it('counts requests by method, status class and route, with a duration histogram', async () => {
    const { health, url } = await serve((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : req.url === '/boom' ? 500 : req.method === 'POST' ? 201 : 200;
      res.end();
    }, { instrument: { route: (req) => (req.url === '/missing' ? undefined : req.url) } });
    await get(`${url}/a`);
    await get(`${url}/a`);
    await get(`${url}/a`, { method: 'POST' });
    await get(`${url}/boom`);
    await get(`${url}/missing`);
    await get(`${url}/a`, { method: 'PROPFIND' });
    const text = await scrape(health);
    expect(value(text, TOTAL, { method: 'GET', status_class: '2xx', route: '/a' })).toBe(2);
    expect(value(text, TOTAL, { method: 'POST', status_class: '2xx', route: '/a' })).toBe(1);
    expect(value(text, TOTAL, { method: 'GET', status_class: '5xx', route: '/boom' })).toBe(1);
    expect(value(text, TOTAL, { method: 'GET', status_class: '4xx', route: 'unmatched' })).toBe(1);
    expect(value(text, TOTAL, { method: 'OTHER', status_class: '2xx', route: '/a' })).toBe(1);
    expect(find(text, TOTAL)).toHaveLength(5);
    // The histogram's count per series equals the counter's.
    expect(value(text, `${DURATION}_count`, { method: 'GET', status_class: '2xx', route: '/a' })).toBe(2);
    expect(value(text, `${DURATION}_bucket`, { method: 'GET', status_class: '2xx', route: '/a', le: '+Inf' })).toBe(2);
  });

  it('labels every request "unmatched" when no route function is given, and probes by their path', async () => {
    const { health, url } = await serve(hello);
    await get(`${url}/users/1`);
    await get(`${url}/users/2?x=1`);
    await get(`${url}/ready`);
    await get(`${url}/ready`, { method: 'POST' });
    const text = await scrape(health);
    expect(value(text, TOTAL, { route: 'unmatched' })).toBe(2);
    expect(value(text, TOTAL, { route: '/ready', status_class: '5xx' })).toBe(1); // starting: 503
    expect(value(text, TOTAL, { route: '/ready', status_class: '4xx', method: 'POST' })).toBe(1); // 405
  });

  it('puts each duration in its bucket (durations from the handle\'s injected clock)', async () => {
    let clockMs = 1_000;
    const { health, url } = await serve(
      (req, res) => {
        clockMs += req.url === '/slow' ? 300 : 20;
        res.end();
      },
      { health: { now: () => clockMs }, instrument: { route: (req) => req.url, durationBuckets: [0.05, 0.25, 0.5] } },
    );
    await get(`${url}/slow`);
    await get(`${url}/fast`);
    const text = await scrape(health);
    const buckets = (route: string) =>
      Object.fromEntries(find(text, `${DURATION}_bucket`, { route }).map((s) => [s.labels.le, s.value]));
    expect(buckets('/slow')).toEqual({ '0.05': 0, '0.25': 0, '0.5': 1, '+Inf': 1 });
    expect(buckets('/fast')).toEqual({ '0.05': 1, '0.25': 1, '0.5': 1, '+Inf': 1 });
    expect(value(text, `${DURATION}_sum`, { route: '/slow' })).toBeCloseTo(0.3, 9);
  });

  it('uses the documented default buckets', async () => {
    const { health, url } = await serve(hello);
    await get(`${url}/`);
    const bounds = find(await scrape(health), `${DURATION}_bucket`).map((s) => s.labels.le);
    expect(bounds).toEqual([...REQUEST_METRICS_DEFAULTS.durationBuckets.map(String), '+Inf']);
  });

  it('shows requests in flight and open connections while they are open, and 0 after', async () => {
    const held: ServerResponse[] = [];
    let arrived: () => void = () => undefined;
    const { health, server, url } = await serve((_req, res) => {
      held.push(res);
      if (held.length === 3) arrived();
    });
    const open = trackSockets(server);
    const allArrived = new Promise<void>((resolve) => (arrived = resolve));
    const replies = [get(`${url}/`), get(`${url}/`), get(`${url}/`)];
    await allArrived;
    let text = await scrape(health);
    expect(value(text, IN_FLIGHT)).toBe(3);
    expect(value(text, CONNECTIONS)).toBe(3);
    expect(find(text, TOTAL)).toEqual([]);

    for (const res of held) res.end('done');
    await Promise.all(replies);
    // get() asks for Connection: close; the server's sockets close after the responses.
    await socketsClosed(server, open);
    text = await scrape(health);
    expect(value(text, IN_FLIGHT)).toBe(0);
    expect(value(text, CONNECTIONS)).toBe(0);
    expect(value(text, TOTAL, { status_class: '2xx' })).toBe(3);
  });

  it('counts a keep-alive connection once for all its requests', async () => {
    const { health, server, url } = await serve(hello);
    const open = trackSockets(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const once = () =>
      new Promise<void>((resolve, reject) => {
        request(`${url}/`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject).end();
      });
    await once();
    await once();
    await once();
    let text = await scrape(health);
    expect(value(text, CONNECTIONS)).toBe(1);
    expect(value(text, TOTAL)).toBe(3);
    agent.destroy();
    await socketsClosed(server, open);
    text = await scrape(health);
    expect(value(text, CONNECTIONS)).toBe(0);
  });

  it('counts a request whose client left before the response as status_class "aborted", once', async () => {
    let arrived: (res: ServerResponse) => void = () => undefined;
    const arrival = new Promise<ServerResponse>((resolve) => (arrived = resolve));
    const { health, url } = await serve((_req, res) => arrived(res));
    const client = request(`${url}/slow`, { agent: false });
    client.on('error', () => undefined); // the reset this test causes on purpose
    client.end();
    const res = await arrival;
    const closed = new Promise((resolve) => res.on('close', resolve));
    client.destroy();
    await closed;
    // A late end() after the client left changes nothing.
    res.end('too late');
    const text = await scrape(health);
    expect(value(text, TOTAL, { status_class: 'aborted', route: 'unmatched' })).toBe(1);
    expect(find(text, TOTAL)).toHaveLength(1);
    expect(value(text, IN_FLIGHT)).toBe(0);
  });

  it('never takes a label from the URL: 1000 distinct URLs make 3 series', async () => {
    const { health, url } = await serve(
      (req, res) => {
        res.statusCode = req.url!.startsWith('/users/') ? 200 : 404;
        res.end();
      },
      { instrument: { route: (req) => (req.url!.startsWith('/users/') ? '/users/:id' : undefined) } },
    );
    const paths = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `/users/${i}` : `/x${i}/${'%41'.repeat(i % 7)}?q=${i}`));
    paths.push('/ready');
    await hitAll(url, paths);
    const text = await scrape(health);
    const series = find(text, TOTAL).map((s) => `${s.labels.method} ${s.labels.status_class} ${s.labels.route} ${s.value}`);
    expect(series.sort()).toEqual(['GET 2xx /users/:id 500', 'GET 4xx unmatched 500', 'GET 5xx /ready 1']);
    expect(text).not.toMatch(/\/users\/\d|\/x\d/);
  });

  it('caps distinct route values at maxRoutes (a route() that returns URLs), says so once, and counts the rest as "other"', async () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const { health, url } = await serve(hello, {
      health: { logger: { warn: (message, fields) => void warnings.push([message, fields]) } },
      instrument: { route: (req) => req.url, maxRoutes: 5 },
    });
    await hitAll(url, Array.from({ length: 200 }, (_, i) => `/page/${i}`), 1);
    const routes = find(await scrape(health), TOTAL).map((s) => s.labels.route);
    expect(routes).toHaveLength(6);
    expect(routes).toContain('other');
    expect(value(await scrape(health), TOTAL, { route: 'other' })).toBe(195);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![1]).toEqual({ code: 'EHEALTH_ROUTE_LIMIT' });
    expect(warnings[0]![0]).toContain('maxRoutes (5)');
  });

  it('counts a request under "unmatched" when route() throws, warns once, and the server lives on', async () => {
    const warnings: string[] = [];
    const { health, url } = await serve(hello, {
      health: { logger: { warn: (_message, fields) => void warnings.push(String(fields?.code)) } },
      instrument: {
        route: () => {
          throw new Error('bad route function');
        },
      },
    });
    expect((await get(`${url}/a`)).status).toBe(200);
    expect((await get(`${url}/b`)).status).toBe(200);
    expect(value(await scrape(health), TOTAL, { route: 'unmatched' })).toBe(2);
    expect(warnings).toEqual(['EHEALTH_ROUTE_FAILED']);
  });

  it('serves the series on /metrics, which `promtool check metrics` accepts', async () => {
    let arrived: (res: ServerResponse) => void = () => undefined;
    const arrival = new Promise<ServerResponse>((resolve) => (arrived = resolve));
    const { url } = await serve(
      (req, res) => {
        if (req.url === '/hang') return arrived(res);
        res.statusCode = req.url === '/nope' ? 404 : 200;
        res.end();
      },
      { health: { defaultMetrics: true }, instrument: { route: (req) => (req.url === '/nope' ? undefined : req.url) } },
    );
    await get(`${url}/a`);
    await get(`${url}/nope`);
    const client = request(`${url}/hang`, { agent: false });
    client.on('error', () => undefined);
    client.end();
    const res = await arrival;
    const closed = new Promise((resolve) => res.on('close', resolve));
    client.destroy();
    await closed;
    const reply = await get(`${url}/metrics`);
    expect(reply.body).toContain(`# TYPE ${TOTAL} counter`);
    expect(reply.body).toContain(`# TYPE ${DURATION} histogram`);
    expect(reply.body).toContain(`# TYPE ${IN_FLIGHT} gauge`);
    expect(reply.body).toContain(`# TYPE ${CONNECTIONS} gauge`);
    expect(samples(reply.body).some((s) => s.labels.status_class === 'aborted')).toBe(true);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: reply.body, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect({ status: promtool.status, stdout: promtool.stdout, stderr: promtool.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('works the same from the ES module and the CommonJS build', () => {
    const run = spawnSync(process.execPath, [fixture('instrument-builds.mjs')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const line = 'svc_health_http_requests_total{method="GET",status_class="2xx",route="/hello"} 1';
    expect(JSON.parse(run.stdout)).toEqual({ esm: [line], cjs: [line] });
  });

  it('shows none of the request metrics on a handle that instruments nothing', async () => {
    const health = createHealth({ defaultMetrics: false, notify: 'none' });
    cleanups.push(() => health.close());
    expect(await scrape(health)).not.toContain('http_');
  });
});

describe('installing and removing', () => {
  it('uninstall() removes its listeners and stops counting; the series stay until close()', async () => {
    const health = createHealth({ defaultMetrics: false, notify: 'none' });
    const server = createServer(hello);
    const before = { request: server.listenerCount('request'), connection: server.listenerCount('connection') };
    const instrumentation = health.instrument(server);
    expect(server.listenerCount('request')).toBe(before.request + 1);
    const { url, close } = await listen(server);
    cleanups.push(close);
    await get(`${url}/`);
    instrumentation.uninstall();
    instrumentation.uninstall();
    expect({ request: server.listenerCount('request'), connection: server.listenerCount('connection') }).toEqual(before);
    await get(`${url}/`);
    const text = await scrape(health);
    expect(value(text, TOTAL)).toBe(1);
    expect(value(text, CONNECTIONS)).toBe(0);
    // The same server can be instrumented again.
    health.instrument(server).uninstall();
    health.close();
    expect(await scrape(health)).toBe('\n');
  });

  it('close() uninstalls and removes exactly the series it added from a shared registry', async () => {
    const registry = new Registry();
    const health = createHealth({ registry, defaultMetrics: false, notify: 'none' });
    const server = createServer(hello);
    health.instrument(server);
    const { url, close } = await listen(server);
    cleanups.push(close);
    await get(`${url}/`);
    expect(registry.getSingleMetric(TOTAL)).toBeDefined();
    health.close();
    expect(server.listenerCount('request')).toBe(1);
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect(() => health.instrument(server)).toThrow(expect.objectContaining({ code: 'EHEALTH_CLOSED' }));
  });

  it('keeps one histogram per handle: two servers add up, a second call may not change its buckets', async () => {
    const health = createHealth({ defaultMetrics: false, notify: 'none' });
    cleanups.push(() => health.close());
    const a = createServer(hello);
    const b = createServer(hello);
    health.instrument(a, { durationBuckets: [0.1, 1] });
    expect(() => health.instrument(b, { durationBuckets: [0.5] })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'durationBuckets' }));
    expect(() => health.instrument(b, { maxRoutes: 7 })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'maxRoutes' }));
    expect(() => health.instrument(a)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'target' }));
    expect(b.listenerCount('request')).toBe(1);
    health.instrument(b, { durationBuckets: [0.1, 1] });
    const [first, second] = [await listen(a), await listen(b)];
    cleanups.push(first.close, second.close);
    await get(`${first.url}/`);
    await get(`${second.url}/`);
    const text = await scrape(health);
    expect(value(text, TOTAL)).toBe(2);
    expect(find(text, `${DURATION}_bucket`).map((s) => s.labels.le)).toEqual(['0.1', '1', '+Inf']);
  });

  const bad: Array<[string, unknown, InstrumentOptions | undefined, string]> = [
    ['an Express-style app (a function with use)', Object.assign(() => undefined, { use: () => undefined, listen: () => undefined }), undefined, 'target'],
    ['something that is not a server', { listen: () => undefined }, undefined, 'target'],
    ['an unknown option', createServer(), { buckets: [1] } as InstrumentOptions, 'buckets'],
    ['a route that is not a function', createServer(), { route: '/x' as never }, 'route'],
    ['no buckets', createServer(), { durationBuckets: [] }, 'durationBuckets'],
    ['buckets that are not an array', createServer(), { durationBuckets: 0.5 as never }, 'durationBuckets'],
    ['a bucket that is a string', createServer(), { durationBuckets: [0.1, '1' as never] }, 'durationBuckets[1]'],
    ['a bucket of NaN', createServer(), { durationBuckets: [Number.NaN] }, 'durationBuckets[0]'],
    ['a bucket of +Inf (it is added)', createServer(), { durationBuckets: [1, Infinity] }, 'durationBuckets[1]'],
    ['a bucket of 0', createServer(), { durationBuckets: [0, 1] }, 'durationBuckets[0]'],
    ['buckets not increasing', createServer(), { durationBuckets: [0.1, 0.5, 0.5] }, 'durationBuckets[2]'],
    ['buckets decreasing', createServer(), { durationBuckets: [1, 0.5] }, 'durationBuckets[1]'],
    ['maxRoutes of 0', createServer(), { maxRoutes: 0 }, 'maxRoutes'],
    ['a fractional maxRoutes', createServer(), { maxRoutes: 2.5 }, 'maxRoutes'],
  ];

  it.each(bad)('refuses %s with EHEALTH_INVALID_OPTION, installing nothing', (_what, target, options, option) => {
    const registry = new Registry();
    const health = createHealth({ registry, defaultMetrics: false, notify: 'none' });
    cleanups.push(() => health.close());
    const before = registry.getMetricsAsArray().length;
    let thrown: unknown;
    try {
      health.instrument(target as Server, options);
    } catch (error) {
      thrown = error;
    }
    expect(isHealthError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'EHEALTH_INVALID_OPTION', option });
    expect((thrown as Error).message).toContain(option);
    expect(registry.getMetricsAsArray()).toHaveLength(before);
    if (typeof (target as Server).listenerCount === 'function') expect((target as Server).listenerCount('request')).toBe(0);
  });

  it('refuses a registry that already holds the request metrics\' names, leaving it as it was', () => {
    const registry = new Registry();
    const other = createHealth({ registry, metricsPrefix: 'a_', defaultMetrics: false, notify: 'none' });
    const health = createHealth({ registry, metricsPrefix: 'b_', defaultMetrics: false, notify: 'none' });
    cleanups.push(() => other.close(), () => health.close());
    // Someone else's metric under the name the handle would use.
    new Gauge({ name: 'b_http_requests_in_flight', help: 'Not ours.', registers: [registry] });
    const names = registry.getMetricsAsArray().map((m) => m.name).sort();
    const server = createServer(hello);
    expect(() => health.instrument(server)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'metricsPrefix' }));
    expect(registry.getMetricsAsArray().map((m) => m.name).sort()).toEqual(names);
    expect(server.listenerCount('request')).toBe(1);
  });
});

