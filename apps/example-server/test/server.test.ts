import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, freePort, request, startServer, tempHome } from './helpers/server-process.js';

afterEach(cleanUp);

describe('the server, run directly', () => {
  it('answers /, /health, /ready, /alive and /metrics once it says it listens', async () => {
    const port = await freePort();
    const server = startServer({ SVC_HOME: tempHome(), PORT: String(port), VERSION: '4.5.6', SVC_INSTANCE: '1' });
    const url = await server.ready();
    expect(url).toBe(`http://127.0.0.1:${port}`);

    const hello = await request(`${url}/`);
    expect(hello.status).toBe(200);
    expect(hello.headers['content-type']).toMatch(/^application\/json/);
    expect(hello.json).toEqual({ name: 'svc-example-server', message: 'hello', version: '4.5.6', instance: 1, pid: server.pid });

    const health = await request(`${url}/health`);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ state: 'ready', checks: { eventLoop: {} } });
    expect(await request(`${url}/ready`)).toMatchObject({ status: 200, json: { status: 'pass', state: 'ready' } });
    expect((await request(`${url}/alive`)).status).toBe(200);
    const metrics = await request(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('svc_health_state{state="ready"} 1');
  });

  it('answers unknown paths with 404 and known paths with the wrong method with 405, as JSON errors', async () => {
    const url = await startServer({ SVC_HOME: tempHome(), PORT: String(await freePort()) }).ready();
    const missing = await request(`${url}/nope?x=1`);
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'ENOT_FOUND' } } });
    const wrongMethod = await request(`${url}/`, { method: 'DELETE' });
    expect(wrongMethod).toMatchObject({ status: 405, json: { error: { code: 'EMETHOD' } } });
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    // Paths match exactly: a double slash or an absolute-form target is not "/".
    expect((await request(`${url}//`)).status).toBe(404);
    const head = await request(`${url}/`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('counts its requests on /metrics by method, status class and route pattern; any unknown path is one route', async () => {
    const url = await startServer({ SVC_HOME: tempHome(), PORT: String(await freePort()) }).ready();
    await request(`${url}/`);
    await request(`${url}/?name=a`);
    await request(`${url}/`, { method: 'DELETE' });
    await request(`${url}/ready`);
    // Scanners and typos: each URL is different, the label is one.
    for (const target of ['/nope', '/wp-login.php', '/a/b/c?d=e', '//']) expect((await request(`${url}${target}`)).status).toBe(404);

    const { body } = await request(`${url}/metrics`);
    const counted = body.split('\n').filter((line) => line.startsWith('svc_health_http_requests_total{'));
    expect(counted.sort()).toEqual(
      [
        'svc_health_http_requests_total{method="GET",status_class="2xx",route="/"} 2',
        'svc_health_http_requests_total{method="DELETE",status_class="4xx",route="/"} 1',
        'svc_health_http_requests_total{method="GET",status_class="2xx",route="/ready"} 1',
        'svc_health_http_requests_total{method="GET",status_class="4xx",route="unmatched"} 4',
      ].sort(),
    );
    expect(body).toMatch(/^svc_health_http_request_duration_seconds_count\{method="GET",status_class="2xx",route="\/"\} 2$/m);
    // The scrape itself is in flight on an open connection (the earlier ones may still be closing).
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1]);
    expect(gauge('svc_health_http_requests_in_flight')).toBeGreaterThanOrEqual(1);
    expect(gauge('svc_health_http_open_connections')).toBeGreaterThanOrEqual(1);
  });

  it('binds HOST, and refuses a bad variable with EBAD_ENV and exit 1 before taking anything', async () => {
    const port = await freePort();
    const home = tempHome();
    const bad = startServer({ SVC_HOME: home, PORT: String(port), LOCK: 'maybe' });
    expect(await bad.exited).toEqual({ code: 1, signal: null });
    expect(bad.stderr()).toMatch(/EBAD_ENV: LOCK="maybe" is not valid: expected 1 \(on\) or 0 \(off\)/);
    expect(bad.stdout()).toBe('');

    // The refused start left no lock behind: the same port starts at once.
    const good = startServer({ SVC_HOME: home, PORT: String(port), HOST: 'localhost' });
    expect(await good.ready()).toMatch(new RegExp(`^http://(127\\.0\\.0\\.1|\\[::1\\]):${port}$`));
  });
});
