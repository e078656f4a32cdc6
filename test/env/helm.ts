/**
 * The chart's test tools: `helm` (built by provision.sh from its Go module) run on
 * helm/albatross, its output parsed into Kubernetes objects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { helmBinary, repoRoot } from './paths.ts';

export const chartDir = join(repoRoot, 'helm', 'albatross');

/** A rendered object with the fields the tests read. */
export interface Rendered extends KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<
    string,
    unknown
  >;
  readonly [field: string]: unknown;
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with a private home, so nothing of the user's helm setup leaks in. */
export function helm(args: readonly string[]): HelmResult {
  if (!existsSync(helmBinary)) {
    throw new Error(`helm is not provisioned (${helmBinary} missing): run test/env/provision.sh`);
  }
  const home = mkdtempSync(join(tmpdir(), 'albatross-helm-'));
  try {
    const result = spawnSync(helmBinary, args, {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
      timeout: 60_000,
    });
    if (result.error !== undefined) throw result.error;
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `helm <command> albatross helm/albatross` with these values (a temporary values file). */
export function helmWithValues(
  command: 'template' | 'lint',
  values: Readonly<Record<string, unknown>>,
  namespace: string,
): HelmResult {
  const dir = mkdtempSync(join(tmpdir(), 'albatross-values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const args =
      command === 'template'
        ? ['template', 'albatross', chartDir, '--namespace', namespace, '--values', file]
        : ['lint', chartDir, '--strict', '--namespace', namespace, '--values', file];
    return helm(args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the chart's templates (not its CRDs) and parses every object; throws on failure. */
export function renderChart(
  values: Readonly<Record<string, unknown>>,
  namespace = 'albatross',
): Rendered[] {
  const result = helmWithValues('template', values, namespace);
  if (result.status !== 0) {
    throw new Error(`helm template failed (${String(result.status)}): ${result.stderr}`);
  }
  const objects: Rendered[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0)
      throw new Error(`helm template printed bad YAML: ${doc.errors[0]?.message ?? ''}`);
    const value: unknown = doc.toJS();
    if (value !== null && typeof value === 'object') objects.push(value as Rendered);
  }
  return objects;
}

/** The one object of this kind (and name, when given); throws when absent or ambiguous. */
export function only(objects: readonly Rendered[], kind: string, name?: string): Rendered {
  const found = objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${name !== undefined ? ` ${name}` : ''}, rendered ${String(found.length)}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  }
  const [object] = found;
  if (object === undefined) throw new Error('unreachable');
  return object;
}

export function kinds(objects: readonly Rendered[]): string[] {
  return objects.map((o) => o.kind).sort();
}
