/**
 * The targets this cluster registered in a target group shared with other clusters
 * (`multiClusterTargetGroup`): a ConfigMap per binding in the binding's namespace,
 * owned by the binding (so the garbage collector removes it if our finalizer is ever
 * stripped by hand). Kept in the cluster rather than in memory so a restart, or a new
 * leader, still knows which targets are ours and deregisters nothing of anyone else's.
 *
 * Written ahead: a target is recorded BEFORE it is registered and forgotten only AFTER
 * it is deregistered, so a crash between the two leaves at worst a record of a target
 * that is not registered (harmless: it is not in the group, so nothing is deregistered
 * for it), never a registered target we do not know is ours.
 */
import type { CoreV1Api, V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';

const DATA_KEY = 'targets';

export function ownedTargetsName(bindingName: string): string {
  return `albatross-tgb-${bindingName}`;
}

/** For an Ingress's own target group with `multi-cluster-target-group` (names are unique). */
export function ownedTargetsNameOfTargetGroup(targetGroupName: string): string {
  return `albatross-tg-${targetGroupName}`;
}

export interface OwnedTargets {
  readonly keys: ReadonlySet<string>;
  /** The ConfigMap's resourceVersion; `undefined` when there is none yet. */
  readonly version: string | undefined;
}

export async function readOwnedTargets(
  core: CoreV1Api,
  namespace: string,
  configMap: string,
): Promise<OwnedTargets> {
  try {
    const cm = await core.readNamespacedConfigMap({
      namespace,
      name: configMap,
    });
    const raw = cm.data?.[DATA_KEY];
    const parsed: unknown = raw === undefined ? [] : JSON.parse(raw);
    const keys = Array.isArray(parsed) ? parsed.filter((k) => typeof k === 'string') : [];
    return { keys: new Set(keys), version: cm.metadata?.resourceVersion };
  } catch (err) {
    if (isNotFound(err)) return { keys: new Set(), version: undefined };
    throw err;
  }
}

/**
 * Writes `keys`; the resourceVersion read is the lock (a 409 means another writer
 * raced us, and the reconcile is retried from a fresh read). Returns the new state.
 */
export async function writeOwnedTargets(
  core: CoreV1Api,
  namespace: string,
  configMap: string,
  owner: V1OwnerReference | undefined,
  current: OwnedTargets,
  keys: ReadonlySet<string>,
): Promise<OwnedTargets> {
  const body: V1ConfigMap = {
    metadata: {
      name: configMap,
      namespace,
      ...(owner !== undefined ? { ownerReferences: [owner] } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'albatross' },
      ...(current.version !== undefined ? { resourceVersion: current.version } : {}),
    },
    data: { [DATA_KEY]: JSON.stringify([...keys].sort()) },
  };
  const written =
    current.version === undefined
      ? await core.createNamespacedConfigMap({ namespace, body })
      : await core.replaceNamespacedConfigMap({
          namespace,
          name: configMap,
          body,
        });
  return { keys: new Set(keys), version: written.metadata?.resourceVersion };
}

export async function deleteOwnedTargets(
  core: CoreV1Api,
  namespace: string,
  configMap: string,
): Promise<void> {
  try {
    await core.deleteNamespacedConfigMap({ namespace, name: configMap });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
