import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceHistory } from '@svc/supervisor/client';
import type { BaseCommand } from '../base-command.js';
import { isSvcError } from '../error-output.js';
import { runAction } from '../monit/actions.js';
import { followService, type Follow } from '../monit/log-pane.js';
import { keyOf, type ServiceView } from '../monit/model.js';
import { SECURITY_HEADERS } from './guard.js';
import type { Hub, HubMessage } from './hub.js';
import type { Picture } from './picture.js';
import { openSse } from './sse.js';

/*
 * The page's calls: the picture with an hour of history (`GET /api/state`), the live picture
 * (`GET /api/events`), one service's log tail (`GET /api/logs`) and an action (`POST
 * /api/action`). An action is recorded in the service's event log (`note`, a `requested` event
 * naming svc ui and the caller's address) before it is run, and run exactly as `svc monit` runs
 * its keys (monit/actions.ts), which run it as the command of the same name does.
 */

/** What the page may ask for: the three buttons. */
export const PAGE_ACTIONS = ['restart', 'reload', 'stop'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

/** The largest action body read: a project id, a name and an action are far less. */
const MAX_BODY_BYTES = 4096;

export interface ApiContext {
  hub: Hub;
  /** Loads configs for the actions (each fresh, as a command does). */
  command: BaseCommand;
}

export interface StateAnswer {
  picture: Picture;
  /** An hour of samples per instance, kept by the daemon (empty while none runs). */
  history: InstanceHistory[];
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export async function getState(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const connection = ctx.hub.connection;
  let history: InstanceHistory[] = [];
  try {
    if (connection) history = await connection.client.call('history', {});
  } catch (error) {
    // The daemon went away meanwhile: the picture says so, and the charts start from the live samples.
    if ((error as { code?: unknown }).code !== 'EIPC_CLOSED') throw error;
  }
  sendJson(res, 200, { picture: ctx.hub.picture(), history } satisfies StateAnswer);
}

/** The live picture: `rows` at once and then at each feed tick (`sample`, FEED_TIMING) and after events; `event` per daemon event. */
export function streamEvents(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): void {
  const stream = openSse(req, res);
  stream.send('rows', { picture: ctx.hub.picture(), sample: false });
  const unsubscribe = ctx.hub.subscribe((message: HubMessage) => {
    if (message.type === 'rows') stream.send('rows', { picture: message.picture, sample: message.sample });
    else stream.send('event', message.event);
  });
  stream.onClose(unsubscribe);
}

/** The service a query or body names (`project`: its id, `service`: its name), as the list holds it. */
function serviceOf(ctx: ApiContext, project: unknown, service: unknown): ServiceView | undefined {
  if (typeof project !== 'string' || typeof service !== 'string') return undefined;
  return ctx.hub.list.get(keyOf(project, service));
}

/**
 * One service's output and events (`log` messages: { time, kind: out | err | svc, instance, text }),
 * starting with `start` (the page clears its tail: the daemon sends its recent lines again). One
 * daemon follow per open stream, closed with it; the stream ends when the follow does (the
 * service stopped, the daemon went away) and the browser asks again after `retry`.
 */
export function streamLogs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const stream = openSse(req, res);
  const view = serviceOf(ctx, url.searchParams.get('project'), url.searchParams.get('service'));
  const connection = ctx.hub.connection;
  if (!view || view.gone !== null || connection === null) {
    stream.send('note', { text: view ? `${view.name} is not running: svc logs ${view.name} shows its log files` : 'no such service is running' });
    stream.end();
    return;
  }
  let follow: Follow | null = null;
  stream.onClose(() => void follow?.close());
  stream.send('start', { project: view.project.id, service: view.name });
  followService(
    connection.client,
    { project: view.project, service: view.name },
    (entry) => stream.send('log', entry),
    (error) => {
      if (error) stream.send('note', { text: `not following ${view.name}: ${messageOf(error)}` });
      stream.end();
    },
  ).then(
    (f) => {
      if (stream.closed) void f.close();
      else follow = f;
    },
    (error: unknown) => {
      stream.send('note', { text: `not following ${view.name}: ${messageOf(error)}` });
      stream.end();
    },
  );
}

class BadRequest extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** `{ project, service, action }`, every key checked and no other allowed; throws naming the key. */
function actionRequest(text: string): { project: string; service: string; action: PageAction } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // The text is the client's; what is wrong with it is the answer.
    throw new BadRequest('the body is not JSON: expected { "project": <id>, "service": <name>, "action": "restart" | "reload" | "stop" }');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('expected an object { project, service, action }');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !['project', 'service', 'action'].includes(k));
  if (unknown.length > 0) throw new BadRequest(`unknown key ${unknown[0]}: expected project, service and action`);
  if (typeof fields.project !== 'string' || fields.project === '') throw new BadRequest('project: expected the project id, a string');
  if (typeof fields.service !== 'string' || fields.service === '') throw new BadRequest('service: expected the service name, a string');
  if (!PAGE_ACTIONS.includes(fields.action as PageAction)) throw new BadRequest(`action: expected ${PAGE_ACTIONS.map((a) => `"${a}"`).join(' | ')}`);
  return { project: fields.project, service: fields.service, action: fields.action as PageAction };
}

/** `svc ui (127.0.0.1)`: who asked, as the `requested` event records it. */
const requester = (req: IncomingMessage) => `svc ui (${(req.socket.remoteAddress ?? 'unknown address').replace(/^::ffff:/, '')})`;

export async function postAction(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let asked;
  try {
    asked = actionRequest(await readBody(req));
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    sendJson(res, 400, { ok: false, error: { code: 'EUSAGE', message: error.message } });
    return;
  }
  const view = serviceOf(ctx, asked.project, asked.service);
  const connection = ctx.hub.connection;
  if (!view || view.gone !== null || connection === null) {
    sendJson(res, 404, { ok: false, error: { code: 'ENOT_RUNNING', message: `${asked.service} is not running${connection === null ? ' (no svc daemon runs)' : ''}` } });
    return;
  }
  try {
    // Recorded first: an action that fails half-way was still asked for, and by whom.
    await connection.client.call('note', { project: view.project.id, service: view.name, action: asked.action, by: requester(req) });
    const message = await runAction(asked.action, view, { command: ctx.command, connection });
    sendJson(res, 200, { ok: true, message });
  } catch (error) {
    const code = isSvcError(error) ? error.code : ((error as { code?: unknown }).code ?? 'EUNKNOWN');
    sendJson(res, 500, { ok: false, error: { code: typeof code === 'string' ? code : 'EUNKNOWN', message: messageOf(error) } });
  } finally {
    ctx.hub.refresh();
  }
}
