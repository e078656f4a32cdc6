/**
 * Installs the chart's CustomResourceDefinitions (helm/albatross/crds/*.yaml) into the
 * test API server, the same files a user's `helm install` applies. Idempotent: suites
 * that share one environment may each call it; a changed file is applied again.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths.ts';
import type { TestEnv } from './testenv.ts';

export const crdDir = join(repoRoot, 'helm', 'albatross', 'crds');

/** Every CRD document under helm/albatross/crds, in file-name order. */
export function chartCrds(): V1CustomResourceDefinition[] {
  if (!existsSync(crdDir)) return [];
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of readdirSync(crdDir).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) {
      const value: unknown = doc.toJS();
      if (value !== null && typeof value === 'object')
        crds.push(value as V1CustomResourceDefinition);
    }
  }
  return crds;
}

/** Applies the chart's CRDs (server-side apply) and waits until each is Established. */
export async function installCrds(env: TestEnv): Promise<string[]> {
  const api = env.kc.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const crd of chartCrds()) {
    const name = crd.metadata?.name;
    if (name === undefined) throw new Error('a CRD in helm/albatross/crds has no metadata.name');
    await api.patchCustomResourceDefinition(
      { name, body: crd, fieldManager: 'albatross-tests', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    names.push(name);
  }
  for (const name of names) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const got = await api.readCustomResourceDefinition({ name });
      const established = (got.status?.conditions ?? []).some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return names;
}
