import { Flags, type Command } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { cliSources, COMMAND_TO_RUN, MARKER, PAGE, renderCliReference, type CliSources } from '../scripts/cli-reference.js';
import { readBetween } from '../scripts/markdown.js';

describe(`docs/${PAGE}: the command reference`, () => {
  it('is what the command classes say now', async () => {
    const expected = await renderCliReference(cliSources());
    expect(readBetween(PAGE, MARKER), `docs/${PAGE} is out of date: run \`${COMMAND_TO_RUN}\``).toBe(expected);
  });

  it('names every command, alias, argument and flag, with each flag’s default, range and short name', async () => {
    const sources = cliSources();
    const text = await renderCliReference(sources);
    for (const [id, command] of Object.entries(sources.commands)) {
      const name = `svc ${id.replaceAll(':', ' ')}`;
      const heading = `### \`${name}\`\n`;
      expect(text, id).toContain(heading);
      // The command's own section: from its heading to the next one of its level.
      const from = text.indexOf(heading) + heading.length;
      const section = text.slice(from, text.indexOf('\n### ', from) === -1 ? undefined : text.indexOf('\n### ', from));
      for (const alias of command.aliases ?? []) expect(section, `${id} alias ${alias}`).toContain(`\`svc ${alias}\``);
      for (const arg of Object.keys(command.args ?? {})) expect(section, `${id} ${arg}`).toContain(`| \`${arg.toUpperCase()}\` |`);
      for (const [flag, spec] of Object.entries(command.flags ?? {})) {
        const f = spec as Command.Flag.Any & { min?: number; max?: number };
        const row = section.split('\n').find((line) => line.startsWith(`| \`--${flag}\` |`));
        expect(row, `${id} --${flag}`).toBeDefined();
        if (f.char) expect(row, `${id} --${flag}`).toContain(`\`-${f.char}\``);
        if (f.type === 'option' && f.default !== undefined) expect(row, `${id} --${flag}`).toContain(`\`${String(f.default)}\``);
        if (f.min !== undefined && f.max !== undefined) expect(row, `${id} --${flag}`).toContain(`${f.min}–${f.max}`);
      }
    }
  });

  it('says a flag is an integer or a string by how oclif parses it, and shows a changed default', async () => {
    const sources = cliSources();
    const probe: CliSources = {
      ...sources,
      commands: {
        ...sources.commands,
        // Another stop, whose --timeout says a default the real one does not have.
        stop: class extends (sources.commands.stop as unknown as new () => object) {
          static flags = { ...sources.commands.stop!.flags, timeout: Flags.integer({ description: 'probe', default: 4242, min: 3, max: 9 }), label: Flags.string({ description: 'probe' }) };
        } as unknown as Command.Class,
      },
    };
    const text = await renderCliReference(probe);
    expect(text).toContain('| `--timeout` |  | integer | `4242` | 3–9 | probe. |');
    expect(text).toContain('| `--label` |  | string | – | – | probe. |');
    expect(text).not.toBe(await renderCliReference(sources));
  });

  it('lists exit codes from package.json and refuses an oclif exit-code setting it has no words for', async () => {
    const sources = cliSources();
    const text = await renderCliReference(sources);
    expect(text).toMatch(/^\| `0` \| success \|$/m);
    expect(text).toMatch(new RegExp(`^\\| \`${sources.oclif.exitCodes.default}\` \\| failure: `, 'm'));
    expect(text).toMatch(new RegExp(`^\\| \`${sources.usageExit}\` \\| bad usage \\(\`EUSAGE\`\\)`, 'm'));
    await expect(renderCliReference({ ...sources, oclif: { ...sources.oclif, exitCodes: { ...sources.oclif.exitCodes, somethingNew: 2 } } })).rejects.toThrow(/somethingNew/);
  });

  it('shows the status item type as the zod schema has it: each field once, none left out', async () => {
    const sources = cliSources();
    const text = await renderCliReference(sources);
    const ts = /```ts\n([\s\S]*?)\n```/.exec(text)![1]!;
    const shape = (sources.statusItem as unknown as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape;
    const topLevel = ts.split('\n').filter((line) => /^ {2}\w/.test(line)).map((line) => /^ {2}(\w+)\??:/.exec(line)![1]);
    expect(topLevel).toEqual(Object.keys(shape));
    expect(ts).toContain('stderrTail?: string[];');
  });
});
