import { expect, it } from 'vitest';
import { createSandbox } from './helpers/sandbox.js';

it('svc logs refuses a bad --since, a bad --grep, --flush with -f and --events without a name: exit 2, naming the flag', async () => {
  const sb = createSandbox();
  sb.writeConfig({ services: { api: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } } });
  const cases: Array<[string[], RegExp]> = [
    [['logs', '--since', 'yesterday'], /^Error: --since: expected a duration back from now such as "30s", "10m", "2h", "1d", or an ISO 8601 time such as \S+ \(got "yesterday"\)$/m],
    [['logs', '--since', '10'], /^Error: --since: expected .* \(got "10"\)$/m],
    [['logs', 'api', '--grep', '(unclosed'], /^Error: --grep: "\(unclosed" is not a valid regular expression: Unterminated group$/m],
    [['logs', '--flush', '-f'], /^Error: .*--follow=true cannot also be provided when using --flush/m],
    [['logs', '--events'], /^Error: --events: name the service whose event log to show/m],
  ];
  for (const [args, message] of cases) {
    const result = await sb.svc(args);
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr, args.join(' ')).toMatch(message);
    expect(result.stdout, args.join(' ')).toBe('');
  }
  // With --json: one error object on stdout.
  const json = await sb.svc(['logs', '--grep', '[', '--json']);
  expect(json.code).toBe(2);
  expect(JSON.parse(json.stdout)).toEqual({ error: expect.objectContaining({ code: 'EUSAGE', message: expect.stringContaining('--grep') }) });
});
