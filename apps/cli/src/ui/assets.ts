import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/*
 * The page: files written by hand (apps/cli/ui: index.html, app.css and three script modules), shipped in
 * the package as they are, so nothing is built on a user's machine and nothing is fetched from
 * elsewhere. They sit beside dist/ in the package; from the sources (tests run them too) they are
 * two levels up. Read once, when the server starts.
 */

export interface Asset {
  type: string;
  body: Buffer;
}

const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/chart.js': { file: 'chart.js', type: 'text/javascript; charset=utf-8' },
  '/log-tail.js': { file: 'log-tail.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

export type AssetPath = keyof typeof FILES;
export const ASSET_PATHS = Object.keys(FILES) as AssetPath[];

/** Where the page files are: `<package>/ui`, from dist/<chunk>.js or from src/ui/assets.ts. */
export function pageDirectory(from: string = import.meta.url): string {
  const candidates = ['../ui/', '../../ui/'].map((rel) => fileURLToPath(new URL(rel, from)));
  const found = candidates.find((dir) => existsSync(`${dir}index.html`) && existsSync(`${dir}app.js`));
  if (found === undefined) throw new Error(`svc ui cannot find its page (index.html and its scripts) in ${candidates.join(' or ')}: reinstall @svc/cli`);
  return found;
}

export function loadAssets(dir: string = pageDirectory()): Record<AssetPath, Asset> {
  const assets = {} as Record<AssetPath, Asset>;
  for (const at of ASSET_PATHS) assets[at] = { type: FILES[at].type, body: readFileSync(`${dir}${FILES[at].file}`) };
  return assets;
}
