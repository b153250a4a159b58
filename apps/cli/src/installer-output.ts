import type { ActionResult } from '@svc/installers';

/** Prints an installer action for a person: files, commands, warnings, lingering. */
export function printAction(out: { log(message: string): void; logToStderr(message: string): void }, result: ActionResult, dryRun: boolean): void {
  const verb = dryRun ? 'would' : 'did';
  for (const file of result.files) {
    if (file.kind === 'remove') {
      out.log(`${verb} remove ${file.path}`);
    } else {
      out.log(`${verb} write ${file.path}${'mode' in file && typeof file.mode === 'number' ? ` (mode ${file.mode.toString(8)})` : ''}`);
      if (dryRun && 'content' in file && typeof file.content === 'string') out.log(`${file.content.replace(/\n$/, '').replace(/^/gm, '    ')}`);
    }
  }
  for (const command of result.commands) {
    out.log(`${verb} run  ${command.display}${command.exitCode === undefined || command.exitCode === 0 ? '' : `  (exit ${command.exitCode})`}`);
  }
  if (!result.changed && !dryRun) out.log(`${result.serviceName}: already installed as given; nothing changed`);
  if (result.linger) {
    out.log(
      result.linger.enabled
        ? `lingering is on for ${result.linger.user}: the service starts at boot`
        : `lingering is off for ${result.linger.user}: the service starts only at login. Turn it on: ${result.linger.enableCommand} (or --linger)`,
    );
  }
  // Lingering is said once, above, in the CLI's words (its flag is --linger, not the library's option).
  for (const warning of result.warnings) if (!(result.linger && warning.code === 'WLINGER_OFF')) out.logToStderr(`warning: ${warning.message}`);
}
