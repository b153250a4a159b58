import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSET_PATHS, loadAssets, pageDirectory } from '../src/ui/assets.js';

const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { files: string[] };

describe('the page of svc ui', () => {
  it('is found from the sources as from dist/, and ships in the package', () => {
    expect(pageDirectory()).toBe(`${path.resolve(import.meta.dirname, '../ui')}/`);
    expect(pageDirectory(new URL('../dist/chunk.js', import.meta.url).href)).toBe(pageDirectory());
    expect(pkg.files).toContain('ui');
  });

  it('serves every file the page loads, and loads nothing from elsewhere', () => {
    const assets = loadAssets();
    const page = assets['/'].body.toString('utf8');
    const scripts = ASSET_PATHS.filter((at) => at.endsWith('.js')).map((at) => assets[at].body.toString('utf8'));
    const loaded = [
      ...[...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!),
      ...scripts.flatMap((js) => [...js.matchAll(/^import .* from '\.(\/[^']+)';$/gm)].map((m) => m[1]!)),
    ];
    expect(loaded.length).toBeGreaterThan(3);
    for (const url of loaded.filter((u) => !u.startsWith('data:'))) expect(ASSET_PATHS, url).toContain(url);
    // The SVG namespace is a name, not an address anything is fetched from.
    expect(scripts.join('\n').replaceAll("'http://www.w3.org/2000/svg'", '')).not.toMatch(/https?:\/\//);
    expect(assets['/app.css'].body.toString('utf8')).not.toMatch(/url\(|@import/);
  });
});

describe("the page's number formats", () => {
  it('are the CLI\'s: the page cannot import output.ts, so its copy is held to it here', async () => {
    const page = (await import(path.resolve(import.meta.dirname, '../ui/chart.js'))) as { formatBytes(bytes: number | null): string };
    const { formatBytes } = await import('../src/output.js');
    const values = [null, 0, 1, 1023, 1024, 1536, 99.9 * 1024, 100 * 1024, 5 * 1024 ** 2, 123.4 * 1024 ** 3, 3 * 1024 ** 4, 9 * 1024 ** 5];
    for (const value of values) expect(page.formatBytes(value), String(value)).toBe(formatBytes(value));
  });
});
