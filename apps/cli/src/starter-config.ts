/** What `svc init` writes: valid as it stands (a test loads it), with every section explained. */
export const STARTER_CONFIG = `# svc config: one entry per service under "services".
# Durations: "500ms", "10s", "2m" or a number of milliseconds. Sizes: "512MB", "10KiB" or bytes.
# Everything but "command" is optional; \`svc config show\` prints the file with every default.
services:
  api:
    command: node
    args: [server.js]
    # cwd: .                     # relative to this file
    # envFile: .env              # read with a dotenv parser; "env" below wins over it
    env:
      NODE_ENV: production
    readiness:
      type: notify               # notify (via @svc/health) | http | tcp | none
      timeout: 30s
      # interval: 100ms          # how often http / tcp readiness is probed
      # url: http://127.0.0.1:3000/ready        # for type: http
      # startWindow: 1s          # must stay up this long to count as started (default 1s for none, else 0)
    # liveness: { heartbeatTimeout: 10s }       # or { http: URL, interval: 10s, failureThreshold: 3 }
    restart:
      policy: on-failure         # on-failure | always | never
      delay: 1s                  # first delay, then × factor up to maxDelay, with jitter
      maxDelay: 30s
      crashLoop: { count: 5, window: 60s }      # that many starts within the window → failed
    stop:
      signal: SIGTERM
      timeout: 10s               # then SIGKILL to the whole process group
    # limits: { memory: 512MB, cpu: 90 }        # sustained over a window → graceful restart
    logs:
      maxSize: 10MB
      maxFiles: 5
`;
