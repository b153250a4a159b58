import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createDrain, isDrainError, type DrainOptions } from '../src/index.js';

const listenerTotal = () => ['SIGTERM', 'SIGINT', 'SIGHUP', 'message'].reduce((n, name) => n + process.listenerCount(name), 0);

describe('createDrain() options', () => {
  const server = http.createServer();
  const cases: Array<[string, unknown, string]> = [
    ['options', 'fast', 'options'],
    ['options', [], 'options'],
    ['unknown option', { timeout: 5_000 }, 'timeout'],
    ['servers not an array', { servers: server }, 'servers'],
    ['server not a server', { servers: [{ close() {} }] }, 'servers[0]'],
    ['Express app instead of its server', { servers: [() => undefined] }, 'servers[0]'],
    ['same server twice', { servers: [server, server] }, 'servers[1]'],
    ['health without setState', { health: { state: 'ready' } }, 'health'],
    ['negative timeout', { timeoutMs: -1 }, 'timeoutMs'],
    ['zero timeout', { timeoutMs: 0 }, 'timeoutMs'],
    ['NaN timeout', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['fractional timeout', { timeoutMs: 1.5 }, 'timeoutMs'],
    ['string timeout', { timeoutMs: '10s' }, 'timeoutMs'],
    ['timeout past setTimeout range', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ['readiness delay not shorter than timeout', { timeoutMs: 1_000, readinessDelayMs: 1_000 }, 'readinessDelayMs'],
    ['negative readiness delay', { readinessDelayMs: -5 }, 'readinessDelayMs'],
    ['hook timeout zero', { hookTimeoutMs: 0 }, 'hookTimeoutMs'],
    ['unknown signal', { signals: ['SIGFOO'] }, 'signals[0]'],
    ['uncatchable signal', { signals: ['SIGKILL'] }, 'signals[0]'],
    ['signal twice', { signals: ['SIGTERM', 'SIGTERM'] }, 'signals'],
    ['signals not an array', { signals: 'SIGTERM' }, 'signals'],
    ['ipc not boolean', { ipc: 'yes' }, 'ipc'],
    ['stop margin negative', { stopMarginMs: -1 }, 'stopMarginMs'],
    ['hooks share 1', { hooksShare: 1 }, 'hooksShare'],
    ['closeUpgraded not a function', { closeUpgraded: true }, 'closeUpgraded'],
    ['env not an object', { env: 'production' }, 'env'],
    ['exit true', { exit: true }, 'exit'],
    ['logger method not a function', { logger: { warn: 'stderr' } }, 'logger.warn'],
    ['now not a function', { now: 5 }, 'now'],
  ];

  for (const [name, options, option] of cases) {
    it(`rejects ${name} with EDRAIN_OPTIONS naming ${option}, installing nothing`, () => {
      const before = listenerTotal();
      const serverListeners = server.listenerCount('request') + server.listenerCount('connection');
      let caught: unknown;
      try {
        createDrain(options as DrainOptions);
      } catch (error) {
        caught = error;
      }
      expect(isDrainError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'EDRAIN_OPTIONS', option });
      expect((caught as Error).message).toContain(option);
      expect(listenerTotal()).toBe(before);
      expect(server.listenerCount('request') + server.listenerCount('connection')).toBe(serverListeners);
    });
  }

  it('rejects a malformed SVC_STOP_TIMEOUT_MS with EDRAIN_ENV before installing anything', () => {
    const before = listenerTotal();
    expect(() => createDrain({ env: { SVC_STOP_TIMEOUT_MS: 'ten seconds' } })).toThrow(expect.objectContaining({ code: 'EDRAIN_ENV' }));
    expect(listenerTotal()).toBe(before);
  });

  it('keeps a failing health handle from stopping the drain', async () => {
    const warnings: string[] = [];
    const drain = createDrain({
      signals: [],
      exit: false,
      ipc: false,
      health: {
        setState() {
          throw new Error('health broke');
        },
      },
      logger: { error: (message) => warnings.push(message) },
    });
    const result = await drain.shutdown();
    expect(result.clean).toBe(true);
    expect(warnings).toHaveLength(2);
  });
});
