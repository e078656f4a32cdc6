/**
 * planChanges: desired × actual → the ordered steps that make AWS match the desired
 * stack. Dependencies come first (security group, load balancer, target groups and their
 * targets, listeners, rules, backend rules) and every delete comes last, in the reverse
 * order (rules and listeners before the target groups they use, the load balancer before
 * its security group), so apply can run the steps one by one. At a load balancer quota
 * some rule deletes come sooner, so that no state on the way passes it (quota-order.ts).
 *
 * Members with an error are frozen: nothing of theirs is created, changed or deleted.
 * Their rules keep serving at their priorities, the listeners and load balancer holding
 * them stay, and the rest of the group is planned around them.
 */
import { keptTargetGroup, targetGroupsById } from './found-target-groups.ts';
import type {
  ActualListener,
  ActualListenerRule,
  ActualStack,
  Listener,
  LoadBalancer,
  SecurityGroupRef,
  Stack,
} from '../model/index.ts';
import type { DeleteStep, PlannedChange, Plan, ResourceChangeKind } from './plan-types.ts';
import { planAddons } from './plan-addons.ts';
import { orderWithinQuotas, passesAQuota } from './quota-order.ts';
import { planListenerRules } from './plan-rules.ts';
import { targetDiff } from './target-diff.ts';
import {
  listenerDiff,
  loadBalancerDiff,
  loadBalancerReplaceReason,
  securityGroupDiff,
  securityGroupReplaceReason,
  targetGroupDiff,
  targetGroupReplaceReason,
} from './resource-diff.ts';
import type { FieldDiff } from './resource-diff.ts';

function byId<T extends { readonly id: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

function listenerOf(actual: ActualListener): Listener {
  const { id, port, protocol, certificates, sslPolicy, defaultActions, attributes, tags } = actual;
  const listener = { id, port, protocol, certificates, defaultActions, attributes, tags };
  const mtls = actual.mutualAuthentication;
  const withMtls = mtls === undefined ? listener : { ...listener, mutualAuthentication: mtls };
  return sslPolicy === undefined ? withMtls : { ...withMtls, sslPolicy };
}

function forwardsToAny(actions: Listener['defaultActions'], ids: ReadonlySet<string>) {
  return actions.some((action) =>
    (action.ForwardConfig?.TargetGroups ?? []).some(
      (tuple) => tuple.TargetGroupId !== undefined && ids.has(tuple.TargetGroupId),
    ),
  );
}

function withReplacedGroups(
  diff: FieldDiff,
  refs: readonly SecurityGroupRef[],
  replaced: ReadonlySet<string>,
): FieldDiff {
  const renewed = refs.flatMap((ref) =>
    ref.kind === 'managed' && replaced.has(ref.id) ? [ref.id] : [],
  );
  if (renewed.length === 0 || diff.fields.includes('securityGroups')) return diff;
  return {
    fields: [...diff.fields, 'securityGroups'],
    reasons: [...diff.reasons, `security group ${renewed.join(', ')} replaced`],
  };
}

type DeletesByKind = { readonly [K in ResourceChangeKind]: DeleteStep<K>[] };

/**
 * @param owned for multi-cluster target groups, by stack id: the target keys this cluster
 *   registered. A multi-cluster group with no entry deregisters nothing (unknown is not ours).
 */
export function planChanges(
  desired: Stack,
  actual: ActualStack | null,
  owned?: ReadonlyMap<string, ReadonlySet<string>>,
): Plan {
  const found: ActualStack = actual ?? {
    id: desired.id,
    loadBalancer: null,
    listeners: [],
    rules: [],
    targetGroups: [],
    securityGroups: [],
    backendRules: [],
  };
  const frozen = new Set(desired.frozenMembers);
  const members = new Set(desired.members);
  const frozenRules = found.rules.filter((rule) => frozen.has(rule.member));
  const frozenGroups = new Set(
    found.targetGroups.filter((group) => frozen.has(group.member)).map((group) => group.id),
  );
  // A listener holds a frozen member when one of its rules is the member's, or its default
  // action forwards to the member's target group (an Ingress with only a default backend).
  const frozenListenerIds = new Set([
    ...frozenRules.map((rule) => rule.listenerId),
    ...found.listeners
      .filter((listener) => forwardsToAny(listener.defaultActions, frozenGroups))
      .map((listener) => listener.id),
  ]);
  const keepFoundLoadBalancer = desired.loadBalancer === null && frozenListenerIds.size > 0;
  const gone =
    desired.loadBalancer === null ? 'the group has no active member' : 'no longer desired';

  const steps: PlannedChange[] = [];
  const deletes: DeletesByKind = {
    ListenerRule: [],
    Listener: [],
    TargetGroup: [],
    BackendAccessRule: [],
    LoadBalancer: [],
    SecurityGroup: [],
  };

  // Security groups.
  const replacedSecurityGroups = new Set<string>();
  const foundSecurityGroups = byId(found.securityGroups);
  for (const want of desired.securityGroups) {
    const have = foundSecurityGroups.get(want.id);
    if (have === undefined) {
      steps.push({
        op: 'create',
        kind: 'SecurityGroup',
        step: 'create',
        id: want.id,
        reason: 'new',
        desired: want,
      });
      continue;
    }
    const replace = securityGroupReplaceReason(want, have);
    if (replace !== null) {
      replacedSecurityGroups.add(want.id);
      steps.push({
        op: 'replace',
        kind: 'SecurityGroup',
        step: 'replace',
        id: want.id,
        reason: replace,
        desired: want,
        actual: have,
        deleteFirst: false,
      });
      deletes.SecurityGroup.push({
        op: 'delete',
        kind: 'SecurityGroup',
        step: 'delete-replaced',
        id: want.id,
        reason: `replaced: ${replace}`,
        actual: have,
      });
      continue;
    }
    const diff = securityGroupDiff(want, have);
    if (diff.fields.length > 0) {
      steps.push({
        op: 'update',
        kind: 'SecurityGroup',
        step: 'update',
        id: want.id,
        reason: diff.reasons.join('; '),
        fields: diff.fields,
        desired: want,
        actual: have,
        authorize: diff.authorize,
        revoke: diff.revoke,
      });
    }
  }
  const wantedSecurityGroups = byId(desired.securityGroups);
  if (!keepFoundLoadBalancer) {
    for (const have of found.securityGroups) {
      if (!wantedSecurityGroups.has(have.id)) {
        deletes.SecurityGroup.push({
          op: 'delete',
          kind: 'SecurityGroup',
          step: 'delete',
          id: have.id,
          reason: gone,
          actual: have,
        });
      }
    }
  }

  // Load balancer.
  const wantLoadBalancer: LoadBalancer | null = desired.loadBalancer;
  const haveLoadBalancer = found.loadBalancer;
  let loadBalancerReplaced = false;
  if (wantLoadBalancer !== null) {
    if (haveLoadBalancer === null) {
      steps.push({
        op: 'create',
        kind: 'LoadBalancer',
        step: 'create',
        id: wantLoadBalancer.id,
        reason: 'new',
        desired: wantLoadBalancer,
      });
    } else {
      const replace = loadBalancerReplaceReason(wantLoadBalancer, haveLoadBalancer);
      if (replace !== null) {
        loadBalancerReplaced = true;
        steps.push({
          op: 'replace',
          kind: 'LoadBalancer',
          step: 'replace',
          id: wantLoadBalancer.id,
          reason: replace,
          desired: wantLoadBalancer,
          actual: haveLoadBalancer,
          deleteFirst: true,
        });
      } else {
        const diff = withReplacedGroups(
          loadBalancerDiff(wantLoadBalancer, haveLoadBalancer),
          wantLoadBalancer.securityGroups,
          replacedSecurityGroups,
        );
        if (diff.fields.length > 0) {
          steps.push({
            op: 'update',
            kind: 'LoadBalancer',
            step: 'update',
            id: wantLoadBalancer.id,
            reason: diff.reasons.join('; '),
            fields: diff.fields,
            desired: wantLoadBalancer,
            actual: haveLoadBalancer,
          });
        }
      }
    }
  } else if (haveLoadBalancer !== null && !keepFoundLoadBalancer) {
    deletes.LoadBalancer.push({
      op: 'delete',
      kind: 'LoadBalancer',
      step: 'delete',
      id: haveLoadBalancer.id,
      reason: gone,
      actual: haveLoadBalancer,
    });
  }
  const listenersAreNew =
    wantLoadBalancer !== null && (haveLoadBalancer === null || loadBalancerReplaced);

  // Target groups and their targets.
  const replacedGroups = new Set<string>();
  const foundGroups = targetGroupsById(found.targetGroups);
  for (const want of desired.targetGroups) {
    const candidates = foundGroups.get(want.id) ?? [];
    const have = keptTargetGroup(want.name, candidates);
    for (const extra of candidates) {
      if (extra === have) continue;
      // A replace left unfinished: the rules move to the one kept, then this one goes.
      replacedGroups.add(want.id);
      deletes.TargetGroup.push({
        op: 'delete',
        kind: 'TargetGroup',
        step: 'delete-replaced',
        id: want.id,
        reason: `a second target group ${extra.name} for ${want.id} (a replace left unfinished)`,
        actual: extra,
      });
    }
    let fresh = have === undefined;
    if (have === undefined) {
      steps.push({
        op: 'create',
        kind: 'TargetGroup',
        step: 'create',
        id: want.id,
        reason: 'new',
        desired: want,
      });
    } else {
      const replace = targetGroupReplaceReason(want, have);
      if (replace !== null) {
        fresh = true;
        replacedGroups.add(want.id);
        steps.push({
          op: 'replace',
          kind: 'TargetGroup',
          step: 'replace',
          id: want.id,
          reason: replace,
          desired: want,
          actual: have,
          deleteFirst: false,
        });
        deletes.TargetGroup.push({
          op: 'delete',
          kind: 'TargetGroup',
          step: 'delete-replaced',
          id: want.id,
          reason: `replaced: ${replace}`,
          actual: have,
        });
      } else {
        const diff = targetGroupDiff(want, have);
        if (diff.fields.length > 0) {
          steps.push({
            op: 'update',
            kind: 'TargetGroup',
            step: 'update',
            id: want.id,
            reason: diff.reasons.join('; '),
            fields: diff.fields,
            desired: want,
            actual: have,
          });
        }
      }
    }
    if (want.targets === null) continue;
    const current = fresh || have === undefined ? [] : have.targets;
    const { register, deregister } = targetDiff(
      want.targets,
      current,
      want.multiCluster === true ? (owned?.get(want.id) ?? new Set<string>()) : undefined,
    );
    if (register.length === 0 && deregister.length === 0) continue;
    steps.push({
      op: fresh ? 'create' : 'update',
      kind: 'Targets',
      step: 'targets',
      id: want.id,
      reason: `register ${register.length}, deregister ${deregister.length}`,
      targetGroupArn: fresh || have === undefined ? null : have.arn,
      register,
      deregister,
    });
  }
  const wantedGroups = byId(desired.targetGroups);
  for (const have of found.targetGroups) {
    if (!wantedGroups.has(have.id) && !frozenGroups.has(have.id)) {
      const reason =
        members.has(have.member) || desired.loadBalancer === null
          ? gone
          : `member ${have.member} left the group`;
      deletes.TargetGroup.push({
        op: 'delete',
        kind: 'TargetGroup',
        step: 'delete',
        id: have.id,
        reason,
        actual: have,
      });
    }
  }

  // Listeners.
  const foundListeners = byId(found.listeners);
  const listenerIds = new Set<string>();
  for (const want of desired.listeners) {
    listenerIds.add(want.id);
    const have = listenersAreNew ? undefined : foundListeners.get(want.id);
    if (have === undefined) {
      const reason = loadBalancerReplaced ? 'load balancer replaced' : 'new';
      steps.push({
        op: 'create',
        kind: 'Listener',
        step: 'create',
        id: want.id,
        reason,
        desired: want,
      });
      continue;
    }
    const diff = listenerDiff(want, have);
    const fields = [...diff.fields];
    const reasons = [...diff.reasons];
    if (!fields.includes('defaultActions') && forwardsToAny(want.defaultActions, replacedGroups)) {
      fields.push('defaultActions');
      reasons.push('default action forwards to a replaced target group');
    }
    if (fields.length > 0) {
      steps.push({
        op: 'update',
        kind: 'Listener',
        step: 'update',
        id: want.id,
        reason: reasons.join('; '),
        fields,
        desired: want,
        actual: have,
      });
    }
  }
  const wantedListeners = byId(desired.listeners);
  for (const have of found.listeners) {
    if (wantedListeners.has(have.id)) continue;
    if (frozenListenerIds.has(have.id)) {
      listenerIds.add(have.id);
      if (loadBalancerReplaced) {
        steps.push({
          op: 'create',
          kind: 'Listener',
          step: 'create',
          id: have.id,
          reason: 'load balancer replaced; holds rules of a frozen member',
          desired: listenerOf(have),
        });
      }
    } else if (!loadBalancerReplaced) {
      listenerIds.add(have.id);
      deletes.Listener.push({
        op: 'delete',
        kind: 'Listener',
        step: 'delete',
        id: have.id,
        reason: desired.loadBalancer === null ? gone : `port ${have.port} no longer listened on`,
        actual: have,
      });
    }
  }

  // Listener rules, listener by listener.
  const rulesOn = <T extends { readonly listenerId: string }>(rules: readonly T[], id: string) =>
    rules.filter((rule) => rule.listenerId === id);
  const ours: readonly ActualListenerRule[] = found.rules.filter(
    (rule) => !frozen.has(rule.member),
  );
  const planRules = (pairAcrossMembers: boolean) => {
    const ruleSteps: PlannedChange[] = [];
    const ruleDeletes: DeleteStep<'ListenerRule'>[] = [];
    for (const listenerId of [...listenerIds].sort()) {
      const frozenHere = rulesOn(frozenRules, listenerId);
      const planned = planListenerRules({
        desired: rulesOn(desired.rules, listenerId),
        actual: listenersAreNew ? [] : rulesOn(ours, listenerId),
        frozen: listenersAreNew ? [] : frozenHere,
        carried: loadBalancerReplaced ? frozenHere : [],
        replacedTargetGroups: replacedGroups,
        members,
        pairAcrossMembers,
        ...(desired.loadBalancer === null ? { deleteReason: gone } : {}),
        ...(loadBalancerReplaced ? { createReason: 'load balancer replaced: rule' } : {}),
      });
      ruleSteps.push(...planned.steps);
      ruleDeletes.push(...planned.deletes);
    }
    return { ruleSteps, ruleDeletes };
  };
  // At a quota, rules going away are modified into new ones, across members.
  let rules = planRules(false);
  if (passesAQuota(found, [...steps, ...rules.ruleSteps])) rules = planRules(true);
  steps.push(...rules.ruleSteps);
  deletes.ListenerRule.push(...rules.ruleDeletes);

  // Backend access rules are cluster-level now (pkg/plan/backend-access.ts): the stack's
  // backendRules are needs, unioned across stacks elsewhere. A rule still tagged with this
  // stack was made per stack by an earlier version; its cluster-level successor replaces
  // it, so it goes (after everything that uses it, like any delete).
  for (const have of found.backendRules) {
    deletes.BackendAccessRule.push({
      op: 'delete',
      kind: 'BackendAccessRule',
      step: 'delete',
      id: have.id,
      reason: 'superseded by the cluster-level backend rules',
      actual: have,
    });
  }

  // Deletes last: what uses a resource goes before it; some sooner at a quota.
  return orderWithinQuotas(found, [
    ...steps,
    ...planAddons(desired, found, listenersAreNew),
    ...deletes.ListenerRule,
    ...deletes.Listener,
    ...deletes.TargetGroup,
    ...deletes.BackendAccessRule,
    ...deletes.LoadBalancer,
    ...deletes.SecurityGroup,
  ]);
}
