import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * Who may use the page, checked before any route runs. The page restarts and stops services, so
 * every request must show the token `svc ui` printed: in the URL on the first load (`?token=` on
 * `/`), which sets a cookie, then the cookie (HttpOnly: the page's script never sees it;
 * SameSite=Strict: another site's page cannot send it). The Host header must name this server
 * (a DNS name rebound to 127.0.0.1 by a web page does not), a request that carries an Origin
 * must come from this page's own, and a POST must carry it (with a JSON body, which a plain HTML
 * form cannot send). No response ever allows another origin (no CORS headers at all).
 */

/** Sent with every response, refusals included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  // Nothing of this server may be embedded by another origin's page (a <script src>, an <img>).
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** 32 random bytes, base64url: what the URL carries and the cookie holds. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface Refusal {
  status: number;
  text: string;
}

export interface Guard {
  readonly token: string;
  /** `svc_ui_<port>`: cookies are per host, not per port, so two `svc ui` at once each keep their own. */
  readonly cookieName: string;
  /** The Set-Cookie value that carries the token. */
  cookie(): string;
  /** Whether the request may go on (`viaQuery`: it showed the token in the URL), or why not. */
  check(req: IncomingMessage, url: URL): { viaQuery: boolean } | Refusal;
}

// Digests of equal length: timingSafeEqual then compares in constant time whatever was sent.
const digest = (text: string) => createHash('sha256').update(text).digest();

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/**
 * `hosts`: the Host header values this server answers to (`127.0.0.1:<port>`, `localhost:<port>`).
 */
export function createGuard(token: string, port: number, hosts: readonly string[]): Guard {
  const expected = digest(token);
  const matches = (given: string) => timingSafeEqual(digest(given), expected);
  const cookieName = `svc_ui_${port}`;
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  return {
    token,
    cookieName,
    cookie: () => `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    check(req, url) {
      const host = (req.headers.host ?? '').toLowerCase();
      if (!allowed.has(host)) return { status: 421, text: `svc ui answers only as ${[...allowed].map((h) => `http://${h}`).join(' or ')}\n` };
      const query = url.searchParams.get('token');
      // The token in the URL opens the page only; everything after uses the cookie.
      if (query !== null && (url.pathname !== '/' || req.method !== 'GET' || !matches(query))) return unauthorised;
      const cookie = cookieValue(req.headers.cookie, cookieName);
      if (query === null && (cookie === null || !matches(cookie))) return unauthorised;
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) return { status: 403, text: `requests from ${origin} are refused: only this page may call svc ui\n` };
      if (req.method === 'POST') {
        if (origin === undefined) return { status: 403, text: 'a POST must carry the Origin header of this page\n' };
        if (!/^application\/json(;|$)/i.test(req.headers['content-type'] ?? '')) return { status: 403, text: 'a POST must send Content-Type: application/json\n' };
      }
      if (req.method === 'OPTIONS') return { status: 405, text: 'no cross-origin requests: svc ui answers its own page only\n' };
      return { viaQuery: query !== null };
    },
  };
}

const unauthorised: Refusal = { status: 401, text: 'svc ui needs its token: open the URL svc ui printed (http://…/?token=…)\n' };

export const isRefusal = (verdict: { viaQuery: boolean } | Refusal): verdict is Refusal => 'status' in verdict;

/** A short plain-text answer (a refusal, a 404) with the security headers. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}
