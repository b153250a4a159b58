/*
 * The bounds of `svc import pm2`: an ecosystem file is the user's own, but it can be huge or
 * hostile (a JavaScript file is code), so every way it could hang the command or fill its memory
 * has a limit. The command's help and docs/guides/migrating-from-pm2.md show these same numbers.
 */

/** An ecosystem file larger than this is refused before it is read or run. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** An ecosystem file with more apps than this is refused (svc.config.yaml would be unusable). */
export const MAX_APPS = 1000;

/** How long a JavaScript ecosystem file may run by default (`--timeout`). */
export const DEFAULT_CODE_TIMEOUT_MS = 10_000;

/** What a JavaScript ecosystem file may give back, as JSON; more and it is stopped. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

/** The heap of the Node that runs a JavaScript ecosystem file (--max-old-space-size, in MB). */
export const CODE_HEAP_MB = 512;

/** The end of the child's stdout and stderr kept to explain a failure. */
export const OUTPUT_TAIL_BYTES = 2048;
