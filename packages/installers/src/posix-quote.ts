/** A POSIX shell word, for showing a command a user could paste; commands themselves run without a shell. */
export function quotePosixArg(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function posixCommandLine(args: readonly string[]): string {
  return args.map(quotePosixArg).join(' ');
}
