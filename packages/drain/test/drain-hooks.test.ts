import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrain, isDrainError } from '../src/index.js';
import { killAll, startFixture } from './helpers/child.js';

afterEach(killAll);

describe('shutdown hooks', () => {
  it('run after the drain, last registered first, each within its own timeout; failures are logged and the rest still run', async () => {
    const child = startFixture('server.mjs', {
      hooks: [
        { name: 'first', behaviour: 'ok' },
        { name: 'second', behaviour: 'throw' },
        { name: 'third', behaviour: 'hang', timeoutMs: 300 },
        { name: 'fourth', behaviour: 'ok' },
      ],
    });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    const response = new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/work?id=slow&ms=400', agent: false }, (res) => resolve(res.statusCode!)).on('error', reject);
    });
    await child.waitFor((e) => e.event === 'start' && e.id === 'slow');
    child.signal('SIGTERM');
    expect(await response).toBe(200);
    expect(await child.exited).toEqual({ code: 1, signal: null });

    const order = child.events.filter((e) => e.event === 'hook-run').map((e) => e.name);
    expect(order).toEqual(['fourth', 'third', 'second', 'first']);
    // The in-flight response ended before the first hook ran.
    const endAt = child.events.findIndex((e) => e.event === 'end' && e.id === 'slow');
    const firstHookAt = child.events.findIndex((e) => e.event === 'hook-run');
    expect(endAt).toBeGreaterThan(-1);
    expect(endAt).toBeLessThan(firstHookAt);
    // The hanging hook was told through its AbortSignal.
    expect(child.events.find((e) => e.event === 'hook-aborted')).toMatchObject({ name: 'third', code: 'EDRAIN_HOOK_TIMEOUT' });
    const errors = child.events.filter((e) => e.event === 'error').map((e) => e.data.code);
    expect(errors).toEqual(['EDRAIN_HOOK_TIMEOUT', 'EDRAIN_HOOK_FAILED']);
    const stopped = child.events.find((e) => e.event === 'phase' && e.phase === 'stopped')!;
    expect(stopped.data.hooks.map((h: { name: string; status: string }) => [h.name, h.status])).toEqual([
      ['fourth', 'ok'],
      ['third', 'timed-out'],
      ['second', 'failed'],
      ['first', 'ok'],
    ]);
    expect(stopped.data).toMatchObject({ clean: false, exitCode: 1, timedOut: false });
  });

  it('rejects bad registrations with EDRAIN_HOOK and keeps the hooks already registered', async () => {
    const ran: string[] = [];
    const drain = createDrain({ signals: [], exit: false, ipc: false });
    drain.onShutdown('db', () => void ran.push('db'));
    const bad: Array<() => unknown> = [
      () => drain.onShutdown('db', () => undefined),
      () => drain.onShutdown('', () => undefined),
      () => drain.onShutdown(42 as never, () => undefined),
      () => drain.onShutdown('x', 'not a function' as never),
      () => drain.onShutdown('x', () => undefined, { timeoutMs: -1 }),
      () => drain.onShutdown('x', () => undefined, { timeoutMs: Number.NaN }),
      () => drain.onShutdown('x', () => undefined, 'fast' as never),
    ];
    for (const register of bad) {
      let caught: unknown;
      try {
        register();
      } catch (error) {
        caught = error;
      }
      expect(isDrainError(caught) && caught.code).toBe('EDRAIN_HOOK');
    }
    const remove = drain.onShutdown('cache', () => void ran.push('cache'));
    remove();
    const result = await drain.shutdown('test');
    expect(ran).toEqual(['db']);
    expect(result.hooks.map((h) => h.name)).toEqual(['db']);
    expect(result).toMatchObject({ clean: true, exitCode: 0, reason: 'test' });
    expect(() => drain.onShutdown('late', () => undefined)).toThrow(expect.objectContaining({ code: 'EDRAIN_UNINSTALLED' }));
  });

  it('shutdown() is idempotent and calls exit once with the code', async () => {
    const codes: number[] = [];
    const drain = createDrain({ signals: [], ipc: false, exit: (code) => codes.push(code), logger: { error: () => undefined } });
    drain.onShutdown('fails', () => {
      throw new Error('boom');
    });
    const [a, b] = await Promise.all([drain.shutdown('one'), drain.shutdown('two')]);
    expect(a).toBe(b);
    expect(a.reason).toBe('one');
    expect(codes).toEqual([1]);
    expect(drain.state).toBe('stopped');
    drain.uninstall();
    await expect(createUninstalled().shutdown()).rejects.toMatchObject({ code: 'EDRAIN_UNINSTALLED' });
  });
});

function createUninstalled() {
  const drain = createDrain({ signals: [], exit: false, ipc: false });
  drain.uninstall();
  return drain;
}
