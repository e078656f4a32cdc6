/**
 * `npm run testenv:up` / `testenv:down`: the test environment for people and scripts.
 * `up` provisions (first run only), starts everything detached, prints `export` lines
 * and writes them, with the state, under .testenv/. `down` stops it and leaves no
 * process behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envDir, exportsFile, stateDir, stateFile } from './paths.ts';
import { isAlive, stopProcess } from './process.ts';
import { TestEnv, readState, writeState } from './testenv.ts';

async function up(): Promise<void> {
  if (existsSync(stateFile)) {
    const state = readState(stateFile);
    if (state.pids.every((p) => isAlive(p.pid))) {
      process.stderr.write(`testenv: already running (state in ${stateFile})\n`);
      process.stdout.write(readExports());
      return;
    }
    await down();
  }
  execFileSync(join(envDir, 'provision.sh'), { stdio: 'inherit' });
  mkdirSync(stateDir, { recursive: true });
  const started = Date.now();
  const env = await TestEnv.start({ detached: true, dir: join(stateDir, 'run') });
  writeState(stateFile, env.snapshot());
  const lines = Object.entries({ ...env.exports(), ALBATROSS_TESTENV_STATE: stateFile })
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  writeFileSync(exportsFile, `${lines}\n`);
  process.stdout.write(`${lines}\n`);
  process.stderr.write(
    `testenv: up in ${((Date.now() - started) / 1000).toFixed(1)} s; source ${exportsFile}\n`,
  );
  env.release(); // the processes are detached: they run on until `testenv:down`
}

async function down(): Promise<void> {
  if (!existsSync(stateFile)) {
    process.stderr.write('testenv: not running\n');
    return;
  }
  const state = readState(stateFile);
  await Promise.all(state.pids.map((p) => stopProcess(p.pid)));
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  rmSync(exportsFile, { force: true });
  process.stderr.write('testenv: stopped\n');
}

function readExports(): string {
  return existsSync(exportsFile) ? readFileSync(exportsFile, 'utf8') : '';
}

function shellQuote(value: string): string {
  return /^[\w./:@=-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  process.stderr.write('usage: test/env/cli.ts up|down\n');
  process.exitCode = 2;
}
