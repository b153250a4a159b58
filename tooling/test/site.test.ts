/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The docs site as a reader gets it: `vitepress build docs` into a temp dir, served by a small
 * static server with the same clean-URL rules a host gives it, and every built page loaded in
 * Chromium. A console error, a failed request, a link to a page that was not built and a link to
 * an anchor its page does not have are each a failure, named by page. Then the local search is
 * used as a reader uses it: the Search button, typed words, result links.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const docs = path.join(root, 'docs');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const isFile = (file: string) => existsSync(file) && statSync(file).isFile();

/** Serves `dir` the way a static host serves a VitePress build with cleanUrls: /a → a.html, /a/ → a/index.html, else 404.html with 404. */
function serve(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const candidates = pathname.endsWith('/') ? [`${pathname}index.html`] : [pathname, `${pathname}.html`];
    for (const candidate of candidates) {
      const file = path.join(dir, path.normalize(candidate));
      if (file.startsWith(dir + path.sep) && isFile(file)) {
        res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404, { 'content-type': types['.html']! });
    res.end(readFileSync(path.join(dir, '404.html')));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/** Every built page as the URL a reader opens: index.html → /, cli.html → /cli, guides/index.html → /guides/. */
function builtPages(dir: string, under = ''): string[] {
  return readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(under, entry.name);
    if (entry.isDirectory()) return entry.name === 'assets' ? [] : builtPages(dir, rel);
    if (!entry.name.endsWith('.html') || rel === '404.html') return [];
    return [`/${rel}`.replace(/index\.html$/, '').replace(/\.html$/, '')];
  });
}

/** The page a link's path names, in the form builtPages gives (/cli.html and /cli are one page). */
const pageKey = (pathname: string) => pathname.replace(/\.html$/, '').replace(/\/index$/, '/');

interface Visit {
  problems: string[];
  ids: Set<string>;
  links: Array<{ href: string; text: string }>;
  /** The text of each process-model picture on the page, and its rendered width. */
  pictures: Array<{ width: number; texts: string[] }>;
}

function watch(page: Page, problems: string[]) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    problems.push(`console error: ${message.text()}${url ? ` (at ${url}${lineNumber ? `:${lineNumber}` : ''})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'no reason'})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
}

async function visit(context: BrowserContext, url: string): Promise<Visit> {
  const page = await context.newPage();
  const problems: string[] = [];
  watch(page, problems);
  try {
    await page.goto(url, { waitUntil: 'networkidle' });
    const found = await page.evaluate(() => ({
      ids: Array.from(document.querySelectorAll('[id]'), (element) => element.id).concat(Array.from(document.querySelectorAll('a[name]'), (a) => a.getAttribute('name') ?? '')),
      links: Array.from(document.querySelectorAll('a[href]'), (a) => ({ href: (a as HTMLAnchorElement).href, text: (a.textContent ?? '').trim().replace(/\s+/g, ' ') })),
      pictures: Array.from(document.querySelectorAll('svg.svc-process-model'), (svg) => ({
        width: svg.getBoundingClientRect().width,
        texts: Array.from(svg.querySelectorAll('text'), (text) => (text.textContent ?? '').replace(/\s+/g, ' ')),
      })),
    }));
    return { problems, ids: new Set(found.ids), links: found.links, pictures: found.pictures };
  } finally {
    await page.close();
  }
}

describe('the docs site', () => {
  let out: string;
  let site: { origin: string; close: () => Promise<void> } | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let pages: string[];
  const visits = new Map<string, Visit>();
  // A build that fails or a missing Chromium fails every test below with its own message (a
  // failing beforeAll would mark them skipped instead).
  let setUpFailure: Error | undefined;
  const ready = () => {
    if (setUpFailure !== undefined) throw setUpFailure;
  };

  async function setUp() {
    if (!isFile(chromiumPath)) {
      throw new Error(`no Chromium at ${chromiumPath}: install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary`);
    }
    out = mkdtempSync(path.join(tmpdir(), 'svc-site-'));
    // docs/package.json builds with `vitepress build .`; the output goes to a temp dir so a
    // concurrent `pnpm --filter @svc/docs build` and this test never share one.
    await run(process.execPath, [path.join(docs, 'node_modules/vitepress/bin/vitepress.js'), 'build', '.', '--outDir', out], {
      cwd: docs,
      maxBuffer: 64 * 1024 * 1024,
    });
    pages = builtPages(out).sort();
    site = await serve(out);
    browser = await chromium.launch({ executablePath: chromiumPath });
    context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    // Four pages at a time: enough to keep the test short, few enough for a 2-core machine.
    const queue = [...pages];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) visits.set(next, await visit(context, site!.origin + next));
      }),
    );
  }

  beforeAll(async () => {
    await setUp().catch((error: unknown) => {
      setUpFailure = error instanceof Error ? error : new Error(String(error));
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('builds the pages the sidebar is made of', () => {
    ready();
    expect(pages).toEqual(expect.arrayContaining(['/', '/cli', '/decisions', '/protocol', '/packages/lock', '/guides/across-hosts']));
  });

  it('loads every page without a console error or a failed request', () => {
    ready();
    const problems = pages.flatMap((page) => visits.get(page)!.problems.map((problem) => `${page}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('has no link to a page that was not built, nor to an anchor its page does not have', async () => {
    ready();
    // One entry per broken target, with the pages and link texts that lead to it (the nav and the
    // sidebar repeat a link on every page).
    const broken = new Map<string, { pages: Set<string>; texts: Set<string> }>();
    const report = (problem: string, page: string, text: string) => {
      const entry = broken.get(problem) ?? { pages: new Set(), texts: new Set() };
      entry.pages.add(page);
      entry.texts.add(text);
      broken.set(problem, entry);
    };
    const files = new Map<string, number>();
    for (const page of pages) {
      for (const link of visits.get(page)!.links) {
        const target = new URL(link.href);
        if (target.origin !== site!.origin) continue;
        if (/\.(?!html$)[a-z0-9]+$/i.test(target.pathname)) {
          // A file (the diagram, an asset): it must be served.
          if (!files.has(target.pathname)) files.set(target.pathname, (await fetch(site!.origin + target.pathname)).status);
          if (files.get(target.pathname) !== 200) report(`${target.pathname}: HTTP ${files.get(target.pathname)}`, page, link.text);
          continue;
        }
        const key = pageKey(target.pathname);
        const visited = visits.get(key);
        if (!visited) {
          report(`${target.pathname}: no such page`, page, link.text);
          continue;
        }
        const anchor = decodeURIComponent(target.hash.slice(1));
        if (anchor && !visited.ids.has(anchor)) report(`${key}#${anchor}: no such anchor on ${key}`, page, link.text);
      }
    }
    const found = [...broken].map(([problem, { pages: from, texts }]) => `${problem} (linked from ${[...from].join(', ')} as ${[...texts].map((t) => `"${t}"`).join(', ')})`);
    expect(found).toEqual([]);
  });

  it('shows the process model as text on the home page and in the decisions', () => {
    ready();
    for (const url of ['/', '/decisions']) {
      const pictures = visits.get(url)?.pictures ?? [];
      expect(pictures, `${url}: one process-model picture`).toHaveLength(1);
      expect(pictures[0]!.width, `${url}: the picture's rendered width`).toBeGreaterThan(300);
      const texts = pictures[0]!.texts.join('\n');
      for (const words of ['one per user (per SVC_HOME)', 'orphan guard', 'fd 3 (LISTEN_FDS)', 'locks (@svc/lock)', '/health /ready /alive', 'the ad-hoc project']) {
        expect(texts, `${url}: "${words}" in the picture`).toContain(words);
      }
    }
  });

  it.concurrent.each([
    ['reload', '/cli'],
    ['ELOCKED', '/packages/lock'],
  ])('finds "%s" with the local search, with a result on %s', async (words, expected) => {
    ready();
    const page = await context.newPage();
    const problems: string[] = [];
    watch(page, problems);
    await page.goto(`${site!.origin}/`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Search' }).click();
    const input = page.locator('#localsearch-input');
    await input.waitFor({ state: 'visible' });
    await input.pressSequentially(words);
    const results = page.locator('#localsearch-list a.result');
    await results.first().waitFor({ state: 'visible', timeout: 10_000 });
    // The list is redrawn as each key is typed: read it until it shows the whole query's results.
    let hrefs: string[] = [];
    let wanted: string | undefined;
    for (const deadline = performance.now() + 10_000; wanted === undefined && performance.now() < deadline; await page.waitForTimeout(50)) {
      hrefs = await results.evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
      wanted = hrefs.find((href) => pageKey(new URL(href).pathname) === expected);
    }
    expect(wanted, `results for "${words}": ${hrefs.join(', ')}`).toBeDefined();
    // Every result leads to a page that exists and an anchor on it.
    for (const href of hrefs) {
      const target = new URL(href);
      const visited = visits.get(pageKey(target.pathname));
      expect(visited, `${href}: no such page`).toBeDefined();
      const anchor = decodeURIComponent(target.hash.slice(1));
      if (anchor) expect(visited!.ids.has(anchor), `${href}: no anchor #${anchor}`).toBe(true);
    }
    // Following the result lands on its page, where the words are.
    await results.nth(hrefs.findIndex((href) => href === wanted)).click();
    await page.waitForURL((url) => pageKey(url.pathname) === expected);
    await expect(page.locator('.vp-doc').innerText()).resolves.toContain(words);
    expect(problems).toEqual([]);
    await page.close();
  });
});
