/**
 * From all Ingresses and IngressClasses to the groups this controller reconciles.
 *
 * Active members are ours and not being deleted. Inactive members still hold one of our
 * finalizers for a group they are no longer active in (being deleted, moved to another
 * group, or switched to another class): the group is re-applied without them, then the
 * finalizer is released. A group with only inactive members is still returned, because
 * its ALB has to go.
 *
 * A bad `group.name` cannot tell which ALB the Ingress wants, so the Ingress is frozen
 * where it stands: in the group its finalizer names when it has one (its rules keep
 * serving there, untouched), else in its own implicit group, where nothing exists yet
 * and nothing is created. Either way the problem travels in that group's `problems`, and
 * translate freezes the member for it. A bad `group.order` keeps the member in its group
 * with order 0 and the same error problem.
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Problem } from '../model/index.ts';
import type { ClassParamsInput, ParamsResolution } from './class-params.ts';
import { resolveClassParams } from './class-params.ts';
import type { ClassConfig, ClassVerdict } from './class-selection.ts';
import { classVerdictOf, DEFAULT_CLASS_ANNOTATION, isOurIngress } from './class-selection.ts';
import {
  compareStrings,
  finalizerGroupKeys,
  groupIdOf,
  ingressKeyOf,
  namespaceOf,
  sameGroupKey,
} from './finalizers.ts';
import type { GroupKey, GroupMember, IngressGroup } from './group.ts';
import {
  GROUP_NAME_ANNOTATION,
  GROUP_ORDER_ANNOTATION,
  parseGroupName,
  parseGroupOrder,
} from './group-annotations.ts';

/** Where an Ingress asks to be, as its annotations (and finalizers, if they are bad) say. */
export interface Membership {
  readonly key: GroupKey;
  readonly order: number;
  readonly problems: readonly Problem[];
}

/**
 * `resolution`: the class's IngressClassParams, whose `group.name` wins over the
 * annotation; params that cannot be read keep the Ingress where its finalizer holds it.
 */
export function membershipOf(ingress: V1Ingress, resolution?: ParamsResolution): Membership {
  const ingressKey = ingressKeyOf(ingress);
  const annotations = ingress.metadata?.annotations ?? {};
  const problems: Problem[] = [...(resolution?.problems ?? [])];
  const forced = resolution?.member?.params.groupName;
  const name =
    forced !== undefined
      ? ({ ok: true, value: forced } as const)
      : parseGroupName(ingressKey, annotations[GROUP_NAME_ANNOTATION]);
  const order = parseGroupOrder(ingressKey, annotations[GROUP_ORDER_ANNOTATION]);
  if (!order.ok) problems.push(order.problem);
  const implicit: GroupKey = {
    kind: 'implicit',
    namespace: namespaceOf(ingress),
    name: ingress.metadata?.name ?? '',
  };
  let key: GroupKey;
  if (resolution?.unreadable === true) {
    if (!name.ok) problems.push(name.problem);
    key =
      finalizerGroupKeys(ingress)[0] ??
      (name.ok && name.value !== undefined ? { kind: 'explicit', name: name.value } : implicit);
  } else if (name.ok) {
    key = name.value === undefined ? implicit : { kind: 'explicit', name: name.value };
  } else {
    problems.push(name.problem);
    key = finalizerGroupKeys(ingress)[0] ?? implicit;
  }
  return { key, order: order.ok ? order.value : 0, problems };
}

/** The group an Ingress belongs to by its annotations and params (see {@link membershipOf}). */
export function groupKeyOf(ingress: V1Ingress, resolution?: ParamsResolution): GroupKey {
  return membershipOf(ingress, resolution).key;
}

/**
 * Every group an event on this Ingress can change: the one it is active in, and the ones
 * its finalizers still bind it to. For the controller's event mappers.
 */
export function groupKeysTouchedBy(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
  classParams?: ClassParamsInput,
): GroupKey[] {
  const keys = finalizerGroupKeys(ingress);
  if (isActive(ingress, ingressClasses, config)) {
    const key = groupKeyOf(ingress, resolveClassParams(ingress, ingressClasses, classParams));
    if (!keys.some((k) => sameGroupKey(k, key))) keys.push(key);
  }
  return keys.sort((a, b) => compareStrings(groupIdOf(a), groupIdOf(b)));
}

function isActive(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
): boolean {
  return (
    ingress.metadata?.deletionTimestamp == null && isOurIngress(ingress, ingressClasses, config)
  );
}

type UnknownClass = Extract<ClassVerdict, { kind: 'unknown' }>;

/** An Ingress of an unknown class still holding our finalizer: kept, not applied, not released. */
function isHeld(ingress: V1Ingress, verdict: ClassVerdict): verdict is UnknownClass {
  return (
    verdict.kind === 'unknown' &&
    ingress.metadata?.deletionTimestamp == null &&
    finalizerGroupKeys(ingress).length > 0
  );
}

function heldProblem(ingress: V1Ingress, className: string): Problem {
  const missing =
    className === ''
      ? `it names no IngressClass and no IngressClass is the default (${DEFAULT_CLASS_ANNOTATION})`
      : `IngressClass ${className} does not exist`;
  return {
    ingress: ingressKeyOf(ingress),
    field: 'spec.ingressClassName',
    value: className,
    message:
      `${missing}; the Ingress still holds our finalizer, so its load balancer, listener rules and ` +
      `target groups are kept as they are and nothing of it changes until the class exists again ` +
      `(to let it go: delete the Ingress, or give it a class of another controller)`,
    severity: 'error',
  };
}

/**
 * What one Ingress adds to one group: itself as a member, or as an inactive member, and
 * the problems grouping found in it. An Ingress's contributions depend on it, the
 * IngressClasses and the params input only, never on other Ingresses, so an index can
 * keep them per Ingress and assemble a group from its own Ingresses alone.
 */
export interface GroupContribution {
  readonly groupKey: GroupKey;
  readonly groupId: string;
  readonly role: 'member' | 'inactive';
  readonly member: GroupMember;
  readonly problems: readonly Problem[];
}

/** Everything one Ingress adds to the groups (see {@link groupIngresses}). */
export function contributionsOf(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
  classParams?: ClassParamsInput,
): GroupContribution[] {
  const ingressKey = ingressKeyOf(ingress);
  const out: GroupContribution[] = [];
  const add = (
    groupKey: GroupKey,
    role: GroupContribution['role'],
    member: GroupMember,
    problems: readonly Problem[],
  ): void => {
    out.push({ groupKey, groupId: groupIdOf(groupKey), role, member, problems });
  };
  const verdict = classVerdictOf(ingress, ingressClasses, config);
  if (isHeld(ingress, verdict)) {
    const order = membershipOf(ingress).order;
    for (const key of finalizerGroupKeys(ingress)) {
      add(key, 'member', { key: ingressKey, ingress, order }, [
        heldProblem(ingress, verdict.className),
      ]);
    }
    return out;
  }
  const active = verdict.kind === 'ours' && ingress.metadata?.deletionTimestamp == null;
  const resolution = active ? resolveClassParams(ingress, ingressClasses, classParams) : undefined;
  const membership = membershipOf(ingress, resolution);
  if (active) {
    const params = resolution?.member;
    add(
      membership.key,
      'member',
      {
        key: ingressKey,
        ingress,
        order: membership.order,
        ...(params !== undefined ? { params } : {}),
      },
      membership.problems,
    );
  }
  for (const key of finalizerGroupKeys(ingress)) {
    if (active && sameGroupKey(key, membership.key)) continue;
    add(key, 'inactive', { key: ingressKey, ingress, order: membership.order }, []);
  }
  return out;
}

/**
 * One group from the contributions made to it (all with the same group id), ordered as
 * {@link groupIngresses} orders: members by `group.order`, then `namespace/name`; inactive
 * members and problems by `namespace/name`, whatever order the contributions come in.
 */
export function assembleGroup(contributions: readonly GroupContribution[]): IngressGroup {
  const first = contributions[0];
  if (first === undefined) throw new Error('assembleGroup: no contribution');
  const byIngress = [...contributions].sort((a, b) => compareStrings(a.member.key, b.member.key));
  return {
    key: first.groupKey,
    id: first.groupId,
    members: byIngress
      .filter((c) => c.role === 'member')
      .map((c) => c.member)
      .sort((a, b) => a.order - b.order || compareStrings(a.key, b.key)),
    inactiveMembers: byIngress.filter((c) => c.role === 'inactive').map((c) => c.member),
    problems: byIngress.flatMap((c) => c.problems),
  };
}

/**
 * The groups to reconcile, sorted by group id; members by `group.order`, then
 * `namespace/name`; inactive members by `namespace/name`.
 */
export function groupIngresses(
  ingresses: readonly V1Ingress[],
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
  classParams?: ClassParamsInput,
): IngressGroup[] {
  const groups = new Map<string, GroupContribution[]>();
  for (const ingress of ingresses) {
    for (const c of contributionsOf(ingress, ingressClasses, config, classParams)) {
      const list = groups.get(c.groupId);
      if (list === undefined) groups.set(c.groupId, [c]);
      else list.push(c);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, contributions]) => assembleGroup(contributions));
}
