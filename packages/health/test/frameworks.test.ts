import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type Health } from '../src/index.js';
import { get, listen } from './helpers/http.js';

// The docs' recipes, run for real. NestJS is not a dependency here: its recipe is the Express
// (or Fastify) one applied to app.getHttpAdapter().getInstance(), which these tests cover.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const make = (): Health => {
  const health = createHealth({ defaultMetrics: false, notify: 'none' });
  cleanups.push(() => health.close());
  return health;
};

describe('Express', () => {
  it('app.use(health.handler) answers the probes and leaves every other route to the app', async () => {
    const health = make();
    const app = express();
    app.use(health.handler);
    app.get('/', (_req, res) => void res.send('home'));
    const { url, close } = await listen(app);
    cleanups.push(close);
    await health.ready();
    expect((await get(`${url}/ready`)).status).toBe(200);
    expect(await get(`${url}/`)).toMatchObject({ status: 200, body: 'home' });
    expect((await get(`${url}/nope`)).status).toBe(404);
  });

  it('mounts under a prefix: app.use("/ops", health.handler)', async () => {
    const health = make();
    const app = express();
    app.use('/ops', health.handler);
    const { url, close } = await listen(app);
    cleanups.push(close);
    expect((await get(`${url}/ops/alive`)).status).toBe(200);
    expect((await get(`${url}/alive`)).status).toBe(404);
  });
});

describe('request metrics recipes', () => {
  const counted = async (health: Health, route: string) =>
    (await health.registry.metrics()).includes(`svc_health_http_requests_total{method="GET",status_class="2xx",route="${route}"} 1`);

  it('node:http: health.instrument(server, { route })', async () => {
    const health = make();
    const server = createServer((req, res) => {
      if (health.handler(req, res)) return;
      res.end('hello');
    });
    health.instrument(server, { route: (req) => (req.url?.startsWith('/users/') ? '/users/:id' : undefined) });
    const { url, close } = await listen(server);
    cleanups.push(close);
    await get(`${url}/users/42`);
    expect(await counted(health, '/users/:id')).toBe(true);
  });

  it('Express: health.instrument(app.listen(…))', async () => {
    const health = make();
    const app = express();
    app.use(health.handler);
    app.get('/users/:id', (_req, res) => void res.send('user'));
    const server = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(0, '127.0.0.1', () => resolve(listening));
      health.instrument(listening);
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/users/42`);
    expect(await counted(health, '/users/:id')).toBe(true);
  });

  it('Fastify: health.instrument(app) before app.listen()', async () => {
    const health = make();
    const app = Fastify();
    health.instrument(app);
    app.get('/users/:id', () => 'user');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    await get(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/users/42`);
    expect(await counted(health, '/users/:id')).toBe(true);
  });
});

describe('Fastify', () => {
  it('one GET route per health.paths entry, handing the raw request over with reply.hijack()', async () => {
    const health = make();
    const app = Fastify();
    for (const path of health.paths) {
      app.get(path, (request, reply) => {
        reply.hijack();
        health.handler(request.raw, reply.raw);
      });
    }
    app.get('/', () => 'home');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    expect((await get(`${url}/ready`)).status).toBe(503);
    await health.ready();
    expect(JSON.parse((await get(`${url}/ready`)).body)).toEqual({ status: 'pass', state: 'ready' });
    const head = await get(`${url}/health`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect((await get(`${url}/metrics`)).body).toContain('svc_health_state{state="ready"} 1');
    expect(await get(`${url}/`)).toMatchObject({ status: 200, body: 'home' });
  });
});
