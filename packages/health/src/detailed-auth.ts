import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Bearer-token check for the detailed endpoint. Both sides are hashed first so the comparison is
 * constant-time and of equal length whatever the client sends.
 */
export function createTokenCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !/^Bearer /i.test(header)) return false;
    return timingSafeEqual(digest(header.slice(7).trim()), expected);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
