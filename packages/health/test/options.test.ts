import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHealth, DEFAULTS, isHealthError, type HealthOptions } from '../src/index.js';

const bad: Array<[string, HealthOptions, string]> = [
  ['an unknown option', { cacheMS: 5 } as HealthOptions, 'cacheMS'],
  ['a negative cache', { cacheMs: -1 }, 'cacheMs'],
  ['a fractional timeout', { checkTimeoutMs: 1.5 }, 'checkTimeoutMs'],
  ['a timeout of zero', { checkTimeoutMs: 0 }, 'checkTimeoutMs'],
  ['a relative path', { paths: { health: 'health' } }, 'paths.health'],
  ['a path with a query', { paths: { ready: '/ready?x' } }, 'paths.ready'],
  ['an unknown endpoint', { paths: { live: '/live' } as never }, 'paths.live'],
  ['two endpoints on one path', { paths: { ready: '/health' } }, 'paths.ready'],
  ['detailed as a string', { detailed: 'yes' as never }, 'detailed'],
  ['a short token', { detailed: { token: 'short' } }, 'detailed.token'],
  ['a notify mode that does not exist', { notify: 'dbus' as never }, 'notify'],
  ['a heartbeat of 1 ms', { heartbeatIntervalMs: 1 }, 'heartbeatIntervalMs'],
  ['a metrics prefix with a dash', { metricsPrefix: 'my-app_' }, 'metricsPrefix'],
  ['a registry that is not one', { registry: {} as Registry }, 'registry'],
  ['a logger without warn', { logger: {} as never }, 'logger'],
  ['a clock that is not a function', { now: 5 as never }, 'now'],
  ['a command with spaces', { systemdNotifyCommand: 'systemd-notify --ready' }, 'systemdNotifyCommand'],
  ['notify "socket" without SVC_NOTIFY_SOCKET', { notify: 'socket', env: {} }, 'env.SVC_NOTIFY_SOCKET'],
  ['notify "systemd" without NOTIFY_SOCKET', { notify: 'systemd', env: {} }, 'env.NOTIFY_SOCKET'],
  ['a WATCHDOG_USEC that is not a number', { env: { NOTIFY_SOCKET: '/run/notify', WATCHDOG_USEC: 'soon' } }, 'env.WATCHDOG_USEC'],
];

describe('createHealth options', () => {
  it.each(bad)('refuses %s with EHEALTH_INVALID_OPTION naming the option', (_what, options, option) => {
    let thrown: unknown;
    try {
      createHealth({ defaultMetrics: false, ...options });
    } catch (error) {
      thrown = error;
    }
    expect(isHealthError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'EHEALTH_INVALID_OPTION', option });
    expect((thrown as Error).message).toContain(option);
  });

  it('never puts the detailed token into the error', () => {
    const token = 'sec ret-value-here';
    try {
      createHealth({ defaultMetrics: false, detailed: { token } });
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('sec ret');
    }
  });

  it('changes nothing when it refuses: a given registry is left as it was', () => {
    const registry = new Registry();
    expect(() => createHealth({ registry, detailed: { token: 'x' } })).toThrow();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('applies the documented defaults', () => {
    const health = createHealth({ defaultMetrics: false, env: {} });
    expect(health.paths).toEqual(['/health', '/ready', '/alive', '/startup', '/metrics']);
    expect(health.notifyVia).toBe('none');
    expect(health.heartbeatIntervalMs).toBe(DEFAULTS.heartbeatIntervalMs);
    expect(health.state).toBe('starting');
    health.close();
  });

  it('takes an explicit heartbeat period over the environment', () => {
    const health = createHealth({ defaultMetrics: false, env: { NOTIFY_SOCKET: '/run/notify', WATCHDOG_USEC: '30000000' }, heartbeatIntervalMs: 500 });
    expect(health.heartbeatIntervalMs).toBe(500);
    health.close();
  });
});

describe('states', () => {
  it('moves only forward, accepts the same state again, and refuses unknown ones', async () => {
    const health = createHealth({ defaultMetrics: false, notify: 'none' });
    expect(() => health.setState('paused' as never)).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_STATE', from: 'starting', to: 'paused' }));
    await health.ready();
    health.setState('ready');
    health.setState('draining');
    health.setState('draining');
    expect(() => health.setState('ready')).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_STATE', from: 'draining', to: 'ready' }));
    await expect(health.ready()).rejects.toMatchObject({ code: 'EHEALTH_INVALID_STATE' });
    expect(health.state).toBe('draining');
    health.setState('stopped');
    health.close();
    await expect(health.ready()).rejects.toMatchObject({ code: 'EHEALTH_CLOSED' });
  });
});
