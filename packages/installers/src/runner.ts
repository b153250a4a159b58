import { execFile } from 'node:child_process';

export interface CommandResult {
  /** null when the command was ended by a signal. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command without a shell and resolves with its exit code and output, also when the exit
 * code is not 0; rejects only when the command could not be started (e.g. ENOENT). Injectable so
 * that launchd and Windows command construction can be checked on a machine without them.
 */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export const execFileRunner: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: 'utf8', windowsHide: true, maxBuffer: MAX_OUTPUT_BYTES }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ exitCode: 0, stdout, stderr });
        return;
      }
      // A numeric code is the exit status; a string code (ENOENT, EACCES) means it never ran.
      if (typeof error.code === 'number') resolve({ exitCode: error.code, stdout, stderr });
      else if (error.code === undefined || error.code === null) resolve({ exitCode: null, stdout, stderr });
      else {
        const failure: Error = error;
        reject(failure);
      }
    });
  });
