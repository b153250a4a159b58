import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, type Health, type HealthOptions } from '../src/index.js';
import { get, listen } from './helpers/http.js';

const handles: Health[] = [];
afterEach(() => {
  for (const health of handles.splice(0)) health.close();
});
const make = (options: HealthOptions = {}) => {
  const health = createHealth({ defaultMetrics: false, notify: 'none', ...options });
  handles.push(health);
  return health;
};

describe('running checks', () => {
  it('reports a check that never settles as ECHECK_TIMEOUT, aborts its signal, and the endpoint still answers', async () => {
    const health = make();
    let aborted: Promise<unknown> | undefined;
    health.addCheck(
      'hangs',
      ({ signal }) => {
        aborted = new Promise((resolve) => signal.addEventListener('abort', resolve));
        return new Promise(() => undefined);
      },
      { timeoutMs: 50 },
    );
    const { url, close } = await listen((req, res) => void health.handler(req, res));
    try {
      const reply = await get(`${url}/health`);
      expect(reply.status).toBe(503);
      expect(JSON.parse(reply.body).checks.hangs).toEqual({ status: 'fail', code: 'ECHECK_TIMEOUT' });
      await aborted;
    } finally {
      await close();
    }
  });

  it('does not start a check again while its previous run has not settled', async () => {
    let now = 0;
    const health = make({ now: () => now, cacheMs: 10 });
    let calls = 0;
    let release: () => void = () => undefined;
    health.addCheck(
      'slow',
      () => {
        calls++;
        // Only the first run hangs (until released); later runs answer at once.
        return calls === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined;
      },
      { timeoutMs: 20 },
    );
    expect((await health.check()).checks[0]).toMatchObject({ status: 'fail', code: 'ECHECK_TIMEOUT' });
    now += 100;
    expect((await health.check()).checks[0]).toMatchObject({ status: 'fail', code: 'ECHECK_TIMEOUT', message: expect.stringContaining('not settled') });
    expect(calls).toBe(1);
    release();
    // Lets the settled promise's callbacks (a few microtasks deep) run.
    await new Promise((resolve) => setImmediate(resolve));
    now += 100;
    expect((await health.check()).checks[0]!.status).toBe('pass');
    expect(calls).toBe(2);
  });

  it('turns throws, rejections, false and { ok: false } into codes', async () => {
    const health = make();
    health.addCheck('throws', () => {
      throw new Error('boom');
    });
    health.addCheck('rejects', () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
    health.addCheck('rejectsString', () => Promise.reject(new Error('x', { cause: 'y' })));
    health.addCheck('false', () => false);
    health.addCheck('notOk', () => ({ ok: false, code: 'EDB_DOWN', message: 'primary down' }));
    health.addCheck('badCode', () => ({ ok: false, code: 'not a code: /etc/passwd' }));
    health.addCheck('fetchLike', () => ({ ok: false, status: 500 }));
    health.addCheck('passes', () => ({ rows: [1] }));
    const byName = Object.fromEntries((await health.check()).checks.map((result) => [result.name, result]));
    expect(byName.throws).toMatchObject({ status: 'fail', code: 'ECHECK_ERROR', message: 'boom' });
    expect(byName.rejects).toMatchObject({ status: 'fail', code: 'ECONNREFUSED', message: 'refused' });
    expect(byName.rejectsString).toMatchObject({ status: 'fail', code: 'ECHECK_ERROR' });
    expect(byName.false).toMatchObject({ status: 'fail', code: 'ECHECK_FAILED' });
    expect(byName.notOk).toMatchObject({ status: 'fail', code: 'EDB_DOWN', message: 'primary down' });
    expect(byName.badCode).toMatchObject({ status: 'fail', code: 'ECHECK_FAILED' });
    expect(byName.fetchLike).toMatchObject({ status: 'fail', code: 'ECHECK_FAILED' });
    expect(byName.passes).toMatchObject({ status: 'pass' });
    expect(byName.passes!.code).toBeUndefined();
  });

  it('reuses results for cacheMs and shares one run among a probe storm', async () => {
    let now = 0;
    const health = make({ now: () => now, cacheMs: 1000 });
    let calls = 0;
    health.addCheck('db', async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
    });
    const { url, close } = await listen((req, res) => void health.handler(req, res));
    try {
      const replies = await Promise.all(Array.from({ length: 50 }, () => get(`${url}/health`)));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      expect(calls).toBe(1);
      now += 999;
      await get(`${url}/health`);
      expect(calls).toBe(1);
      now += 1;
      await get(`${url}/health`);
      expect(calls).toBe(2);
    } finally {
      await close();
    }
  });
});

describe('registering checks', () => {
  it('refuses duplicate names, bad names, non-functions and bad options with coded errors', () => {
    const health = make();
    health.addCheck('db', () => true);
    expect(() => health.addCheck('db', () => true)).toThrow(expect.objectContaining({ code: 'EHEALTH_DUPLICATE_CHECK', checkName: 'db' }));
    for (const name of ['', '1db', 'a b', 'x'.repeat(65), '../etc', 42]) {
      expect(() => health.addCheck(name as string, () => true)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_CHECK' }));
    }
    expect(() => health.addCheck('x', 'nope' as never)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_CHECK' }));
    expect(() => health.addCheck('x', () => true, { timeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION' }));
    expect(() => health.addCheck('x', () => true, { critical: 'yes' as never })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_CHECK' }));
    expect(() => health.addCheck('x', () => true, { retries: 3 } as never)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_CHECK' }));
    // Nothing half-registered.
    expect(health.removeCheck('x')).toBe(false);
  });

  it('removes a check and calls its close()', async () => {
    const health = make();
    let closed = 0;
    health.addCheck('db', Object.assign(() => true, { close: () => closed++ }));
    expect(health.removeCheck('db')).toBe(true);
    expect(closed).toBe(1);
    expect((await health.check()).checks).toEqual([]);
    health.addCheck('again', Object.assign(() => true, { close: () => closed++ }));
    health.close();
    expect(closed).toBe(2);
    expect(() => health.addCheck('late', () => true)).toThrow(expect.objectContaining({ code: 'EHEALTH_CLOSED' }));
  });
});
