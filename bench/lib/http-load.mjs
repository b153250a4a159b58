// The reload benchmarks' load client: node:http, keep-alive, every request recorded with how it
// ended (status or error code, whether it was written, whether its connection was reused, latency,
// and the pid and version that answered). autocannon is not used: it hides requests lost on
// keep-alive connections the server closed.
import http from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One GET, settled exactly once with how it ended. `written`: the request was flushed to a
 * socket; `reused`: on a keep-alive connection that had served before; `timedOut`: no answer
 * after `noAnswerMs` (the request was then destroyed). The answer must be JSON `{ pid, version }`.
 */
export function requestOnce(port, agent, urlPath, { now, noAnswerMs }) {
  return new Promise((resolve) => {
    const t0 = now();
    let written = false;
    let connected = false;
    let settled = false;
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent });
    const finish = (fields) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ t0, ms: now() - t0, written, connected, reused: req.reusedSocket, ...fields });
    };
    const timer = setTimeout(() => {
      finish({ ok: false, code: 'NO_ANSWER', timedOut: true });
      req.destroy();
    }, noAnswerMs);
    req.on('socket', (socket) => {
      if (req.reusedSocket || !socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('finish', () => (written = true));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('error', (e) => finish({ ok: false, status: res.statusCode, code: e.code ?? e.message }));
      res.on('close', () => {
        if (!res.complete) finish({ ok: false, status: res.statusCode, code: 'RESPONSE_CUT' });
      });
      res.on('end', () => {
        let answer = null;
        try {
          answer = JSON.parse(body);
        } catch {
          // Not our JSON: answer stays null and the request counts as failed below.
        }
        const ok = res.statusCode >= 200 && res.statusCode < 300 && answer !== null;
        finish({ ok, status: res.statusCode, ...(ok ? { pid: answer.pid, version: answer.version } : { code: `HTTP_${res.statusCode}` }) });
      });
    });
    req.on('error', (e) => finish({ ok: false, code: e.code ?? e.message }));
    req.end();
  });
}

/**
 * `connections` loops, each with its own keep-alive agent of one socket, requesting back to back
 * until stopped; `pathFor()` gives each request's `{ urlPath, delayMs }`. `record: false` keeps
 * counts and the failed requests only.
 */
export function startLoad(port, { connections, pathFor, now, noAnswerMs, record = true }) {
  let stopping = false;
  const records = [];
  const counts = { ok: 0, failed: 0 };
  const byPid = {};
  const loops = Array.from({ length: connections }, async (_, conn) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (!stopping) {
      const { urlPath, delayMs } = pathFor();
      const r = await requestOnce(port, agent, urlPath, { now, noAnswerMs });
      if (r.ok) {
        counts.ok++;
        byPid[r.pid] = (byPid[r.pid] ?? 0) + 1;
      } else counts.failed++;
      if (record || !r.ok) records.push({ conn, delayMs, ...r });
      // A refused or reset connection would otherwise spin: a short pause before the next one.
      if (!r.ok) await sleep(10);
    }
    agent.destroy();
  });
  const startedAt = now();
  return {
    async stop() {
      stopping = true;
      const stoppedAt = now();
      await Promise.all(loops);
      return { records, counts, byPid, startedAt, stoppedAt };
    },
  };
}

/** The failed requests of a list, grouped by how they ended. */
export function failureKinds(list) {
  const kinds = {};
  for (const r of list) {
    if (r.ok) continue;
    const kind = r.timedOut ? 'accepted, never answered' : `${r.code}${r.reused ? ' (reused conn)' : ''}${r.written ? '' : ' (not written)'}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
