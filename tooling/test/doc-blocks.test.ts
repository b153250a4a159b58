import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allBlocks, pageBlocks } from '../doc-blocks.js';

describe('every code block of the docs site says whether it runs', () => {
  const blocks = allBlocks();

  it('finds the site’s blocks', () => {
    expect(blocks.length).toBeGreaterThan(40);
  });

  it('each block is a doctest or a fragment with a reason', () => {
    const unmarked = blocks.filter((b) => b.mark.kind === 'unmarked' || (b.mark.kind === 'fragment' && b.mark.reason === '')).map((b) => `docs/${b.page}:${b.line}`);
    expect(unmarked, 'put <!-- doctest: <scenario> --> or <!-- fragment: <why> --> on the line before each').toEqual([]);
  });

  it('scenario names are plain words, and a config doctest is a YAML/JSON/TOML file', () => {
    for (const b of blocks) {
      if (b.mark.kind !== 'doctest') continue;
      expect(b.mark.scenario, `docs/${b.page}:${b.line}`).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      if (b.mark.scenario === 'config') expect(['yaml', 'yml', 'json', 'toml'], `docs/${b.page}:${b.line}`).toContain(b.lang);
    }
  });

  it('a JavaScript file of a doctest says by its name whether it is an ES module or CommonJS', () => {
    for (const b of blocks) {
      if (b.mark.kind !== 'doctest' || !['js', 'ts', 'javascript'].includes(b.lang)) continue;
      expect(b.title, `docs/${b.page}:${b.line}`).toMatch(/\.(mjs|cjs)$/);
    }
  });
});

describe('the block reader', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'doc-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads marks, titles and code groups, and leaves a block with text between it and its mark unmarked', () => {
    mkdirSync(path.join(dir, 'g'));
    writeFileSync(
      path.join(dir, 'g', 'p.md'),
      [
        '<!-- doctest: demo -->',
        '',
        '```sh',
        'echo hi',
        '```',
        '<!-- fragment: output -->',
        '::: code-group',
        '```js [a.mjs]',
        'export {};',
        '```',
        '',
        '```js [a.cjs]',
        'module.exports = {};',
        '```',
        ':::',
        '<!-- doctest: demo -->',
        'Some words.',
        '```yaml',
        'a: 1',
        '```',
      ].join('\n'),
    );
    const blocks = pageBlocks(path.join('g', 'p.md'), dir);
    expect(blocks.map((b) => [b.line, b.lang, b.title, b.mark.kind, b.code])).toEqual([
      [3, 'sh', null, 'doctest', 'echo hi'],
      [8, 'js', 'a.mjs', 'fragment', 'export {};'],
      [12, 'js', 'a.cjs', 'fragment', 'module.exports = {};'],
      [18, 'yaml', null, 'unmarked', 'a: 1'],
    ]);
  });
});
