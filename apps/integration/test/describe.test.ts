import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';

interface Description {
  name: string;
  project: string;
  status: { state: string; pid: number | null; instances: Array<{ pid: number | null }>; failure: string | null; stderrTail?: string[] };
  definition: { command: string; instances: number; listen: { port: number } | null; readiness: { type: string; startWindowMs: number }; restart: { policy: string } } | null;
  definitionFrom: string | null;
  files: { stdout: string; stderr: string; events: string };
}

it('svc describe (and svc show) tells everything about one service: status per instance, the definition as run, readiness, files', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const config = sb.writeConfig({ services: { web: exampleService(port, { instances: 2, listen: { port, host: '127.0.0.1' } }) } });
  await sb.ok(['start', 'web']);

  const [web, ...more] = JSON.parse((await sb.ok(['describe', 'web', '--json'])).stdout) as Description[];
  expect(more).toEqual([]);
  expect(web).toMatchObject({ name: 'web', project: config, definitionFrom: 'daemon', status: { state: 'running' } });
  expect(web!.status.instances.map((i) => i.pid).every((pid) => typeof pid === 'number')).toBe(true);
  expect(web!.status.instances).toHaveLength(2);
  expect(web!.definition).toMatchObject({ command: process.execPath, instances: 2, listen: { port }, readiness: { type: 'notify', startWindowMs: 0 }, restart: { policy: 'on-failure' } });
  for (const file of [web!.files.stdout, web!.files.events]) expect(existsSync(file), file).toBe(true);

  const human = await sb.ok(['show', 'web']);
  expect(human.stdout).toMatch(/^web$/m);
  expect(human.stdout).toMatch(new RegExp(`^ {2}instances +2 on 127\\.0\\.0\\.1:${port} \\(svc holds the socket\\)$`, 'm'));
  expect(human.stdout).toMatch(/^ {2}readiness +notify, timeout 30000 ms, start window 0 ms$/m);
  expect(human.stdout).toMatch(/^ {4}#1 +running pid \d+/m);
  expect(human.stdout).toContain(`  stdout      ${web!.files.stdout}`);

  // A failed ad-hoc service: its definition as started (not the caller's environment), the
  // failure, its last exit and its stderr tail.
  await sb.svc(['start', 'broken', '--', process.execPath, '-e', 'console.error("no database"); process.exit(3)'], { env: { API_TOKEN: 'tok-7f3a9c' } });
  const described = await sb.ok(['describe', 'broken', '--json']);
  expect(described.stdout).not.toContain('tok-7f3a9c');
  const [broken] = JSON.parse(described.stdout) as Description[];
  expect(broken).toMatchObject({
    project: 'adhoc',
    definitionFrom: 'daemon',
    status: { state: 'failed', stderrTail: ['no database'] },
    definition: { command: process.execPath, readiness: { type: 'none', startWindowMs: 1000 } },
  });
  expect(broken!.status.failure).toMatch(/exited with code 3 within its start window/);
  const brokenText = (await sb.ok(['describe', 'broken'])).stdout;
  expect(brokenText).toMatch(/^ {2}last exit +code 3 at /m);
  expect(brokenText).toContain('    no database');

  await sb.ok(['stop', 'web']);
  await sb.ok(['stop', 'broken']);
  const gone = await sb.svc(['describe', 'web', '--json']);
  expect(gone.code).toBe(1);
  expect(JSON.parse(gone.stdout)).toMatchObject({ error: { code: 'ENOT_RUNNING' } });
});
