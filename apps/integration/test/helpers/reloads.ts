import { expect } from 'vitest';
import { startLoad, type Load } from './load.js';
import type { Sandbox } from './sandbox.js';
import { waitUntil } from './wait.js';

/**
 * `svc reload <service>` once per version under 50 keep-alive connections to `port`: before each
 * reload the config is rewritten with `config(version)`; after it, the load kept flowing, only the
 * new version answers, every instance runs, and none of the old pids is left. Resolves with the
 * stopped load, for the caller's verdict on failed and refused requests.
 */
export async function reloadsUnderLoad(
  sb: Sandbox,
  options: { service: string; port: number; versions: string[]; config: (version: string) => { services: Record<string, unknown> } },
): Promise<Load> {
  const { service, port, versions, config } = options;
  const load = startLoad(port, { connections: 50 });
  try {
    await waitUntil('the load to flow', () => load.answered() >= 200, { timeoutMs: 60_000 });
    let pids = (await sb.item(service))!.instances.map((i) => i.pid);
    for (const version of versions) {
      // `svc reload` reads the config again: the replacements get the new definition.
      sb.writeConfig(config(version));
      const before = load.answered();
      const result = await sb.ok(['reload', service, '--json']);
      expect(JSON.parse(result.stdout)).toMatchObject({ mode: 'reload', replaced: pids.length, warning: null });
      const after = performance.now();
      // The load kept flowing through the reload.
      expect(load.answered()).toBeGreaterThan(before);
      await waitUntil(`answers of ${version}`, () => load.identities(after).length >= 30, { timeoutMs: 60_000 });
      expect(new Set(load.identities(after).map((i) => i.version))).toEqual(new Set([version]));

      const item = await sb.item(service);
      expect(item!.instances.map((i) => [i.instance, i.state])).toEqual(pids.map((_, index) => [index, 'running']));
      const now = item!.instances.map((i) => i.pid);
      for (const pid of now) expect(pids).not.toContain(pid);
      pids = now;
    }
  } finally {
    await load.stop();
  }
  return load;
}
