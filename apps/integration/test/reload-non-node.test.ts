import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, request } from './helpers/http.js';
import { FIXTURES } from './helpers/paths.js';
import { createSandbox } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

interface Answer {
  pid: number;
  version: string;
  instance: string;
  fdnames: string;
}

/** A Python service on the socket svc holds (LISTEN_FDS), readiness over the notify socket. */
function config(port: number, version: string) {
  return {
    services: {
      py: {
        command: 'python3',
        args: [path.join(FIXTURES, 'listen-fds-server.py')],
        env: { VERSION: version },
        listen: { port, host: '127.0.0.1' },
        instances: 2,
        readiness: { type: 'notify', timeout: '30s' },
        stop: { timeout: '20s' },
      },
    },
  };
}

it('a Python service gets the socket through LISTEN_FDS and serves through a reload without a failed request', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig(config(port, 'py-1'));
  await sb.ok(['start', 'py']);
  const url = `http://127.0.0.1:${port}/`;
  const first = JSON.parse((await request(url)).body) as Answer;
  expect(first).toMatchObject({ version: 'py-1', fdnames: 'py' });
  const pids = (await sb.item('py'))!.instances.map((i) => i.pid);
  expect(pids).toContain(first.pid);

  // Ten clients, a new connection per request (the server speaks HTTP/1.0), through the reload.
  const answers: Answer[] = [];
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      try {
        const res = await request(url, { timeoutMs: 15_000 });
        if (res.status === 200) answers.push(JSON.parse(res.body) as Answer);
        else failures.push(`status ${res.status}`);
      } catch (error) {
        failures.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      }
    }
  };
  const clients = Array.from({ length: 10 }, () => client());
  try {
    await waitUntil('answers before the reload', () => answers.length >= 50);
    sb.writeConfig(config(port, 'py-2'));
    const reload = await sb.ok(['reload', 'py', '--json']);
    expect(JSON.parse(reload.stdout)).toMatchObject({ mode: 'reload', replaced: 2 });
    const count = answers.length;
    await waitUntil('answers after the reload', () => answers.length >= count + 50);
    expect(new Set(answers.slice(count).map((a) => a.version))).toEqual(new Set(['py-2']));
  } finally {
    running = false;
    await Promise.all(clients);
  }
  expect(failures).toEqual([]);
  const after = (await sb.item('py'))!.instances;
  expect(after.map((i) => i.state)).toEqual(['running', 'running']);
  for (const i of after) expect(pids).not.toContain(i.pid);
  // Every instance knew its index and its socket's name.
  expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['0', '1']));
  await sb.ok(['stop', 'py']);
  await expect(request(url, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
