import { afterEach, describe, expect, it } from 'vitest';
import { RESTART_TABLE, classifyExit, shouldRestart, type ExitReason, type RestartPolicy } from '../src/restart-policy.js';
import { Harness, fixture, recordEvents, waitFor } from './helpers.js';

// The table as documented, next to systemd's Restart= table: one expectation per row and policy.
const EXPECTED: Array<[ExitReason, Record<RestartPolicy, boolean>]> = [
  ['clean', { always: true, 'on-failure': false, never: false }],
  ['exit-code', { always: true, 'on-failure': true, never: false }],
  ['signal', { always: true, 'on-failure': true, never: false }],
  ['start-timeout', { always: true, 'on-failure': true, never: false }],
  ['liveness', { always: true, 'on-failure': true, never: false }],
  ['limit', { always: true, 'on-failure': true, never: false }],
  ['never-restart-code', { always: false, 'on-failure': false, never: false }],
];

describe('restart table', () => {
  it.each(EXPECTED)('row %s', (reason, row) => {
    expect(RESTART_TABLE[reason]).toEqual(row);
    for (const policy of ['always', 'on-failure', 'never'] as const) expect(shouldRestart(policy, reason)).toBe(row[policy]);
  });

  it('classifies exits like systemd', () => {
    expect(classifyExit({ code: 0, signal: null }, [])).toBe('clean');
    expect(classifyExit({ code: null, signal: 'SIGTERM' }, [])).toBe('clean');
    expect(classifyExit({ code: null, signal: 'SIGKILL' }, [])).toBe('signal');
    expect(classifyExit({ code: 3, signal: null }, [])).toBe('exit-code');
    expect(classifyExit({ code: 78, signal: null }, [78])).toBe('never-restart-code');
    expect(classifyExit({ code: 0, signal: null }, [0])).toBe('never-restart-code');
    expect(classifyExit({ code: null, signal: 'SIGKILL', cause: 'liveness' }, [])).toBe('liveness');
  });
});

// Real processes: each row that a process can produce by itself, under each policy.
const ROWS: Array<{ row: string; args: string[]; reason: ExitReason }> = [
  { row: 'exit 0', args: ['0', '100'], reason: 'clean' },
  { row: 'killed by SIGTERM', args: ['0', '100', 'SIGTERM'], reason: 'clean' },
  { row: 'exit 1', args: ['1', '100'], reason: 'exit-code' },
  { row: 'killed by SIGKILL', args: ['0', '100', 'SIGKILL'], reason: 'signal' },
  { row: 'exit 78 (never-restart code)', args: ['78', '100'], reason: 'never-restart-code' },
];

describe('restart table with real exits', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  for (const { row, args, reason } of ROWS) {
    for (const policy of ['always', 'on-failure', 'never'] as const) {
      const restarts = RESTART_TABLE[reason][policy];
      it(`${row} under ${policy} → ${restarts ? 'restart' : 'no restart'}`, async () => {
        const sup = h.supervisor({
          args: [fixture('exit-with.mjs'), ...args],
          // Counted started at its spawn: the exit 100 ms later is a crash, which the table decides.
          readiness: { startWindow: 0 },
          restart: { policy, delay: 0, jitter: 0, neverRestartExitCodes: [78], crashLoop: { count: 100, window: '1m' } },
        });
        const events = recordEvents(sup);
        await sup.start();
        await waitFor(() => events.some((e) => e.type === 'exited'), 'the first exit');
        if (restarts) {
          await waitFor(() => events.filter((e) => e.type === 'spawned').length >= 2, 'a second spawn');
          expect(events.find((e) => e.type === 'restarting')).toMatchObject({ reason });
        } else {
          const final = reason === 'never-restart-code' ? 'failed' : reason === 'clean' ? 'stopped' : 'crashed';
          await waitFor(() => sup.state === final, `state ${final}`);
          expect(events.filter((e) => e.type === 'spawned')).toHaveLength(1);
          expect(events.some((e) => e.type === 'restarting')).toBe(false);
        }
        expect(events.find((e) => e.type === 'exited')).toMatchObject({ reason, phase: 'run' });
      });
    }
  }
});
