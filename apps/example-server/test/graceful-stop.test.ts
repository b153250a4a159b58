import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, freePort, request, startServer, tempHome, type Reply } from './helpers/server-process.js';

afterEach(cleanUp);

/** Long enough that no in-flight request can finish before SIGTERM, well inside drain's 10 s deadline. */
const SLOW_MS = 4_000;
const IN_FLIGHT = 6;
const IDLE_KEEP_ALIVE = 4;

describe('graceful stop', () => {
  it('on SIGTERM under load every in-flight request completes, idle keep-alive connections close, exit 0', async () => {
    const server = startServer({ SVC_HOME: tempHome(), PORT: String(await freePort()), SVC_EXAMPLE_TEST_ROUTES: '1' });
    const url = await server.ready();

    // Keep-alive clients: some sit idle on open connections, the others send a slow request on a
    // connection that has already served one.
    const idleAgent = new http.Agent({ keepAlive: true, maxSockets: IDLE_KEEP_ALIVE });
    const busyAgent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const idleSockets = new Set<import('node:net').Socket>();
    idleAgent.on('free', (socket) => idleSockets.add(socket));
    const warm = (agent: http.Agent, count: number) => Promise.all(Array.from({ length: count }, () => request(`${url}/`, { agent })));
    await Promise.all([warm(idleAgent, IDLE_KEEP_ALIVE), warm(busyAgent, IN_FLIGHT)]);
    expect(idleSockets.size).toBe(IDLE_KEEP_ALIVE);
    const idleClosed = Promise.all([...idleSockets].map((socket) => new Promise((resolve) => socket.once('close', resolve))));

    const written: Array<Promise<void>> = [];
    const inFlight: Array<Promise<Reply>> = Array.from({ length: IN_FLIGHT }, () => {
      const reply = new Promise<Reply>((resolve, reject) => {
        const req = http.get(`${url}/slow?ms=${SLOW_MS}`, { agent: busyAgent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: JSON.parse(body) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        written.push(new Promise((resolve) => req.once('finish', resolve)));
      });
      return reply;
    });
    await Promise.all(written);
    // A full round trip on a newer connection: the server has read the slow requests by then.
    expect((await request(`${url}/health`)).status).toBe(200);

    server.process.kill('SIGTERM');
    const replies = await Promise.all(inFlight);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ sleptMs: SLOW_MS });
      // Written while draining: drain marks every response after the signal.
      expect(reply.headers.connection).toBe('close');
    }
    await idleClosed;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(/drain: stopped .*"clean":true/);
    idleAgent.destroy();
    busyAgent.destroy();
  });

  it('answers new connections 503 while the last request is served, then the port refuses; nothing is reset', async () => {
    const port = await freePort();
    const server = startServer({ SVC_HOME: tempHome(), PORT: String(port), SVC_EXAMPLE_TEST_ROUTES: '1' });
    const url = await server.ready();
    const slow = request(`${url}/slow?ms=${SLOW_MS}`);
    // A full round trip on a newer connection: the server has read the slow request by then.
    expect((await request(`${url}/health`)).status).toBe(200);
    server.process.kill('SIGTERM');
    await server.waitForLine(/^drain: closing/);
    // From that line on the listener stays open while the slow request runs (@svc/drain's
    // refuseNew): a new connection is answered 503 with Retry-After; once it is done the port refuses.
    const seen = new Set<string>();
    for (let refused = false; !refused; ) {
      refused = await request(`${url}/`).then(
        (reply) => {
          expect(reply.status).toBe(503);
          expect(reply.headers['retry-after']).toBe('1');
          seen.add('503');
          return false;
        },
        (error: NodeJS.ErrnoException) => {
          expect(error.code).toBe('ECONNREFUSED');
          return true;
        },
      );
    }
    expect(seen.has('503')).toBe(true);
    expect(await slow).toMatchObject({ status: 200, json: { sleptMs: SLOW_MS } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
