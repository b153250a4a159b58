import http from 'node:http';
import { expect, it } from 'vitest';
import { freePort, whoAnswers } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';
import { waitUntil } from './helpers/wait.js';

/** How one request ended, as the client saw it. */
interface Outcome {
  kind: 'slow' | 'load';
  /** The request was fully written to its socket. */
  sent: boolean;
  status: number | null;
  connection: string | null;
  body: string;
  error: string | null;
}

/** A request on the keep-alive agent that records its ending instead of throwing. */
function send(agent: http.Agent, url: string, kind: Outcome['kind'], outcomes: Outcome[]): Promise<Outcome> {
  const outcome: Outcome = { kind, sent: false, status: null, connection: null, body: '', error: null };
  outcomes.push(outcome);
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      outcome.status = res.statusCode ?? null;
      outcome.connection = res.headers.connection ?? null;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (outcome.body += chunk));
      res.on('end', () => resolve(outcome));
      res.on('error', (error: NodeJS.ErrnoException) => {
        outcome.error = `response: ${error.code ?? error.message}`;
        resolve(outcome);
      });
    });
    req.on('finish', () => (outcome.sent = true));
    req.on('error', (error: NodeJS.ErrnoException) => {
      outcome.error = `request: ${error.code ?? error.message}`;
      resolve(outcome);
    });
  });
}

it('svc stop under load: every request in flight when the stop begins is answered in full', async () => {
  const sb = createSandbox();
  const port = await freePort();
  sb.writeConfig({ services: { web: exampleService(port, { stop: { timeout: '20s' } }) } });
  await sb.ok(['start', 'web']);
  const base = `http://127.0.0.1:${port}`;

  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const outcomes: Outcome[] = [];
  try {
    // Long requests that will still be running when the stop begins…
    const slow = Array.from({ length: 6 }, () => send(agent, `${base}/slow?ms=6000`, 'slow', outcomes));
    // …and a steady load of short ones over reused keep-alive connections, until the stop.
    let stopping = false;
    const worker = async () => {
      while (!stopping) await send(agent, `${base}/slow?ms=50`, 'load', outcomes);
    };
    const load = Array.from({ length: 4 }, () => worker());

    await waitUntil('the slow requests to be sent and the load to be flowing', () => {
      const slowSent = outcomes.filter((o) => o.kind === 'slow' && o.sent).length === 6;
      const loadDone = outcomes.filter((o) => o.kind === 'load' && o.status !== null).length >= 20;
      return slowSent && loadDone;
    });
    expect(outcomes.filter((o) => o.error !== null)).toEqual([]);

    // From here on no new request starts: each one recorded was sent before `svc stop` ran.
    stopping = true;
    const stop = await sb.svc(['stop', 'web']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^web stopped$/m);
    await Promise.all([...slow, ...load]);

    const failed = outcomes.filter((o) => o.error !== null || o.status !== 200);
    expect(failed).toEqual([]);
    // The slow ones were answered during the drain (Connection: close) and in full.
    const slowOutcomes = outcomes.filter((o) => o.kind === 'slow');
    expect(slowOutcomes).toHaveLength(6);
    for (const o of slowOutcomes) {
      expect(o.connection).toBe('close');
      expect(JSON.parse(o.body)).toEqual({ sleptMs: 6000 });
    }
    expect(outcomes.filter((o) => o.kind === 'load').length).toBeGreaterThanOrEqual(20);
  } finally {
    agent.destroy();
  }
  // And once svc stop has returned, nothing serves on the port.
  expect(await whoAnswers(port)).toBeNull();
});
