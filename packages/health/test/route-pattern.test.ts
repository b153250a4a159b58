import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type Health, type HealthOptions } from '../src/index.js';
import { find } from './helpers/exposition.js';
import { get } from './helpers/http.js';

// How the `route` label is found under each framework, with real servers and real requests.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOTAL = 'svc_health_http_requests_total';

const make = (options: HealthOptions = {}): Health => {
  const health = createHealth({ defaultMetrics: false, notify: 'none', ...options });
  cleanups.push(() => health.close());
  return health;
};

/** `method status_class route count` of every series, sorted. */
const series = async (health: Health) =>
  find(await health.registry.metrics(), TOTAL)
    .map((s) => `${s.labels.method} ${s.labels.status_class} ${s.labels.route} ${s.value}`)
    .sort();

async function listenExpress(app: ReturnType<typeof express>): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const listening: Server = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function listenFastify(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('Express 5: req.baseUrl + req.route.path', () => {
  it('labels routes, routes of mounted routers, probes and 404s', async () => {
    const health = make();
    const app = express();
    app.use(health.handler);
    app.get('/users/:id', (req, res) => void res.send(`user ${req.params.id}`));
    const api = express.Router();
    api.get('/items/:itemId', (_req, res) => void res.send('item'));
    api.get('/', (_req, res) => void res.send('api root'));
    app.use('/api', api);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get(/^\/v\d+$/, (_req, res) => void res.send('version'));
    const { server, url } = await listenExpress(app);
    health.instrument(server);
    for (let i = 0; i < 50; i++) expect((await get(`${url}/users/${i}`)).status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await get(`${url}/no/such/${i}`)).status).toBe(404);
    await get(`${url}/api/items/7?x=1`);
    await get(`${url}/api/`);
    await get(`${url}/api/nothing`);
    await get(`${url}/alive`);
    expect((await get(`${url}/boom`)).status).toBe(500);
    await get(`${url}/v1`);
    await get(`${url}/v2`);
    expect(await series(health)).toEqual([
      'GET 2xx /^\\/v\\d+$/ 2',
      'GET 2xx /alive 1',
      'GET 2xx /api/ 1',
      'GET 2xx /api/items/:itemId 1',
      'GET 2xx /users/:id 50',
      'GET 4xx unmatched 51',
      'GET 5xx /boom 1',
    ]);
  });

  it('labels the health handler mounted under a prefix with the prefix', async () => {
    const health = make();
    const app = express();
    app.use('/ops', health.handler);
    const { server, url } = await listenExpress(app);
    health.instrument(server);
    await get(`${url}/ops/alive`);
    await get(`${url}/alive`);
    expect(await series(health)).toEqual(['GET 2xx /ops/alive 1', 'GET 4xx unmatched 1']);
  });

  it('shows the values of a parameter in a mount path (req.baseUrl is the matched path), bounded by maxRoutes', async () => {
    const health = make({ logger: { warn: () => undefined } });
    const app = express();
    const tenant = express.Router();
    tenant.get('/orders', (_req, res) => void res.send('orders'));
    app.use('/t/:tenant', tenant);
    const { server, url } = await listenExpress(app);
    health.instrument(server, { maxRoutes: 3 });
    for (let i = 0; i < 10; i++) await get(`${url}/t/${i}/orders`);
    expect(await series(health)).toEqual(['GET 2xx /t/0/orders 1', 'GET 2xx /t/1/orders 1', 'GET 2xx /t/2/orders 1', 'GET 2xx other 7']);
  });

  it('refuses the app itself, which has no connections to count', () => {
    const health = make();
    expect(() => health.instrument(express() as never)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'target', message: expect.stringContaining('app.listen()') }));
  });
});

describe('Fastify 5: request.routeOptions.url', () => {
  it('labels routes (with a plugin prefix), hijacked health routes and 404s', async () => {
    const health = make();
    const app = Fastify();
    health.instrument(app);
    for (const path of health.paths) {
      app.get(path, (request, reply) => {
        reply.hijack();
        health.handler(request.raw, reply.raw);
      });
    }
    app.get('/users/:id', () => 'user');
    await app.register(
      (v1, _options, done) => {
        v1.get('/items/:itemId', () => 'item');
        done();
      },
      { prefix: '/v1' },
    );
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const url = await listenFastify(app);
    for (let i = 0; i < 50; i++) expect((await get(`${url}/users/${i}`)).status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await get(`${url}/nope/${i}`)).status).toBe(404);
    await get(`${url}/v1/items/3`);
    await get(`${url}/ready`);
    await get(`${url}/ready`, { method: 'HEAD' });
    expect((await get(`${url}/boom`)).status).toBe(500);
    expect(await series(health)).toEqual([
      'GET 2xx /users/:id 50',
      'GET 2xx /v1/items/:itemId 1',
      'GET 4xx unmatched 50',
      'GET 5xx /boom 1',
      'GET 5xx /ready 1',
      'HEAD 5xx /ready 1',
    ]);
  });

  it('applies to routes declared before instrument() too, in plugins already loaded as well', async () => {
    const health = make();
    const app = Fastify();
    app.get('/before/:x', () => 'ok');
    await app.register(
      (v2, _options, done) => {
        v2.get('/loaded/:y', () => 'ok');
        done();
      },
      { prefix: '/v2' },
    );
    health.instrument(app);
    const url = await listenFastify(app);
    await get(`${url}/before/1`);
    await get(`${url}/v2/loaded/1`);
    expect(await series(health)).toEqual(['GET 2xx /before/:x 1', 'GET 2xx /v2/loaded/:y 1']);
  });

  it('refuses an instance that has already started, leaving the registry as it was', async () => {
    const registry = new Registry();
    const health = make({ registry });
    const app = Fastify();
    app.get('/', () => 'home');
    await listenFastify(app);
    const names = registry.getMetricsAsArray().map((m) => m.name);
    expect(() => health.instrument(app)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'target', cause: expect.anything() }));
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(names);
    expect(app.server.listenerCount('request')).toBe(1);
  });

  it('refuses its server once the instance is instrumented; after uninstall() the hook does nothing', async () => {
    const health = make();
    const app = Fastify();
    app.get('/', () => 'home');
    const instrumentation = health.instrument(app);
    expect(() => health.instrument(app.server)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'target' }));
    const url = await listenFastify(app);
    await get(`${url}/`);
    instrumentation.uninstall();
    await get(`${url}/`);
    expect(await series(health)).toEqual(['GET 2xx / 1']);
  });
});
