/** Where @svc/drain reports what it does. `info` marks each phase; `warn`/`error` report failures. */
export interface DrainLogger {
  info: (message: string, data?: Record<string, unknown>) => void;
  warn: (message: string, data?: Record<string, unknown>) => void;
  error: (message: string, data?: Record<string, unknown>) => void;
}

function writeLine(message: string, data?: Record<string, unknown>): void {
  const tail = data === undefined ? '' : ` ${safeJson(data)}`;
  process.stderr.write(`svc/drain: ${message}${tail}\n`);
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_key, value: unknown) =>
      value instanceof Error ? { ...value, name: value.name, message: value.message } : value,
    );
  } catch (error) {
    // A circular value in log data must not break a shutdown: the message alone still says what happened.
    void error;
    return '{}';
  }
}

/** Silent about phases, loud about failures: a hook that fails or a deadline that hits is always written to stderr. */
export const defaultLogger: DrainLogger = {
  info: () => undefined,
  warn: writeLine,
  error: writeLine,
};

export function resolveLogger(logger: Partial<DrainLogger> | undefined): DrainLogger {
  if (logger === undefined) return defaultLogger;
  const pick = (level: keyof DrainLogger): DrainLogger[typeof level] => {
    if (logger[level] === undefined) return defaultLogger[level];
    return (message, data) => logger[level]?.(message, data);
  };
  return { info: pick('info'), warn: pick('warn'), error: pick('error') };
}
