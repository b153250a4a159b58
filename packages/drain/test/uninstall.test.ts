import { afterEach, describe, expect, it } from 'vitest';
import { forkFixture, killAll } from './helpers/child.js';

afterEach(killAll);

describe('uninstall()', () => {
  it('removes every listener it added to the process and the server, and holds nothing open', async () => {
    const child = forkFixture('listeners.mjs', {}, { SVC_NOTIFY: 'ipc' });
    const { before, during, after } = await child.waitFor((e) => e.event === 'counts');
    // While installed: one listener per configured signal, the supervisor message listener and
    // the server listeners (the upgrade one only because the app added its own).
    expect(during.process.SIGTERM - before.process.SIGTERM).toBe(1);
    expect(during.process.SIGINT - before.process.SIGINT).toBe(1);
    expect(during.process.SIGHUP - before.process.SIGHUP).toBe(1);
    expect(during.process.message - before.process.message).toBe(1);
    expect(during.server.request - before.server.request).toBe(1);
    expect(during.server.connection - before.server.connection).toBe(1);
    expect(during.server.upgrade - before.server.upgrade).toBe(2);
    expect(after).toEqual(before);
    await child.waitFor((e) => e.event === 'closed');
    child.process.disconnect();
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });
});
