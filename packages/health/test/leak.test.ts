import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth, type Health } from '../src/index.js';
import { get, listen, type Reply } from './helpers/http.js';

// A canary secret in the environment and in a failing check's error (message, cause, stack, a
// code that is not code-shaped) must never reach an unauthenticated response.
const CANARY = `canary-${process.pid}-${Math.random().toString(36).slice(2)}`;
const TOKEN = 'detailed-token-0123456789';

let health: Health;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  process.env.SVC_HEALTH_TEST_CANARY = CANARY;
  health = createHealth({ notify: 'none', detailed: { token: TOKEN } });
  health.addCheck('db', () => {
    const error = new Error(`connect to postgres://app:${CANARY}@db.internal:5432 failed in ${process.cwd()}`, { cause: CANARY });
    throw Object.assign(error, { code: CANARY, config: { password: CANARY } });
  });
  health.addCheck('cache', () => ({ ok: false, code: `E${CANARY}`, message: CANARY }), { critical: false });
  health.addCheck('slow', () => new Promise(() => undefined), { timeoutMs: 20 });
  ({ url, close } = await listen((req, res) => {
    if (!health.handler(req, res)) res.writeHead(404).end();
  }));
});

afterAll(async () => {
  delete process.env.SVC_HEALTH_TEST_CANARY;
  health.close();
  await close();
});

const unauthenticated = async (): Promise<Array<[string, Reply]>> => {
  const paths = ['/health', '/ready', '/alive', '/startup', '/metrics', '/health/detailed', `/health?${CANARY}=1`, `/metrics?check=${CANARY}`];
  const replies: Array<[string, Reply]> = [];
  for (const path of paths) replies.push([path, await get(url + path)]);
  replies.push(['detailed, wrong token', await get(`${url}/health/detailed`, { headers: { authorization: `Bearer ${CANARY}` } })]);
  replies.push(['POST', await get(`${url}/health`, { method: 'POST', headers: { 'x-canary': CANARY } })]);
  return replies;
};

/** Everything a client sees: status line aside, headers and body. */
const visible = (reply: Reply) => JSON.stringify(reply.headers) + reply.body;

describe('no information leak', () => {
  it('never shows the canary, environment values, paths, the hostname or stack frames without the token', async () => {
    await health.ready();
    const envValues = Object.values(process.env).filter((value): value is string => typeof value === 'string' && value.length >= 12);
    for (const [path, reply] of await unauthenticated()) {
      const text = visible(reply);
      expect(text, path).not.toContain(CANARY);
      expect(text, path).not.toContain(process.cwd());
      expect(text, path).not.toContain(hostname());
      expect(text, path).not.toMatch(/\bat .+:\d+:\d+/);
      for (const value of envValues) expect(text.includes(value), `${path} shows an environment value`).toBe(false);
    }
  });

  it('shows failures as codes only', async () => {
    const body = JSON.parse((await get(`${url}/health`)).body);
    expect(body.checks).toEqual({
      db: { status: 'fail', code: 'ECHECK_ERROR' },
      cache: { status: 'fail', code: 'ECHECK_FAILED' },
      slow: { status: 'fail', code: 'ECHECK_TIMEOUT' },
    });
  });

  it('does show the check message once the detailed token is given (so the test above can see a leak)', async () => {
    const reply = await get(`${url}/health/detailed`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(reply.body).toContain(CANARY);
    // Even then: no stack, no error fields beyond the message.
    expect(reply.body).not.toMatch(/\bat .+:\d+:\d+/);
    expect(reply.body).not.toContain('password');
  });

  it('never takes a metric label value from a request', async () => {
    await unauthenticated();
    await get(`${url}/${CANARY}`);
    const metrics = (await get(`${url}/metrics`)).body;
    expect(metrics).not.toContain(CANARY);
    const endpoints = new Set([...metrics.matchAll(/probe_requests_total\{endpoint="([^"]*)"\}/g)].map((match) => match[1]));
    expect([...endpoints].sort()).toEqual(['alive', 'detailed', 'health', 'metrics', 'ready', 'startup']);
  });
});
