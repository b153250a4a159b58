import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { processesOf } from './helpers/processes.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

interface Copy {
  version: number;
  rules: string;
  digest: string;
  check: string;
  config: { services: Record<string, { env?: Record<string, string> }> };
}

it('svc start takes the config an earlier start validated from the same bytes, and only then', async () => {
  const sb = createSandbox();
  const port = await freePort();
  const file = sb.writeConfig({ services: { web: exampleService(port, { env: { VERSION: 'from-file' } }) } });
  const id = `cfg-${sha256(path.resolve(file)).slice(0, 12)}`;
  const copyFile = path.join(sb.home, 'state', 'projects', id, 'validated-config.json');
  const stopped = async (): Promise<void> => {
    await sb.ok(['stop', 'web']);
    await waitUntil('the daemon to exit', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
  };
  const startedVersion = async (): Promise<string | undefined> => {
    await sb.ok(['start', 'web']);
    const version = (await whoAnswers(port))?.version;
    await stopped();
    return version;
  };

  // First start: the file is validated and what validation returned is kept, privately.
  expect(await startedVersion()).toBe('from-file');
  const copy = JSON.parse(readFileSync(copyFile, 'utf8')) as Copy;
  expect(statSync(copyFile).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(copyFile)).mode & 0o777).toBe(0o700);
  expect(copy.digest).toBe(sha256(readFileSync(file)));
  expect(copy.config.services.web?.env?.VERSION).toBe('from-file');

  // The copy is what the next start runs while the file's bytes are unchanged: one that says
  // otherwise than the file (well formed, for the same digest) is followed.
  const writeCopy = (change: (c: Copy) => void): void => {
    const next = structuredClone(copy);
    change(next);
    next.check = sha256(JSON.stringify(next.config));
    writeFileSync(copyFile, JSON.stringify(next), { mode: 0o600 });
  };
  writeCopy((c) => (c.config.services.web!.env!.VERSION = 'from-copy'));
  expect(await startedVersion()).toBe('from-copy');

  // Validated by other rules (an older svc): ignored, the file is validated again.
  writeCopy((c) => {
    c.config.services.web!.env!.VERSION = 'from-copy';
    c.rules = `${c.rules}-older`;
  });
  expect(await startedVersion()).toBe('from-file');
  expect((JSON.parse(readFileSync(copyFile, 'utf8')) as Copy).rules).toBe(copy.rules);

  // Edited by hand (its own digest no longer matches): ignored, and replaced by a good one.
  const edited = JSON.parse(readFileSync(copyFile, 'utf8')) as Copy;
  edited.config.services.web!.env!.VERSION = 'hand-edited';
  writeFileSync(copyFile, JSON.stringify(edited));
  expect(await startedVersion()).toBe('from-file');
  expect(JSON.parse(readFileSync(copyFile, 'utf8'))).toEqual(copy);

  // Damaged (a torn write, garbage): ignored, nothing is lost.
  writeFileSync(copyFile, '{"version":2,"rules":');
  expect(await startedVersion()).toBe('from-file');
  expect(JSON.parse(readFileSync(copyFile, 'utf8'))).toEqual(copy);

  // The file is edited into an invalid one: other bytes, so the copy does not serve; nothing starts
  // and the key is named.
  writeCopy((c) => (c.config.services.web!.env!.VERSION = 'from-copy'));
  const invalid = readFileSync(file, 'utf8').replace('timeout: "30s"', 'timeout: "later"');
  expect(invalid).not.toBe(readFileSync(file, 'utf8'));
  writeFileSync(file, invalid);
  const refused = await sb.svc(['start', 'web']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`invalid config ${file}`);
  expect(refused.stderr).toMatch(/services\.web\.readiness\.timeout/);
  expect(await whoAnswers(port)).toBeNull();
  await waitUntil('no daemon to be left', () => processesOf(sb.home).length === 0, { timeoutMs: 15_000 });
});
