import path from 'node:path';
import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';

it('an SVC_HOME that cannot be created is said in one line naming the path and the reason, not as a stack', async () => {
  const sb = createSandbox();
  // A file where a directory must be: mkdir fails for root too (ENOTDIR), as EACCES does for a
  // user whose SVC_HOME belongs to another.
  const file = sb.writeFile('not-a-dir', '');
  const home = path.join(file, 'home');
  const result = await sb.svc(['start', 'y', '--', 'sleep', '100'], { env: { SVC_HOME: home } });
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^Error: cannot mkdir ${home.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/\\S+: not a directory \\(ENOTDIR\\)$`));
  expect(lines[1]).toContain(`SVC_HOME (${home})`);
  expect(result.stderr).not.toMatch(/^\s+at |Code: ENOTDIR/m);
  // --json keeps the operating system's code.
  const json = await sb.svc(['start', 'y', '--json', '--', 'sleep', '100'], { env: { SVC_HOME: home } });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ENOTDIR' } });
});
