/** What every subcommand provides, and the streams and clock it is given. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Folder relative paths are resolved against. */
  cwd: string;
  /** Wall clock, epoch ms: how fast a run went, and "now" for the commands that read a deployed stack. */
  now(): number;
}

export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
