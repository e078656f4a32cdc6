/**
 * The keys the work queue carries. A key names a group and how much of it to redo:
 *
 * - `<group id>` — a full reconcile: build, discover, plan, apply, write back;
 * - `targets:<group id>` — target registration only. EndpointSlice and Node changes are
 *   by far the most frequent events (every pod rollout, every node heartbeat that
 *   changes readiness) and can only change targets, so they do not pay for discovering
 *   the whole stack: the reconciler re-reads only the target groups' registered targets
 *   and registers/deregisters the difference.
 *
 * Two kinds of key rather than one key with a flag, so the queue's de-duplication and
 * back-off work unchanged: a burst of slice updates collapses into one `targets:` key.
 * A full reconcile does target registration too, so a `targets:` key queued beside its
 * full key costs one cheap no-op pass at most.
 *
 * Group ids are reversible: an implicit group's id is `namespace/name` (always one
 * slash), an explicit group's id is its name (never a slash); neither contains ':'.
 */
import type { GroupKey } from '../ingress/index.ts';
import { groupIdOf } from '../ingress/index.ts';

export const TARGETS_KEY_PREFIX = 'targets:';

export type WorkKind = 'group' | 'targets';

export interface WorkItem {
  readonly kind: WorkKind;
  readonly groupKey: GroupKey;
  /** The group id (`namespace/name` or the group name). */
  readonly groupId: string;
}

export function groupKeyFromId(groupId: string): GroupKey {
  const slash = groupId.indexOf('/');
  return slash < 0
    ? { kind: 'explicit', name: groupId }
    : { kind: 'implicit', namespace: groupId.slice(0, slash), name: groupId.slice(slash + 1) };
}

export function groupWorkKey(groupId: string): string {
  return groupId;
}

export function targetsWorkKey(groupId: string): string {
  return `${TARGETS_KEY_PREFIX}${groupId}`;
}

export function workKeyOf(kind: WorkKind, key: GroupKey): string {
  const id = groupIdOf(key);
  return kind === 'group' ? groupWorkKey(id) : targetsWorkKey(id);
}

export function parseWorkKey(workKey: string): WorkItem {
  const targets = workKey.startsWith(TARGETS_KEY_PREFIX);
  const groupId = targets ? workKey.slice(TARGETS_KEY_PREFIX.length) : workKey;
  return { kind: targets ? 'targets' : 'group', groupKey: groupKeyFromId(groupId), groupId };
}
