import { afterEach, describe, expect, it } from 'vitest';
import { createHealth, eventLoopDelayCheck, memoryCheck, thresholdCheck, type Health } from '../src/index.js';

const handles: Health[] = [];
afterEach(() => {
  for (const health of handles.splice(0)) health.close();
});
const make = () => {
  const health = createHealth({ defaultMetrics: false, notify: 'none', cacheMs: 0 });
  handles.push(health);
  return health;
};
const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // blocks the event loop on purpose
  }
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('eventLoopDelayCheck', () => {
  it('fails with EEVENT_LOOP_DELAY after the loop was blocked, and passes again after a quiet window', async () => {
    const health = make();
    health.addCheck('loop', eventLoopDelayCheck({ maxDelayMs: 100, percentile: 100 }));
    await health.check(); // starts a fresh window
    await tick();
    busy(400);
    await tick();
    const blocked = (await health.check()).checks[0]!;
    expect(blocked).toMatchObject({ status: 'fail', code: 'EEVENT_LOOP_DELAY', unit: 'ms' });
    expect(blocked.observed).toBeGreaterThan(100);
    // The window restarts at each run: the block is forgotten once a quiet window has passed.
    for (;;) {
      await tick();
      const quiet = (await health.check()).checks[0]!;
      if (quiet.status === 'pass') break;
    }
  });

  it('refuses bad options', () => {
    expect(() => eventLoopDelayCheck({ maxDelayMs: 0 })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION' }));
    expect(() => eventLoopDelayCheck({ percentile: 101 })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'percentile' }));
  });
});

describe('memoryCheck', () => {
  it('fails over the RSS or heap limit and passes under it', async () => {
    const health = make();
    health.addCheck('rss', memoryCheck({ maxRssBytes: 1024 }));
    health.addCheck('heap', memoryCheck({ maxHeapUsedBytes: 1024 }));
    health.addCheck('roomy', memoryCheck({ maxRssBytes: 2 ** 50, maxHeapUsedBytes: 2 ** 50 }));
    const [rss, heap, roomy] = (await health.check()).checks;
    expect(rss).toMatchObject({ status: 'fail', code: 'ERSS_LIMIT', unit: 'bytes' });
    expect(rss!.observed).toBeGreaterThan(1024);
    expect(heap).toMatchObject({ status: 'fail', code: 'EHEAP_LIMIT' });
    expect(roomy).toMatchObject({ status: 'pass' });
  });

  it('wants at least one positive limit', () => {
    expect(() => memoryCheck({})).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION' }));
    expect(() => memoryCheck({ maxRssBytes: -5 })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION', option: 'maxRssBytes' }));
  });
});

describe('thresholdCheck (the custom-check helper)', () => {
  it('fails above max with its own code, passes at or below it', async () => {
    const health = make();
    let depth = 10;
    health.addCheck('queue', thresholdCheck({ measure: () => Promise.resolve(depth), max: 10, code: 'EQUEUE_FULL', unit: 'jobs' }));
    expect((await health.check()).checks[0]).toMatchObject({ status: 'pass', observed: 10, unit: 'jobs' });
    depth = 11;
    expect((await health.check()).checks[0]).toMatchObject({ status: 'fail', code: 'EQUEUE_FULL', observed: 11 });
  });

  it('fails with ECHECK_ERROR when measure() gives no number, and refuses bad options', async () => {
    const health = make();
    health.addCheck('weird', thresholdCheck({ measure: () => 'many' as never, max: 1 }));
    expect((await health.check()).checks[0]).toMatchObject({ status: 'fail', code: 'ECHECK_ERROR' });
    expect(() => thresholdCheck({ measure: () => 1, max: Number.NaN })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION' }));
    expect(() => thresholdCheck({ measure: () => 1, max: 1, code: 'lower case' })).toThrow(expect.objectContaining({ code: 'EHEALTH_INVALID_OPTION' }));
  });
});
