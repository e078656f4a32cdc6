/**
 * Adding and removing our finalizer on an Ingress. A merge patch that carries the
 * resourceVersion we read is an optimistic lock: if anyone wrote the Ingress since (a
 * user's apply, another finalizer), the API server answers 409 Conflict and we re-read
 * and try again, so we never drop someone else's finalizer by writing a stale list.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import { isConflict, isNotFound } from './api-errors.ts';

const MAX_ATTEMPTS = 5;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export type FinalizerChange = 'added' | 'removed' | 'unchanged' | 'gone';

async function editFinalizers(
  api: NetworkingV1Api,
  ingress: V1Ingress,
  edit: (finalizers: readonly string[]) => readonly string[] | undefined,
): Promise<{ readonly changed: boolean; readonly ingress: V1Ingress | undefined }> {
  const namespace = ingress.metadata?.namespace ?? 'default';
  const name = ingress.metadata?.name ?? '';
  let current: V1Ingress = ingress;
  for (let attempt = 1; ; attempt++) {
    const next = edit(current.metadata?.finalizers ?? []);
    if (next === undefined) return { changed: false, ingress: current };
    try {
      const body = {
        metadata: {
          finalizers: next,
          resourceVersion: current.metadata?.resourceVersion,
        },
      };
      const patched = await api.patchNamespacedIngress({ name, namespace, body }, mergePatch);
      return { changed: true, ingress: patched };
    } catch (err) {
      if (isNotFound(err)) return { changed: false, ingress: undefined };
      if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
    try {
      current = await api.readNamespacedIngress({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return { changed: false, ingress: undefined };
      throw err;
    }
  }
}

/**
 * Ensures `finalizer` is on the Ingress. Returns the Ingress as written (or as read, when
 * nothing had to change).
 */
export async function addFinalizer(
  api: NetworkingV1Api,
  ingress: V1Ingress,
  finalizer: string,
): Promise<{ readonly change: FinalizerChange; readonly ingress: V1Ingress | undefined }> {
  const result = await editFinalizers(api, ingress, (list) =>
    list.includes(finalizer) ? undefined : [...list, finalizer],
  );
  const change: FinalizerChange =
    result.ingress === undefined ? 'gone' : result.changed ? 'added' : 'unchanged';
  return { change, ingress: result.ingress };
}

/** Ensures `finalizer` is not on the Ingress; an Ingress already gone is fine. */
export async function removeFinalizer(
  api: NetworkingV1Api,
  ingress: V1Ingress,
  finalizer: string,
): Promise<{ readonly change: FinalizerChange; readonly ingress: V1Ingress | undefined }> {
  const result = await editFinalizers(api, ingress, (list) =>
    list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined,
  );
  const change: FinalizerChange =
    result.ingress === undefined ? 'gone' : result.changed ? 'removed' : 'unchanged';
  return { change, ingress: result.ingress };
}
