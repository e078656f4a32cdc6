/**
 * Child processes of the test environment: started with their output in a log file,
 * waited for until ready, and stopped for sure (SIGTERM, then SIGKILL).
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
}

/**
 * Starts `command` with stdout and stderr appended to `logFile`. With `detached`, the
 * process outlives this one (for `testenv:up`); otherwise it is killed when we exit.
 */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  options: { readonly detached: boolean; readonly env?: NodeJS.ProcessEnv },
): Started {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    detached: options.detached,
    env: options.env ?? process.env,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  if (options.detached) child.unref();
  else killOnExit(child.pid);
  return { name, pid: child.pid, logFile };
}

const owned = new Set<number>();
let exitHookInstalled = false;

function killOnExit(pid: number): void {
  owned.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of owned) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  owned.delete(pid);
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
}

/** Polls `probe` until it returns true; on timeout the error carries the log's tail. */
export async function waitUntil(
  what: Started,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(what.pid)) {
      throw new Error(`${what.name} exited during start-up; log tail:\n${tail(what.logFile)}`);
    }
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${what.name} not ready after ${timeoutMs} ms; log tail:\n${tail(what.logFile)}`);
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
