import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type Health, type HealthOptions } from '../src/index.js';
import { get, listen } from './helpers/http.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real server whose own routes answer 'app' so pass-through is visible. */
async function serve(options: HealthOptions = {}): Promise<{ health: Health; url: string }> {
  const health = createHealth({ defaultMetrics: false, notify: 'none', ...options });
  const { url, close } = await listen((req, res) => {
    if (health.handler(req, res)) return;
    res.writeHead(404).end('app');
  });
  cleanups.push(() => health.close(), close);
  return { health, url };
}

describe('probe endpoints and states', () => {
  it('answers /ready, /alive, /startup and /health through starting → ready → draining → stopped', async () => {
    const { health, url } = await serve();
    const statuses = async () =>
      Object.fromEntries(await Promise.all(['/health', '/ready', '/alive', '/startup'].map(async (path) => [path, (await get(url + path)).status])));

    expect(await statuses()).toEqual({ '/health': 200, '/ready': 503, '/alive': 200, '/startup': 503 });
    await health.ready();
    expect(await statuses()).toEqual({ '/health': 200, '/ready': 200, '/alive': 200, '/startup': 200 });
    health.setState('draining');
    expect(await statuses()).toEqual({ '/health': 200, '/ready': 503, '/alive': 200, '/startup': 200 });
    health.setState('stopped');
    expect(await statuses()).toEqual({ '/health': 200, '/ready': 503, '/alive': 200, '/startup': 200 });
    expect(JSON.parse((await get(`${url}/ready`)).body)).toEqual({ status: 'fail', state: 'stopped' });
  });

  it('fails /ready and /health (503) while a critical check fails, but never /alive', async () => {
    const { health, url } = await serve({ cacheMs: 0 });
    let up = true;
    health.addCheck('db', () => up);
    await health.ready();
    expect((await get(`${url}/ready`)).status).toBe(200);
    up = false;
    expect((await get(`${url}/ready`)).status).toBe(503);
    const summary = await get(`${url}/health`);
    expect(summary.status).toBe(503);
    expect(JSON.parse(summary.body)).toEqual({ status: 'fail', state: 'ready', checks: { db: { status: 'fail', code: 'ECHECK_FAILED' } } });
    expect((await get(`${url}/alive`)).status).toBe(200);
  });

  it('keeps /health and /ready at 200 with a warning when only a non-critical check fails', async () => {
    const { health, url } = await serve();
    health.addCheck('cache', () => false, { critical: false });
    await health.ready();
    const summary = await get(`${url}/health`);
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.body).status).toBe('warn');
    expect((await get(`${url}/ready`)).status).toBe(200);
  });
});

describe('routing', () => {
  it('answers only its own paths and hands the rest to the app', async () => {
    const { url } = await serve();
    expect(await get(`${url}/`)).toMatchObject({ status: 404, body: 'app' });
    expect(await get(`${url}/healthz`)).toMatchObject({ status: 404, body: 'app' });
    expect(await get(`${url}/health/`)).toMatchObject({ status: 404, body: 'app' });
    expect((await get(`${url}/health?verbose=1`)).status).toBe(200);
  });

  it('serves configured paths and passes through a path turned off', async () => {
    const { url } = await serve({ paths: { health: '/healthz', ready: '/readyz', metrics: false } });
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect(await get(`${url}/health`)).toMatchObject({ status: 404, body: 'app' });
    expect(await get(`${url}/metrics`)).toMatchObject({ status: 404, body: 'app' });
  });

  it('answers HEAD without a body and other methods with 405 and Allow', async () => {
    const { url } = await serve();
    const head = await get(`${url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    const post = await get(`${url}/ready`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body)).toEqual({ status: 'fail', code: 'EMETHOD' });
  });

  it('marks every answer uncacheable JSON', async () => {
    const { url } = await serve();
    const reply = await get(`${url}/alive`);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lists the paths it answers', async () => {
    const { health } = await serve({ detailed: false, paths: { metrics: false } });
    expect(health.paths).toEqual(['/health', '/ready', '/alive', '/startup']);
  });
});

describe('/health/detailed', () => {
  const token = 'a-token-of-enough-length';

  it('is not served at all unless enabled', async () => {
    const { url } = await serve();
    expect(await get(`${url}/health/detailed`)).toMatchObject({ status: 404, body: 'app' });
  });

  it('wants the Bearer token when it has one', async () => {
    const { health, url } = await serve({ detailed: { token } });
    health.addCheck('db', () => ({ ok: true, observed: 3, unit: 'ms' }));
    const none = await get(`${url}/health/detailed`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="health"');
    expect((await get(`${url}/health/detailed`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await get(`${url}/health/detailed`, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    const ok = await get(`${url}/health/detailed`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const body = JSON.parse(ok.body);
    expect(body).toMatchObject({ status: 'pass', state: 'starting', checks: [{ name: 'db', status: 'pass', critical: true, observed: 3, unit: 'ms' }] });
    expect(typeof body.checks[0].durationMs).toBe('number');
    expect(typeof body.uptimeMs).toBe('number');
  });

  it('shows check messages and answers 503 when a critical check fails', async () => {
    const { health, url } = await serve({ detailed: true });
    health.addCheck('db', () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    const reply = await get(`${url}/health/detailed`);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body).checks[0]).toMatchObject({ status: 'fail', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
  });
});
