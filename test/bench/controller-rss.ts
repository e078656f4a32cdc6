/**
 * The memory benchmark's subject: the compiled controller (`dist/controller/main.js
 * controller`) as a separate process, started with the Node flags of the shipped image's
 * ENTRYPOINT (read from the Dockerfile, so the two cannot drift), leader election off.
 * Its resident set is read from /proc/<pid>/status (VmRSS; VmHWM for the peak), so the
 * figure is the kernel's, for the whole process: V8 heap, code, the SDKs, buffers.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { TestEnv } from '../env/testenv.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The Node flags between the node binary and the script in the Dockerfile's ENTRYPOINT. */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (line === undefined) throw new Error('Dockerfile has no exec-form ENTRYPOINT');
  const words = JSON.parse(line) as string[];
  const script = words.findIndex((w) => w.endsWith('.js'));
  if (script < 1) throw new Error(`ENTRYPOINT names no script: ${line}`);
  return words.slice(1, script);
}

/**
 * The compiled controller as the image starts it: node, the ENTRYPOINT's flags, and
 * `dist/controller/main.js` (build it first: memory-bench.ts `build`).
 */
export function compiledControllerCommand(): [string, ...string[]] {
  return [process.execPath, ...imageNodeFlags(), `${root}dist/controller/main.js`];
}

/** Resident set figures of a live process, in MB. */
export interface Rss {
  readonly rssMb: number;
  readonly peakMb: number;
}

/** VmRSS and VmHWM of a live process, from /proc/<pid>/status. */
export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (m?.[1] === undefined) throw new Error(`/proc/${String(pid)}/status has no ${field}`);
    return Math.round((Number(m[1]) / 1024) * 10) / 10;
  };
  return { rssMb: kb('VmRSS'), peakMb: kb('VmHWM') };
}

/** One run's figures. */
export interface ControllerRss {
  /** Every module loaded, HTTP servers listening, no informer has listed yet. */
  readonly beforeCaches: Rss;
  /** /readyz answered 200 (every cache synced), plus one second for the watches to settle. */
  readonly synced: Rss;
  /** After `reconcileSeconds` of the workers reconciling every group. */
  readonly reconciling: Rss;
  readonly syncSeconds: number;
}

/** Starts the compiled controller against `env`, measures it and SIGTERMs it. */
export async function measureControllerRss(
  env: TestEnv,
  options: { readonly reconcileSeconds: number; readonly timeoutMs: number },
): Promise<ControllerRss> {
  const [program, ...lead] = compiledControllerCommand();
  const child = spawn(
    program,
    [
      ...lead,
      'controller',
      '--cluster-name',
      env.clusterName,
      '--aws-region',
      env.state.region,
      '--aws-endpoint',
      env.state.awsEndpoint,
      '--aws-vpc-id',
      env.world.vpcId,
      '--leader-election=false',
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0', // No MutatingWebhookConfiguration points here; a fixed port could be taken.
      '--webhook-port',
      '0',
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env.exports() },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    const { health, beforeCaches } = await listening(child, options.timeoutMs);
    const started = performance.now();
    const deadline = Date.now() + options.timeoutMs;
    while ((await fetch(`http://${health}/readyz`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('the controller never became ready');
      await delay(50);
    }
    const syncSeconds = (performance.now() - started) / 1000;
    await delay(1000);
    const synced = readRss(pidOf(child));
    await delay(options.reconcileSeconds * 1000);
    const reconciling = readRss(pidOf(child));
    return { beforeCaches, synced, reconciling, syncSeconds };
  } finally {
    await stop(child);
  }
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined || child.exitCode !== null) {
    throw new Error('the controller exited');
  }
  return child.pid;
}

/** Waits for the `listening` log line; reads RSS at once (the informers start right after). */
function listening(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ health: string; beforeCaches: Rss }> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const log: string[] = [];
    const timer = setTimeout(() => {
      reject(new Error(`the controller never listened:\n${log.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the controller exited ${String(code)}:\n${log.join('\n')}`));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (log.length < 50) log.push(line);
        const entry = parseLine(line);
        if (entry?.msg !== 'listening' || typeof entry.health !== 'string') continue;
        const beforeCaches = readRss(pidOf(child));
        clearTimeout(timer);
        resolve({ health: entry.health, beforeCaches });
      }
    });
  });
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const how = await Promise.race([exited, delay(15_000, 'timeout')]);
  if (how === 'timeout') child.kill('SIGKILL');
}
