import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { planPhases, readStopTimeoutMs } from '../src/index.js';
import { killAll, startFixture } from './helpers/child.js';

afterEach(killAll);

const base = { timeoutMs: 10_000, readinessDelayMs: 2_000, stopMarginMs: 500, hooksShare: 0.25 };

describe('stop deadline', () => {
  it('uses the options as given without a supervisor deadline', () => {
    expect(planPhases({ ...base, stopTimeoutMs: null, hookTimeoutsMs: [5_000] })).toEqual({
      readinessDelayMs: 2_000,
      drainTimeoutMs: 10_000,
      exitDeadlineMs: null,
      stopTimeoutMs: null,
    });
  });

  it('keeps the options when they already fit', () => {
    expect(planPhases({ ...base, stopTimeoutMs: 30_000, hookTimeoutsMs: [1_000, 2_000] })).toEqual({
      readinessDelayMs: 2_000,
      drainTimeoutMs: 10_000,
      exitDeadlineMs: 29_500,
      stopTimeoutMs: 30_000,
    });
  });

  it('shrinks the phases to fit inside a short deadline, leaving the margin free', () => {
    const plan = planPhases({ ...base, stopTimeoutMs: 4_000, hookTimeoutsMs: [5_000, 5_000] });
    // budget 3500 = 4000 - 500; hooks get 25 % of it (875); connections the rest (2625); readiness ≤ half of that.
    expect(plan).toEqual({ readinessDelayMs: 1_312, drainTimeoutMs: 2_625, exitDeadlineMs: 3_500, stopTimeoutMs: 4_000 });
  });

  it('keeps the margin to at most half of a tiny deadline', () => {
    expect(planPhases({ ...base, stopTimeoutMs: 600, hookTimeoutsMs: [] })).toEqual({
      readinessDelayMs: 150,
      drainTimeoutMs: 300,
      exitDeadlineMs: 300,
      stopTimeoutMs: 600,
    });
  });

  it('reads SVC_STOP_TIMEOUT_MS and rejects anything that is not whole milliseconds', () => {
    expect(readStopTimeoutMs({})).toBeNull();
    expect(readStopTimeoutMs({ SVC_STOP_TIMEOUT_MS: '' })).toBeNull();
    expect(readStopTimeoutMs({ SVC_STOP_TIMEOUT_MS: '10000' })).toBe(10_000);
    for (const bad of ['abc', '0', '-5', '1.5', '1e4', '99999999999', '10s', ' ']) {
      expect(() => readStopTimeoutMs({ SVC_STOP_TIMEOUT_MS: bad }), bad).toThrow(
        expect.objectContaining({ code: 'EDRAIN_ENV', variable: 'SVC_STOP_TIMEOUT_MS', value: bad }),
      );
    }
  });

  it('a real server with a request that never ends and a hook that hangs exits by itself before the supervisor would SIGKILL', async () => {
    const stopTimeoutMs = 3_000;
    const child = startFixture('deadline.mjs', {}, { SVC_STOP_TIMEOUT_MS: String(stopTimeoutMs) });
    const { port } = await child.waitFor((e) => e.event === 'ready');
    http.get({ host: '127.0.0.1', port, path: '/never', agent: false }).on('error', () => undefined);
    await child.waitFor((e) => e.event === 'start');
    child.signal('SIGTERM');
    // Stand-in for the supervisor: SIGKILL well after its deadline, only so that a broken build cannot hang the test.
    const killer = setTimeout(() => child.killGroup(), stopTimeoutMs + 10_000);
    const exit = await child.exited;
    clearTimeout(killer);
    // timeoutMs and the hook's timeout are 60 s: only the plan fitted to SVC_STOP_TIMEOUT_MS ends it this way.
    expect(exit).toEqual({ code: 1, signal: null });
    const stopped = child.events.find((e) => e.event === 'phase' && e.phase === 'stopped')!;
    expect(stopped.data.plan).toEqual({ readinessDelayMs: 0, drainTimeoutMs: 1_875, exitDeadlineMs: 2_500, stopTimeoutMs: 3_000 });
    expect(stopped.data).toMatchObject({ timedOut: true, destroyed: { sockets: 1 } });
    expect(stopped.data.hooks).toMatchObject([{ name: 'hangs', status: 'timed-out' }]);
    expect(stopped.data.durationMs).toBeLessThan(stopTimeoutMs);
  });
});
