/**
 * Listener rules of one listener. A rule is matched by content first (same conditions,
 * actions and transforms = the same rule, whatever its id or priority), so a reorder
 * only re-prioritises rules and never deletes one to create its twin: no request meets
 * a 404 or 503 on the way. Rules left unmatched are matched by id (ModifyRule keeps the
 * rule serving while it changes). What remains is an edit: a rule's id hashes its host
 * and path, so an edited path or host comes back under a new id. The remaining desired
 * and actual rules of one member are paired in priority order and each pair becomes a
 * ModifyRule that also retags the rule with its new id, so the edit never deletes the
 * rule that serves. At the load balancer's rule quota the leftovers of different members
 * are paired the same way (`pairAcrossMembers`). Only rules left over after that are
 * created or deleted.
 *
 * Rules of frozen members are not touched and keep their priorities; desired rules are
 * laid out around them, keeping their own order.
 */
import type { ActualListenerRule, ListenerRule } from '../model/index.ts';
import { actionsMatch, conditionsMatch, covers, differingKeys } from './equality.ts';
import type { CreateStep, DeleteStep, PlannedChange } from './plan-types.ts';
import { schedulePriorities } from './priority-steps.ts';
import type { PriorityGoal } from './priority-steps.ts';

export interface ListenerRulesInput {
  /** Desired rules of this listener (frozen members have none). */
  readonly desired: readonly ListenerRule[];
  /** Discovered rules of this listener that are ours to change (not of frozen members). */
  readonly actual: readonly ActualListenerRule[];
  /** Discovered rules of frozen members: they stay where they are. */
  readonly frozen: readonly ActualListenerRule[];
  /**
   * Frozen rules to create again, unchanged, because their listener is new (the load
   * balancer was replaced). They keep their priorities.
   */
  readonly carried: readonly ActualListenerRule[];
  /** Target groups created anew: rules forwarding to them must be modified. */
  readonly replacedTargetGroups: ReadonlySet<string>;
  /** Members of the desired stack: a rule of any other member goes because it left. */
  readonly members: ReadonlySet<string>;
  /** Reason given to every deleted rule, instead of saying why one by one. */
  readonly deleteReason?: string;
  /** Reason given to every created rule (e.g. the listener is new). */
  readonly createReason?: string;
  /**
   * Pair a rule to create with a rule to delete of another member too, as a ModifyRule:
   * at the load balancer's rule quota a create cannot come before the delete (see
   * quota-order.ts), and modifying in place opens no gap a delete first would.
   */
  readonly pairAcrossMembers?: boolean;
}

export interface ListenerRulesPlan {
  /** Creates, modifications and priority moves, in an order valid step by step. */
  readonly steps: readonly PlannedChange[];
  /** Deletions, for the delete phase. */
  readonly deletes: readonly DeleteStep<'ListenerRule'>[];
}

/** Same conditions, actions and transforms: the same rule, whatever its id or priority. */
export function sameRuleContent(desired: ListenerRule, actual: ListenerRule): boolean {
  return (
    conditionsMatch(desired.conditions, actual.conditions) &&
    actionsMatch(desired.actions, actual.actions) &&
    covers(desired.transforms, actual.transforms)
  );
}

function forwardsTo(rule: ListenerRule, targetGroups: ReadonlySet<string>): readonly string[] {
  return rule.actions.flatMap((action) =>
    (action.ForwardConfig?.TargetGroups ?? []).flatMap((tuple) =>
      tuple.TargetGroupId !== undefined && targetGroups.has(tuple.TargetGroupId)
        ? [tuple.TargetGroupId]
        : [],
    ),
  );
}

/**
 * Desired priorities 1..N are an order, not places: a rule whose place a frozen rule
 * holds moves to the next free priority, and the ones after it follow.
 */
export function layOutPriorities(
  desired: readonly ListenerRule[],
  held: ReadonlySet<number>,
): readonly ListenerRule[] {
  let previous = 0;
  return [...desired]
    .sort((a, b) => a.priority - b.priority)
    .map((rule) => {
      let priority = Math.max(previous + 1, rule.priority);
      while (held.has(priority)) priority += 1;
      previous = priority;
      return priority === rule.priority ? rule : { ...rule, priority };
    });
}

interface Pair {
  readonly desired: ListenerRule;
  readonly actual: ActualListenerRule;
}

function match(
  desired: readonly ListenerRule[],
  actual: readonly ActualListenerRule[],
  acrossMembers: boolean,
): {
  pairs: readonly Pair[];
  created: readonly ListenerRule[];
  deleted: readonly ActualListenerRule[];
} {
  const unused = [...actual];
  const pairs: Pair[] = [];
  const take = (rule: ListenerRule, index: number): void => {
    const [found] = unused.splice(index, 1);
    if (found !== undefined) pairs.push({ desired: rule, actual: found });
  };
  const unmatched: ListenerRule[] = [];
  for (const rule of desired) {
    const twins = unused.filter((candidate) => sameRuleContent(rule, candidate));
    const best =
      twins.find((candidate) => candidate.id === rule.id) ??
      twins.find((candidate) => candidate.priority === rule.priority) ??
      twins[0];
    if (best === undefined) unmatched.push(rule);
    else take(rule, unused.indexOf(best));
  }
  const leftover: ListenerRule[] = [];
  for (const rule of unmatched) {
    const index = unused.findIndex((candidate) => candidate.id === rule.id);
    if (index < 0) leftover.push(rule);
    else take(rule, index);
  }
  const created: ListenerRule[] = [];
  const byPriority = (a: ListenerRule, b: ListenerRule): number => a.priority - b.priority;
  const spare = [...unused].sort(byPriority);
  const unpaired: ListenerRule[] = [];
  for (const rule of [...leftover].sort(byPriority)) {
    const found = spare.findIndex((candidate) => candidate.member === rule.member);
    const [edited] = found < 0 ? [] : spare.splice(found, 1);
    if (edited === undefined) unpaired.push(rule);
    else take(rule, unused.indexOf(edited));
  }
  for (const rule of unpaired) {
    const edited = acrossMembers ? spare.shift() : undefined;
    if (edited === undefined) created.push(rule);
    else take(rule, unused.indexOf(edited));
  }
  return { pairs, created, deleted: unused };
}

function modification(pair: Pair, replaced: ReadonlySet<string>): PlannedChange | null {
  const { desired, actual } = pair;
  const fields: string[] = [];
  const reasons: string[] = [];
  if (!conditionsMatch(desired.conditions, actual.conditions)) {
    fields.push('conditions');
    reasons.push('conditions changed');
  }
  const renewed = forwardsTo(desired, replaced);
  if (!actionsMatch(desired.actions, actual.actions)) {
    fields.push('actions');
    reasons.push('actions changed');
  } else if (renewed.length > 0) {
    fields.push('actions');
    reasons.push(`forwards to replaced target group ${renewed.join(', ')}`);
  }
  if (!covers(desired.transforms, actual.transforms)) {
    fields.push('transforms');
    reasons.push('transforms changed');
  }
  for (const key of differingKeys(desired.tags, actual.tags)) {
    fields.push(`tags.${key}`);
    reasons.push(`tag ${key} ${actual.tags[key] ?? '(unset)'} → ${desired.tags[key] ?? ''}`);
  }
  if (fields.length === 0) return null;
  return {
    op: 'update',
    kind: 'ListenerRule',
    step: 'update',
    id: desired.id,
    reason: reasons.join('; '),
    fields,
    desired,
    actual,
  };
}

function withoutArn(rule: ActualListenerRule): ListenerRule {
  const { id, listenerId, priority, member, conditions, actions, transforms, tags } = rule;
  return { id, listenerId, priority, member, conditions, actions, transforms, tags };
}

export function planListenerRules(input: ListenerRulesInput): ListenerRulesPlan {
  const held = new Set([...input.frozen, ...input.carried].map((rule) => rule.priority));
  const desired = layOutPriorities(input.desired, held);
  const { pairs, created, deleted } = match(
    desired,
    input.actual,
    input.pairAcrossMembers === true,
  );

  const steps: PlannedChange[] = [];
  for (const pair of pairs) {
    const change = modification(pair, input.replacedTargetGroups);
    if (change !== null) steps.push(change);
  }

  // Keys: an existing rule by ARN, a rule to create by its position in `creates`.
  const occupied = new Map<number, string>();
  const existing = new Map<string, ActualListenerRule>();
  for (const rule of [...input.actual, ...input.frozen]) {
    occupied.set(rule.priority, rule.arn);
    existing.set(rule.arn, rule);
  }
  const creates = new Map<string, { rule: ListenerRule; reason: string }>();
  const goals: PriorityGoal[] = pairs.map((pair) => ({
    key: pair.actual.arn,
    target: pair.desired.priority,
    create: false,
  }));
  const createReason = input.createReason ?? 'new rule';
  for (const rule of created) {
    creates.set(`new:${rule.id}`, { rule, reason: `${createReason} at priority ${rule.priority}` });
  }
  for (const rule of input.carried) {
    creates.set(`carried:${rule.arn}`, {
      rule: withoutArn(rule),
      reason: `carried over unchanged to the new listener (member ${rule.member} is frozen)`,
    });
  }
  for (const [key, { rule }] of creates) goals.push({ key, target: rule.priority, create: true });

  const desiredIdOf = new Map(pairs.map((pair) => [pair.actual.arn, pair.desired.id]));
  for (const step of schedulePriorities(occupied, goals)) {
    if (step.type === 'create') {
      const entry = creates.get(step.key);
      if (entry === undefined) continue;
      const change: CreateStep<'ListenerRule'> = {
        op: 'create',
        kind: 'ListenerRule',
        step: 'create',
        id: entry.rule.id,
        reason: entry.reason,
        desired: entry.rule,
      };
      steps.push(change);
      continue;
    }
    const actual = existing.get(step.key);
    if (actual === undefined) continue;
    const note = step.temporary ? ` (temporary, frees ${step.from})` : '';
    steps.push({
      op: 'update',
      kind: 'ListenerRule',
      step: 'set-priority',
      id: desiredIdOf.get(step.key) ?? actual.id,
      reason: `priority ${step.from} → ${step.to}${note}`,
      fields: ['priority'],
      actual,
      from: step.from,
      to: step.to,
    });
  }

  const deletes = deleted.map((actual): DeleteStep<'ListenerRule'> => ({
    op: 'delete',
    kind: 'ListenerRule',
    step: 'delete',
    id: actual.id,
    reason:
      input.deleteReason ??
      (input.members.has(actual.member)
        ? 'no longer desired'
        : `member ${actual.member} left the group`),
    actual,
  }));
  return { steps, deletes };
}
