import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, exists, freePort, killAfterTest, request, startServer, tempHome, type ServerProcess } from './helpers/server-process.js';

afterEach(cleanUp);

async function withTestRoutes(extra: Record<string, string> = {}): Promise<{ server: ServerProcess; url: string }> {
  const server = startServer({ SVC_HOME: tempHome(), PORT: String(await freePort()), SVC_EXAMPLE_TEST_ROUTES: '1', ...extra });
  return { server, url: await server.ready() };
}

/** `ps` fields of a live process, portable across Linux and macOS. */
function ps(pid: number, field: 'rss' | 'pgid' | 'sess'): number {
  return Number(execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).trim());
}

const TEST_ROUTES: Array<[string, string]> = [
  ['GET', '/slow?ms=1'],
  ['POST', '/crash'],
  ['POST', '/hang'],
  ['POST', '/leak?mb=1'],
  ['POST', '/spawn'],
  ['GET', '/fail'],
  ['GET', '/version'],
];

describe('the test routes', () => {
  it('are 404 without SVC_EXAMPLE_TEST_ROUTES=1, and do nothing', async () => {
    const settings: Array<Record<string, string>> = [{}, { SVC_EXAMPLE_TEST_ROUTES: '0' }];
    for (const setting of settings) {
      const server = startServer({ SVC_HOME: tempHome(), PORT: String(await freePort()), ...setting });
      const url = await server.ready();
      for (const [method, target] of TEST_ROUTES) {
        expect(await request(`${url}${target}`, { method }), `${method} ${target}`).toMatchObject({ status: 404, json: { error: { code: 'ENOT_FOUND' } } });
      }
      // Neither /crash nor /hang did anything: the server still answers.
      expect((await request(`${url}/alive`)).status).toBe(200);
      expect(server.hasExited()).toBe(false);
    }
  });

  it('GET /slow answers after the delay asked for', async () => {
    const { url } = await withTestRoutes();
    expect(await request(`${url}/slow?ms=300`)).toMatchObject({ status: 200, json: { sleptMs: 300 } });
  });

  it('GET /version echoes VERSION', async () => {
    const { url } = await withTestRoutes({ VERSION: '2026.11.26-blue' });
    expect(await request(`${url}/version`)).toMatchObject({ status: 200, json: { version: '2026.11.26-blue' } });
  });

  it('POST /crash answers, then the process dies of an uncaught exception with exit code 1', async () => {
    const { server, url } = await withTestRoutes();
    expect(await request(`${url}/crash`, { method: 'POST' })).toMatchObject({ status: 200, json: { crashing: true, pid: server.pid } });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toContain('Error: crash requested by POST /crash');
  });

  it('POST /hang blocks the event loop: /alive stops answering while the process lives on', async () => {
    const { server, url } = await withTestRoutes();
    expect(await request(`${url}/hang`, { method: 'POST' })).toMatchObject({ status: 200, json: { hanging: true } });
    // Poll until a probe times out; a live server answers /alive in far less than 2 s.
    const deadline = Date.now() + 30_000;
    let unanswered = false;
    while (!unanswered && Date.now() < deadline) {
      unanswered = await request(`${url}/alive`, { timeout: 2_000 }).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === 'ETIMEDOUT',
      );
    }
    expect(unanswered).toBe(true);
    expect(server.hasExited()).toBe(false);
    expect(exists(server.pid)).toBe(true);
    // Not even SIGTERM gets through a blocked loop: drain's handler would need the loop to run.
    server.process.kill('SIGTERM');
    const probe = await request(`${url}/alive`, { timeout: 2_000 }).catch((error: NodeJS.ErrnoException) => error.code);
    expect(probe).toBe('ETIMEDOUT');
    expect(server.hasExited()).toBe(false);
  });

  it('POST /leak retains real, resident memory: RSS grows by about what was asked', async () => {
    const { server, url } = await withTestRoutes();
    const before = ps(server.pid, 'rss') * 1024;
    const reply = await request(`${url}/leak?mb=64`, { method: 'POST' });
    expect(reply).toMatchObject({ status: 200, json: { retainedBytes: 64 * 1024 * 1024 } });
    await request(`${url}/leak?mb=32`, { method: 'POST' });
    const after = ps(server.pid, 'rss') * 1024;
    expect(after - before).toBeGreaterThan(80 * 1024 * 1024);
    expect((await request(`${url}/health`)).status).toBe(200);
  });

  it('POST /spawn starts a child in the server group and one in its own session; both live on', async () => {
    const { server, url } = await withTestRoutes();
    const reply = await request(`${url}/spawn`, { method: 'POST' });
    expect(reply.status).toBe(200);
    const { child, detached } = reply.json as { child: number; detached: number };
    killAfterTest(child);
    killAfterTest(detached);
    expect(exists(child)).toBe(true);
    expect(exists(detached)).toBe(true);
    // The server was started as a group leader (detached), so its plain child shares its group;
    // the setsid() one leads a session and a group of its own.
    expect(ps(child, 'pgid')).toBe(server.pid);
    expect(ps(detached, 'pgid')).toBe(detached);
    expect(ps(detached, 'sess')).toBe(detached);

    // They outlive the server: killing the server's process group takes only the plain child.
    process.kill(-server.pid, 'SIGKILL');
    await server.exited;
    expect(exists(detached)).toBe(true);
  });

  it('POST /spawn answers 500 ESPAWN when no child can be started, and the server keeps serving', async () => {
    const { server, url } = await withTestRoutes({ PATH: '/nonexistent-svc-example-path' });
    const reply = await request(`${url}/spawn`, { method: 'POST' });
    expect(reply).toMatchObject({ status: 500, json: { error: { code: 'ESPAWN', message: expect.stringMatching(/ENOENT/) } } });
    expect((await request(`${url}/`)).status).toBe(200);
    expect(server.hasExited()).toBe(false);
  });

  it('GET /fail fails as a buggy route does: 500 EINTERNAL, the stack on stderr only, and the server keeps serving', async () => {
    const { server, url } = await withTestRoutes();
    const reply = await request(`${url}/fail`);
    expect(reply).toMatchObject({ status: 500, json: { error: { code: 'EINTERNAL', message: 'internal error; see the server log' } } });
    // Written before the answer; the pipe may deliver it a moment after.
    await expect.poll(() => server.stderr(), { timeout: 10_000 }).toContain('Error: failure requested by GET /fail');
    expect(reply.body).not.toContain('failure requested');
    expect((await request(`${url}/`)).status).toBe(200);
    const { body } = await request(`${url}/metrics`);
    expect(body).toContain('svc_health_http_requests_total{method="GET",status_class="5xx",route="/fail"} 1');
    expect(server.hasExited()).toBe(false);
  });

  it('bad query values get 400 with a JSON error, and the server keeps serving', async () => {
    const { server, url } = await withTestRoutes();
    const bad: Array<[string, string]> = [
      ['GET', '/slow'],
      ['GET', '/slow?ms='],
      ['GET', '/slow?ms=-5'],
      ['GET', '/slow?ms=60001'],
      ['GET', '/slow?ms=1.5'],
      ['GET', '/slow?ms=1e3'],
      ['GET', '/slow?ms=abc'],
      ['GET', '/slow?ms=1&ms=2'],
      ['GET', `/slow?ms=${'9'.repeat(400)}`],
      ['POST', '/leak'],
      ['POST', '/leak?mb=0'],
      ['POST', '/leak?mb=1025'],
      ['POST', '/leak?mb=%00'],
    ];
    for (const [method, target] of bad) {
      const reply = await request(`${url}${target}`, { method });
      expect(reply.status, `${method} ${target}`).toBe(400);
      expect(reply.json, `${method} ${target}`).toMatchObject({ error: { code: 'EBAD_QUERY', message: expect.stringMatching(/"(ms|mb)"/) } });
    }
    expect(await request(`${url}/crash`)).toMatchObject({ status: 405, json: { error: { code: 'EMETHOD' } } });
    expect((await request(`${url}/`)).status).toBe(200);
    expect(server.hasExited()).toBe(false);
  });
});
