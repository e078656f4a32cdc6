/** Where the test environment's binaries, state and logs live. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const envDir = join(repoRoot, 'test', 'env');
/** Where `testenv:up` keeps its state and processes' files; ALBATROSS_TESTENV_DIR moves it. */
export const stateDir = process.env.ALBATROSS_TESTENV_DIR ?? join(repoRoot, '.testenv');
export const stateFile = join(stateDir, 'state.json');
export const exportsFile = join(stateDir, 'env');

function readVersions(): Readonly<Record<string, string>> {
  const text = readFileSync(join(envDir, 'versions.env'), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

function version(versions: Readonly<Record<string, string>>, key: string): string {
  const v = versions[key];
  if (v === undefined) throw new Error(`test/env/versions.env has no ${key}`);
  return v;
}

const versions = readVersions();
export const kubeVersion = version(versions, 'KUBE_VERSION');
export const etcdVersion = version(versions, 'ETCD_VERSION');
export const motoVersion = version(versions, 'MOTO_VERSION');
export const helmVersion = version(versions, 'HELM_VERSION');

export const cacheDir = process.env.ALBATROSS_CACHE_DIR ?? join(homedir(), '.cache', 'albatross');
export const binaries = {
  etcd: join(cacheDir, 'bin', `etcd-${etcdVersion}`),
  kubeApiserver: join(cacheDir, 'bin', `kube-apiserver-${kubeVersion}`),
  motoServer: join(cacheDir, 'venv', `moto-${motoVersion}`, 'bin', 'moto_server'),
  motoPython: join(cacheDir, 'venv', `moto-${motoVersion}`, 'bin', 'python'),
} as const;

/**
 * helm, for the chart's tests only: kept out of `binaries` so that an environment
 * without it still starts; the chart suites name it when it is missing.
 */
export const helmBinary = join(cacheDir, 'bin', `helm-${helmVersion}`);

/** moto's server with the ALB features it lacks added (see the file's docstring). */
export const motoLauncher = join(envDir, 'moto_server.py');
