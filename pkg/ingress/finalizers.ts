/**
 * Group keys, group ids and the finalizers that bind a member to its group.
 *
 * A member carries the finalizer of the group it is in before any cloud resource is made
 * for it; the finalizer names that group, so a member that left (or is being deleted) can
 * still be found and its rules removed from the right ALB before it is released.
 * The names mirror the reference controller's (`ingress.k8s.aws/resources`,
 * `group.ingress.k8s.aws/<group>`) under our own domain, so both controllers can hold an
 * Ingress during a migration without mistaking each other's finalizers.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { GroupKey } from './group.ts';

/** Finalizer of an Ingress that is its own group. */
export const IMPLICIT_GROUP_FINALIZER = 'albatross.dev/resources';
/** Prefix of the finalizer of an explicit group; the group name follows. */
export const EXPLICIT_GROUP_FINALIZER_PREFIX = 'group.albatross.dev/';

/** Kubernetes puts an object without a namespace in `default`; so do we. */
export function namespaceOf(ingress: V1Ingress): string {
  const namespace = ingress.metadata?.namespace;
  return namespace === undefined || namespace === '' ? 'default' : namespace;
}

/** `namespace/name` */
export function ingressKeyOf(ingress: V1Ingress): string {
  return `${namespaceOf(ingress)}/${ingress.metadata?.name ?? ''}`;
}

/** The group id: `namespace/name` of an implicit group, the name of an explicit one. */
export function groupIdOf(key: GroupKey): string {
  return key.kind === 'implicit' ? `${key.namespace}/${key.name}` : key.name;
}

export function finalizerFor(key: GroupKey): string {
  return key.kind === 'implicit'
    ? IMPLICIT_GROUP_FINALIZER
    : `${EXPLICIT_GROUP_FINALIZER_PREFIX}${key.name}`;
}

/** The group a finalizer of ours names, for this Ingress; `undefined` for anyone else's. */
export function groupKeyOfFinalizer(ingress: V1Ingress, finalizer: string): GroupKey | undefined {
  if (finalizer === IMPLICIT_GROUP_FINALIZER) {
    return {
      kind: 'implicit',
      namespace: namespaceOf(ingress),
      name: ingress.metadata?.name ?? '',
    };
  }
  if (finalizer.startsWith(EXPLICIT_GROUP_FINALIZER_PREFIX)) {
    const name = finalizer.slice(EXPLICIT_GROUP_FINALIZER_PREFIX.length);
    return name === '' ? undefined : { kind: 'explicit', name };
  }
  return undefined;
}

/** The groups this Ingress is bound to by our finalizers, sorted by group id. */
export function finalizerGroupKeys(ingress: V1Ingress): GroupKey[] {
  const keys: GroupKey[] = [];
  for (const finalizer of ingress.metadata?.finalizers ?? []) {
    const key = groupKeyOfFinalizer(ingress, finalizer);
    if (key !== undefined && !keys.some((k) => sameGroupKey(k, key))) keys.push(key);
  }
  return keys.sort((a, b) => compareStrings(groupIdOf(a), groupIdOf(b)));
}

export function sameGroupKey(a: GroupKey, b: GroupKey): boolean {
  return groupIdOf(a) === groupIdOf(b) && a.kind === b.kind;
}

/** Code-point order: stable across locales, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
