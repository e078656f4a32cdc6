/**
 * The world a command sees, injected so that commands are tested by calling them:
 * output streams, stdin, whether stdout is a terminal, and the directory paths are
 * relative to. Files themselves are read with node:fs (tests point at real files).
 */
import { readFile } from 'node:fs/promises';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The whole of stdin, read once (`-f -`). */
  readonly readStdin: () => Promise<string>;
  /** Decides the default `--output`: text for a person, JSON for a pipe. */
  readonly stdoutIsTTY: boolean;
  readonly cwd: string;
}

/** A command's result is its exit code: 0 fine, 1 error problems, 2 usage. */
export type ExitCode = 0 | 1 | 2;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    },
    stdoutIsTTY: process.stdout.isTTY,
    cwd: process.cwd(),
  };
}

/** The package version, from the package.json above this file (source or dist/). */
export async function packageVersion(): Promise<string> {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const parsed: unknown = JSON.parse(
        await readFile(new URL(relative, import.meta.url), 'utf8'),
      );
      if (isAlbatrossPackage(parsed)) return parsed.version;
    } catch {
      // not this level; try the next one up
    }
  }
  return 'unknown';
}

function isAlbatrossPackage(value: unknown): value is { name: string; version: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    value.name === 'albatross' &&
    'version' in value &&
    typeof value.version === 'string'
  );
}
