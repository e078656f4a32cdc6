/**
 * `status.loadBalancer.ingress[0].hostname` of an Ingress: written through the status
 * subresource, and only when it differs from what the Ingress already says, so a steady
 * reconcile makes no Kubernetes write either.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The hostnames the Ingress reports now, in order. */
export function statusHostnames(ingress: V1Ingress): string[] {
  return (ingress.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname ?? i.ip ?? '');
}

/**
 * Sets the Ingress's address to `hostname` (or clears it for `null`). Returns whether a
 * write was made.
 */
export async function writeIngressStatus(
  api: NetworkingV1Api,
  ingress: V1Ingress,
  hostname: string | null,
): Promise<boolean> {
  const want = hostname === null ? [] : [hostname];
  const have = statusHostnames(ingress);
  if (have.length === want.length && have.every((h, i) => h === want[i])) return false;
  const body = {
    // A merge patch replaces the list whole, which is what we want: one entry, ours.
    status: { loadBalancer: { ingress: hostname === null ? [] : [{ hostname }] } },
  };
  try {
    await api.patchNamespacedIngressStatus(
      {
        name: ingress.metadata?.name ?? '',
        namespace: ingress.metadata?.namespace ?? 'default',
        body,
      },
      mergePatch,
    );
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return true;
}
