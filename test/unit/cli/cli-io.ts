/** An in-memory CliIo: what a command printed, and a stdin to feed it. */
import type { CliIo } from '../../../pkg/cli/index.ts';

export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(
  options: { stdin?: string; tty?: boolean; cwd?: string } = {},
): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    stdoutIsTTY: options.tty ?? false,
    cwd: options.cwd ?? new URL('.', import.meta.url).pathname,
    out: () => out,
    err: () => err,
  };
}
