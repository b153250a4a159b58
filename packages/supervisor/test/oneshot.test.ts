import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definitionProblems, dependencyProblems, withDependencies, dependentsOf } from '../src/definition-entry.js';
import { isSupervisorError } from '../src/index.js';
import { Harness, fixture, recordEvents, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe('type: oneshot', () => {
  it('start() resolves when it exits 0, well after its spawn: completed, with its exit code and how long it ran; never restarted', async () => {
    const sup = h.supervisor({ type: 'oneshot', args: ['-e', 'setTimeout(() => { console.log("migrated"); }, 600)'] });
    const events = recordEvents(sup);
    await sup.start();
    expect(sup.state).toBe('completed');
    expect(sup.stats().lastExit).toMatchObject({ code: 0, signal: null, reason: 'clean', phase: 'start' });
    // It ran its 600 ms: the start waited for the exit, not for a start window.
    expect(sup.stats().lastExit!.runMs).toBeGreaterThanOrEqual(550);
    expect(sup.isSettled).toBe(true);
    expect(events.filter((e) => e.type === 'spawned')).toHaveLength(1);
    expect(events.some((e) => e.type === 'ready')).toBe(false);
    // Started again, it runs again (systemd's oneshot); stopped, it is stopped.
    await sup.start();
    expect(events.filter((e) => e.type === 'spawned')).toHaveLength(2);
    await sup.stop();
    expect(sup.state).toBe('stopped');
  });

  it('a oneshot that exits non-zero fails its start with the exit and its stderr, and is failed (policy never by default)', async () => {
    const sup = h.supervisor({ type: 'oneshot', args: ['-e', 'setTimeout(() => { console.error("relation users exists"); process.exit(3); }, 300)'] });
    const error = await sup.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isSupervisorError(error) && error.code).toBe('ESTART_FAILED');
    expect((error as Error).message).toMatch(/exited with code 3/);
    expect((error as { stderrTail?: string[] }).stderrTail).toContain('relation users exists');
    expect(sup.state).toBe('failed');
    expect(sup.stats()).toMatchObject({ failure: 'exited with code 3', lastExit: { code: 3 } });
  });

  it('restart.policy on-failure: a oneshot waited for is run again after a failure (a migration waiting for its database) until it completes', async () => {
    const marker = join(h.tempDir(), 'tried');
    // Fails the first time (and leaves a marker), succeeds the second.
    const script = `const fs = require('fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(1); }`;
    const sup = h.supervisor({ type: 'oneshot', args: ['-e', script], restart: { policy: 'on-failure', delay: 50, jitter: 0 } });
    const events = recordEvents(sup);
    await sup.start();
    expect(existsSync(marker)).toBe(true);
    expect(sup.state).toBe('completed');
    expect(events.filter((e) => e.type === 'spawned')).toHaveLength(2);
    expect(sup.stats().restarts).toBe(1);
  });

  it('readiness.timeout bounds a oneshot run: one that runs on is ended and failed', async () => {
    const sup = h.supervisor({ type: 'oneshot', args: [fixture('ignore-term.mjs')], readiness: { timeout: 400 }, stop: { timeout: 200 } });
    await expect(sup.start()).rejects.toThrow(/did not finish within 400 ms \(readiness\.timeout\)/);
    await waitFor(() => sup.isSettled, 'settled');
    expect(sup.state).toBe('failed');
  });

  it('options a oneshot cannot keep are refused, each named', () => {
    const problems = definitionProblems('migrate', {
      type: 'oneshot',
      command: 'node',
      readiness: { type: 'http', url: 'http://127.0.0.1:1/' },
      restart: { policy: 'always' },
      liveness: { heartbeatTimeout: '5s' },
      instances: 2,
    });
    expect(problems.map((p) => p.option).sort()).toEqual(['instances', 'liveness.heartbeatTimeout', 'readiness.type', 'restart.policy']);
    expect(definitionProblems('migrate', { type: 'oneshot', command: 'node', listen: { port: 0 } }).map((p) => p.option)).toEqual(['listen']);
    expect(definitionProblems('migrate', { type: 'daemon', command: 'node' })).toEqual([expect.objectContaining({ option: 'type', expected: '"simple" | "oneshot"' })]);
    expect(definitionProblems('migrate', { type: 'oneshot', command: 'node', restart: { schedule: '0 3 * * *' }, watch: true }).map((p) => p.option).sort()).toEqual(['restart.schedule', 'watch']);
    expect(definitionProblems('migrate', { type: 'oneshot', command: 'node' })).toEqual([]);
  });
});

describe('dependsOn', () => {
  const stack = {
    migrate: { type: 'oneshot', command: 'node' },
    db: { command: 'node', readiness: { type: 'tcp', port: 5432 } },
    api: { command: 'node', dependsOn: { db: 'ready', migrate: 'completed' } },
    worker: { command: 'node', dependsOn: ['api'] },
    cron: { command: 'node', dependsOn: { api: { condition: 'started', restart: true } } },
  };

  it('the three forms are read; a bad shape or condition is refused naming the key', () => {
    expect(definitionProblems('api', stack.api)).toEqual([]);
    expect(definitionProblems('cron', stack.cron)).toEqual([]);
    expect(definitionProblems('api', { command: 'node', dependsOn: { db: null } })).toEqual([]);
    expect(definitionProblems('api', { command: 'node', dependsOn: { db: 'healthy' } })).toEqual([expect.objectContaining({ option: 'dependsOn.db', value: 'healthy' })]);
    expect(definitionProblems('api', { command: 'node', dependsOn: { db: { condition: 'ready', restarts: true } } })).toEqual([expect.objectContaining({ option: 'dependsOn.db.restarts' })]);
    expect(definitionProblems('api', { command: 'node', dependsOn: ['api'] })).toEqual([expect.objectContaining({ option: 'dependsOn.0', expected: expect.stringContaining('cannot depend on itself') })]);
    expect(definitionProblems('api', { command: 'node', dependsOn: 'db' })).toEqual([expect.objectContaining({ option: 'dependsOn' })]);
  });

  it('a project: unknown names, cycles and conditions that can never be met are refused, each at its key', () => {
    expect(dependencyProblems(stack)).toEqual([]);
    const problems = dependencyProblems({
      a: { command: 'node', dependsOn: ['b'] },
      b: { command: 'node', dependsOn: ['c'] },
      c: { command: 'node', dependsOn: ['a', 'ghost'] },
      d: { command: 'node', dependsOn: { a: 'completed', m: 'ready', n: 'completed' } },
      m: { type: 'oneshot', command: 'node' },
      n: { type: 'oneshot', command: 'node', restart: { policy: 'always' } },
    });
    const byKey = Object.fromEntries(problems.map((p) => [p.option, p.expected]));
    expect(Object.keys(byKey).sort()).toEqual(['a.dependsOn.b', 'c.dependsOn.ghost', 'd.dependsOn.a', 'd.dependsOn.m', 'd.dependsOn.n']);
    expect(byKey['a.dependsOn.b']).toContain('a → b → c → a');
    expect(byKey['d.dependsOn.a']).toContain('a is not a oneshot');
    expect(byKey['d.dependsOn.m']).toContain('never ready while it runs');
    expect(byKey['d.dependsOn.n']).toContain('restart.policy always');
    expect(byKey['c.dependsOn.ghost']).toContain('a service of this config');
  });

  it('the start order puts every dependency first; dependents are found through others', () => {
    expect(withDependencies(stack, ['worker'])).toEqual(['db', 'migrate', 'api', 'worker']);
    expect(withDependencies(stack, Object.keys(stack))).toEqual(['migrate', 'db', 'api', 'worker', 'cron']);
    expect(dependentsOf(stack, 'db')).toEqual(['api', 'worker', 'cron']);
    expect(dependentsOf(stack, 'api', (d) => d.restart)).toEqual(['cron']);
  });
});

