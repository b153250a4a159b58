import type { Command } from '@oclif/core';
import ConfigShow from './commands/config/show.js';
import ConfigValidate from './commands/config/validate.js';
import DaemonRestart from './commands/daemon/restart.js';
import DaemonRun from './commands/daemon/run.js';
import DaemonStatus from './commands/daemon/status.js';
import DaemonStop from './commands/daemon/stop.js';
import Describe from './commands/describe.js';
import Disable from './commands/disable.js';
import Enable from './commands/enable.js';
import Health from './commands/health.js';
import ImportPm2 from './commands/import/pm2.js';
import Init from './commands/init.js';
import Install from './commands/install.js';
import Logs from './commands/logs.js';
import Metrics from './commands/metrics.js';
import Monit from './commands/monit.js';
import Reload from './commands/reload.js';
import Restart from './commands/restart.js';
import Run from './commands/run.js';
import Scale from './commands/scale.js';
import Start from './commands/start.js';
import Status from './commands/status.js';
import Stop from './commands/stop.js';
import Ui from './commands/ui.js';
import Uninstall from './commands/uninstall.js';

/** Every command, for oclif's explicit discovery (one bundle, no directory scan). */
export const COMMANDS: Record<string, Command.Class> = {
  start: Start,
  stop: Stop,
  restart: Restart,
  reload: Reload,
  scale: Scale,
  status: Status,
  describe: Describe,
  logs: Logs,
  metrics: Metrics,
  monit: Monit,
  ui: Ui,
  health: Health,
  run: Run,
  install: Install,
  uninstall: Uninstall,
  enable: Enable,
  disable: Disable,
  init: Init,
  'config:validate': ConfigValidate,
  'config:show': ConfigShow,
  'daemon:status': DaemonStatus,
  'daemon:stop': DaemonStop,
  'daemon:restart': DaemonRestart,
  'daemon:run': DaemonRun,
  'import:pm2': ImportPm2,
};
