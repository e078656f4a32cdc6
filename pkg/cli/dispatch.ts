/**
 * `albatross COMMAND ...`: picks the sub-command, answers `--help` and `--version`, and
 * reports an unknown command as a usage error (exit 2).
 */
import { TOP_HELP } from './help.ts';
import type { CliIo, ExitCode } from './io.ts';

export type Command = (argv: readonly string[], io: CliIo) => Promise<ExitCode>;

export async function dispatch(
  argv: readonly string[],
  io: CliIo,
  commands: Readonly<Record<string, Command>>,
  version: () => Promise<string>,
): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`albatross ${await version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr(
      `albatross: unknown command '${name}': expected one of ${Object.keys(commands).join(', ')} (see albatross --help)\n`,
    );
    return 2;
  }
  return command(rest, io);
}

/** For sub-commands that exist in the usage but not yet in this build. */
export function notYetAvailable(name: string): Command {
  return (_argv, io) => {
    io.stderr(`albatross ${name}: not yet available in this version\n`);
    return Promise.resolve(2);
  };
}
