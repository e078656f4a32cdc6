/**
 * No state on the way of a plan passes a load balancer quota. A plan deletes last, so a
 * group at its quota that moves a rule or a target group between members would need
 * quota + 1 on the way (the create comes before the delete) and fail on every retry. So
 * the plan is walked step by step, counting what the load balancer holds (rules, and the
 * target groups its listeners and rules forward to); a step that would pass a quota gets,
 * just before it, the fewest pending deletes that make room, in their delete order.
 *
 * A rule deleted sooner goes in any case; the only gap it can open is for a request it
 * served that a rule still to come will serve. The plan has already made every such pair
 * on one listener an in-place modification (plan-rules.ts, `pairAcrossMembers`), so a
 * delete comes first only for a rule that another listener's new rule needs room from.
 * What the walk cannot avoid stays: a target group replaced while two rules forward to it
 * is attached twice between the two rules' ModifyRules
 * (docs/decisions/0007-plans-within-quotas.md).
 *
 * SNI certificates are counted per listener update by `certificateBatches`, which apply
 * follows.
 */
import type { Action, ActualStack, LoadBalancerQuotas } from '../model/index.ts';
import { AlbQuotas } from '../model/index.ts';
import type { PlannedChange } from './plan-types.ts';

/** What the load balancer holds that a quota counts. */
interface QuotaState {
  rules: number;
  /** Forward references by target group (`id:`, `arn:` or `name:` key), counted. */
  readonly targetGroups: Map<string, number>;
}

/** The target groups the actions forward to, each once. */
function forwardKeys(actions: readonly Action[]): readonly string[] {
  const keys = new Set<string>();
  for (const action of actions) {
    for (const tuple of action.ForwardConfig?.TargetGroups ?? []) {
      if (tuple.TargetGroupId !== undefined) keys.add(`id:${tuple.TargetGroupId}`);
      else if (tuple.TargetGroupArn !== undefined) keys.add(`arn:${tuple.TargetGroupArn}`);
      else if (tuple.TargetGroupName !== undefined) keys.add(`name:${tuple.TargetGroupName}`);
    }
  }
  return [...keys];
}

function add(state: QuotaState, actions: readonly Action[], by: 1 | -1): void {
  for (const key of forwardKeys(actions)) {
    const n = (state.targetGroups.get(key) ?? 0) + by;
    if (n <= 0) state.targetGroups.delete(key);
    else state.targetGroups.set(key, n);
  }
}

/** The state of the load balancer discovery found. */
function quotaStateOf(actual: ActualStack): QuotaState {
  const state: QuotaState = { rules: 0, targetGroups: new Map() };
  if (actual.loadBalancer === null) return state;
  for (const listener of actual.listeners) add(state, listener.defaultActions, 1);
  for (const rule of actual.rules) {
    state.rules += 1;
    add(state, rule.actions, 1);
  }
  return state;
}

/** The state after `change`: the planner's view of what each step does to the counts. */
function applyToQuotaState(state: QuotaState, change: PlannedChange): void {
  if (change.kind === 'LoadBalancer') {
    // A replaced or deleted load balancer takes its listeners and rules with it.
    if (change.step === 'replace' || change.step === 'delete') {
      state.rules = 0;
      state.targetGroups.clear();
    }
    return;
  }
  if (change.kind === 'Listener') {
    if (change.step === 'create') add(state, change.desired.defaultActions, 1);
    else if (change.step === 'delete' || change.step === 'delete-replaced') {
      add(state, change.actual.defaultActions, -1);
    } else if (change.step === 'update' && change.fields.includes('defaultActions')) {
      add(state, change.desired.defaultActions, 1);
      add(state, change.actual.defaultActions, -1);
    }
    return;
  }
  if (change.kind !== 'ListenerRule') return;
  if (change.step === 'create') {
    state.rules += 1;
    add(state, change.desired.actions, 1);
  } else if (change.step === 'delete' || change.step === 'delete-replaced') {
    state.rules -= 1;
    add(state, change.actual.actions, -1);
  } else if (change.step === 'update') {
    add(state, change.desired.actions, 1);
    add(state, change.actual.actions, -1);
  }
}

function copy(state: QuotaState): QuotaState {
  return { rules: state.rules, targetGroups: new Map(state.targetGroups) };
}

/** The quotas `after` passes that `state` did not pass as far. */
function passed(
  state: QuotaState,
  after: QuotaState,
  quotas: LoadBalancerQuotas,
): { rules: boolean; targetGroups: boolean } {
  return {
    rules: after.rules > quotas.rulesPerLoadBalancer && after.rules > state.rules,
    targetGroups:
      after.targetGroups.size > quotas.targetGroupsPerLoadBalancer &&
      after.targetGroups.size > state.targetGroups.size,
  };
}

/** True when `change` lowers a count that `need` says is short. */
function makesRoom(
  state: QuotaState,
  change: PlannedChange,
  need: { rules: boolean; targetGroups: boolean },
): boolean {
  const after = copy(state);
  applyToQuotaState(after, change);
  return (
    (need.rules && after.rules < state.rules) ||
    (need.targetGroups && after.targetGroups.size < state.targetGroups.size)
  );
}

/** True when some step of `plan`, run as it is, would pass a quota. */
export function passesAQuota(
  actual: ActualStack,
  plan: readonly PlannedChange[],
  quotas: LoadBalancerQuotas = AlbQuotas,
): boolean {
  const state = quotaStateOf(actual);
  for (const change of plan) {
    const after = copy(state);
    applyToQuotaState(after, change);
    const need = passed(state, after, quotas);
    if (need.rules || need.targetGroups) return true;
    applyToQuotaState(state, change);
  }
  return false;
}

/**
 * `plan` with rule deletes moved forward where a step would pass a quota. A moved rule's
 * own priority moves are dropped: it is gone before they would run, and the priority they
 * would free is free.
 */
export function orderWithinQuotas(
  actual: ActualStack,
  plan: readonly PlannedChange[],
  quotas: LoadBalancerQuotas = AlbQuotas,
): readonly PlannedChange[] {
  const pending = [...plan];
  const out: PlannedChange[] = [];
  const gone = new Set<string>();
  const state = quotaStateOf(actual);
  while (pending.length > 0) {
    const change = pending.shift();
    if (change === undefined) break;
    if (change.kind === 'ListenerRule' && change.step === 'set-priority') {
      if (gone.has(change.actual.arn)) continue;
    }
    for (;;) {
      const after = copy(state);
      applyToQuotaState(after, change);
      const need = passed(state, after, quotas);
      if (!need.rules && !need.targetGroups) break;
      const index = pending.findIndex(
        (later) =>
          later.kind === 'ListenerRule' && later.step === 'delete' && makesRoom(state, later, need),
      );
      const room = index < 0 ? undefined : pending[index];
      if (room?.kind !== 'ListenerRule' || room.step !== 'delete') break;
      pending.splice(index, 1);
      gone.add(room.actual.arn);
      out.push({
        ...room,
        reason: `${room.reason}; deleted first: the load balancer is at its quota`,
      });
      applyToQuotaState(state, room);
    }
    out.push(change);
    applyToQuotaState(state, change);
  }
  return out;
}

/** One AddListenerCertificates or RemoveListenerCertificates call. */
export type CertificateBatch =
  { readonly add: readonly string[] } | { readonly remove: readonly string[] };

/**
 * The order of a listener's SNI certificate changes: `current` certificates are there,
 * `add` are to come and `remove` to go. Adds first, so a host whose certificate is being
 * swapped never meets the default certificate; but only as many as fit the quota, then
 * the removes, then the rest of the adds.
 */
export function certificateBatches(
  current: number,
  add: readonly string[],
  remove: readonly string[],
): readonly CertificateBatch[] {
  const room = Math.max(0, AlbQuotas.sniCertificatesPerListener - current);
  const first = add.slice(0, room);
  const rest = add.slice(room);
  return [
    ...(first.length > 0 ? [{ add: first }] : []),
    ...(remove.length > 0 ? [{ remove }] : []),
    ...(rest.length > 0 ? [{ add: rest }] : []),
  ];
}
