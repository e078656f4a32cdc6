/**
 * The set-up most in-process suites share: a clean emulator, a fresh namespace watched by an
 * in-process reconciler, and a NodePort Service (helpers.ts nodePortService) per name.
 */
import {
  startInProcessReconciler,
  type InProcessReconciler,
  type InProcessReconcilerOptions,
} from '../../env/in-process-reconciler.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { nodePortService } from './helpers.ts';

export interface InProcessWorld extends InProcessReconciler {
  /** The fresh namespace, the only one the reconciler watches. */
  readonly ns: string;
}

export async function startInProcessWorld(
  env: TestEnv,
  namespacePrefix: string,
  services: readonly string[],
  options: Omit<InProcessReconcilerOptions, 'namespace'> = {},
): Promise<InProcessWorld> {
  await env.resetAws();
  const ns = await env.freshNamespace(namespacePrefix);
  const harness = await startInProcessReconciler(env, { ...options, namespace: ns });
  for (const name of services) {
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, name) });
  }
  return { ...harness, ns };
}
