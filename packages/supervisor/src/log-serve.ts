import type { IpcSubscriptionContext } from '@svc/ipc/client';
import type { ServiceHost, ServiceTarget } from './daemon-host.js';
import type { LogEvent, LogsOptions, LogsStream } from './daemon-methods.js';
import type { LogStream, SupervisorEvent } from './events.js';
import { emptyLog } from './log-flush.js';
import { parseEventLine } from './log-line.js';
import { mergeByTime, readLogTail } from './log-read.js';
import type { OutputLine } from './recent-lines.js';
import type { Service } from './service.js';

/** The output streams a `logs` stream stands for. */
function outputStreams(stream: Exclude<LogsStream, 'events'>): LogStream[] {
  return stream === 'output' ? ['stdout', 'stderr'] : [stream];
}

const followed = (l: OutputLine): LogEvent => ({ stream: l.stream, line: l.line, time: l.time, instance: l.instance });

/**
 * History: what is on disk once the writer has caught up (across rotations), the last `lines`
 * lines; of both output streams, in time order. `lines: 0` only waits for the writer.
 */
async function history(service: Service, stream: LogsStream, lines: number): Promise<LogEvent[]> {
  await service.flushLogs();
  if (stream === 'events') return readLogTail(service.eventLogPath, { lines, parse: parseEventLine }).map((e) => ({ stream, line: e.line }));
  const tails = outputStreams(stream).map((s) => readLogTail(service.logPath(s), { lines }).map((e) => ({ ...e, stream: s })));
  const merged = lines > 0 ? mergeByTime(tails).slice(-lines) : [];
  return merged.map((e) => ({ stream: e.stream, line: e.line, time: e.time }));
}

/**
 * Live lines for a reader that may fall behind: while its connection's unsent output is above half
 * the limit, lines are counted instead of sent, and once it has drained one event says how many
 * were left out (they are in the files). Without this a slow reader of a busy service made the
 * buffer reach its limit, and the connection was cut off.
 */
function keepUp(emit: (event: LogEvent) => boolean, ctx: IpcSubscriptionContext, stream: LogEvent['stream']): (event: LogEvent) => void {
  let skipped = 0;
  return (event) => {
    if (skipped === 0 && !ctx.congested()) {
      emit(event);
      return;
    }
    skipped += 1;
    if (skipped > 1) return;
    void ctx.writable().then(() => {
      const count = skipped;
      skipped = 0;
      emit({ stream, line: '', skipped: count });
    });
  };
}

/**
 * The daemon's `logs` subscription (daemon-methods.ts). Without `follow`, the history, sent as
 * fast as the client reads (a tail larger than the connection's write buffer waits for it to
 * drain instead of being cut off), then the end. With `follow`, the last lines kept in memory and
 * then every new line, with no gap and no repeat between them. With `flush`, the stream's log
 * files are emptied once the writer has caught up, and the lines kept in memory forgotten.
 */
export function serveLogs(
  host: ServiceHost,
  target: ServiceTarget,
  { stream, lines, follow, flush }: LogsOptions,
  emit: (event: LogEvent) => boolean,
  ctx: IpcSubscriptionContext,
): Promise<() => void> {
  const service = host.service(target);
  if (flush || !follow) {
    // Done after the acknowledgement: reading 100000 lines takes a while.
    void (async () => {
      try {
        if (flush && stream !== 'events') {
          await service.flushLogs();
          for (const s of outputStreams(stream)) emptyLog(service.logPath(s));
          host.output(target).clear(stream);
        } else {
          for (const event of await history(service, stream, lines)) {
            if (!emit(event)) return;
            await ctx.writable();
          }
        }
        ctx.end();
      } catch (error) {
        ctx.end(error);
      }
    })();
    return Promise.resolve(() => undefined);
  }
  // Follow: the tail from memory and the subscription below happen in the same tick, so they
  // meet exactly — no line lost in the writer's buffer, none sent twice.
  const onRemoved = (key: string) => key === `${target.project.id}\u0000${target.service}` && ctx.end();
  host.on('removed', onRemoved);
  if (stream === 'events') {
    for (const line of service.recent('events', lines)) emit({ stream, line });
    const send = keepUp(emit, ctx, stream);
    const onEvent = (event: SupervisorEvent) => send({ stream, line: JSON.stringify(event) });
    service.on('event', onEvent);
    return Promise.resolve(() => {
      service.off('event', onEvent);
      host.off('removed', onRemoved);
    });
  }
  const output = host.output(target);
  for (const line of output.last(stream, lines)) emit(followed(line));
  const send = keepUp(emit, ctx, stream === 'output' ? 'stdout' : stream);
  const onLine = (l: OutputLine) => void ((stream === 'output' || l.stream === stream) && send(followed(l)));
  output.on('line', onLine);
  return Promise.resolve(() => {
    output.off('line', onLine);
    host.off('removed', onRemoved);
  });
}
