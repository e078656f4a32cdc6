/**
 * A load balancer run step by step the way AWS runs a plan, for the quota property: its
 * listeners, rules (priority, forward targets, content) and target groups, with the
 * refusals AWS would give (a taken priority, a target group in use, a missing rule) and
 * the quotas it enforces — 100 rules and 100 target groups forwarded to per load
 * balancer — checked after every step. Written from the API's rules, not from the
 * planner's own count.
 */
import assert from 'node:assert/strict';
import type { Action, ActualStack, RuleCondition } from '../../../pkg/model/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';

export interface SimRule {
  readonly id: string;
  readonly listenerId: string;
  readonly priority: number;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly Action[];
}

function targets(actions: readonly Action[]): readonly string[] {
  return actions.flatMap((a) =>
    (a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupId ?? t.TargetGroupArn ?? ''),
  );
}

export interface Simulated {
  /** Rules by ARN once every step ran. */
  readonly rules: ReadonlyMap<string, SimRule>;
  /** The most rules and target groups in use seen after any step. */
  readonly peak: { readonly rules: number; readonly targetGroups: number };
}

export function simulateLoadBalancer(
  actual: ActualStack,
  plan: Plan,
  quotas = { rules: 100, targetGroups: 100 },
): Simulated {
  const listeners = new Map(actual.listeners.map((l) => [l.id, l.defaultActions]));
  const rules = new Map<string, SimRule>(actual.rules.map((r) => [r.arn, r]));
  const groups = new Set(actual.targetGroups.map((g) => g.id));
  const peak = { rules: rules.size, targetGroups: 0 };
  const inUse = (): Set<string> =>
    new Set([
      ...[...listeners.values()].flatMap(targets),
      ...[...rules.values()].flatMap((r) => targets(r.actions)),
    ]);
  const taken = (listenerId: string, priority: number) =>
    [...rules.values()].some((r) => r.listenerId === listenerId && r.priority === priority);

  for (const [index, change] of plan.entries()) {
    const at = `step ${index} (${change.op} ${change.kind} ${change.id})`;
    if (change.kind === 'TargetGroup') {
      if (change.step === 'create') groups.add(change.id);
      if (change.step === 'delete' || change.step === 'delete-replaced') {
        assert.ok(!inUse().has(change.id), `${at}: ResourceInUse`);
        groups.delete(change.id);
      }
    } else if (change.kind === 'Listener') {
      if (change.step === 'create') listeners.set(change.id, change.desired.defaultActions);
      if (change.step === 'update') listeners.set(change.id, change.desired.defaultActions);
      if (change.step === 'delete') {
        listeners.delete(change.id);
        for (const [arn, r] of rules) if (r.listenerId === change.id) rules.delete(arn);
      }
    } else if (change.kind === 'ListenerRule') {
      if (change.step === 'create') {
        const r = change.desired;
        assert.ok(listeners.has(r.listenerId), `${at}: ListenerNotFound`);
        assert.ok(!taken(r.listenerId, r.priority), `${at}: PriorityInUse ${r.priority}`);
        for (const tg of targets(r.actions)) assert.ok(groups.has(tg), `${at}: no ${tg}`);
        rules.set(`new:${r.id}`, r);
      } else if (change.step === 'update') {
        const have = rules.get(change.actual.arn);
        assert.ok(have !== undefined, `${at}: RuleNotFound`);
        for (const tg of targets(change.desired.actions))
          assert.ok(groups.has(tg), `${at}: no ${tg}`);
        rules.set(change.actual.arn, {
          ...have,
          id: change.desired.id,
          conditions: change.desired.conditions,
          actions: change.desired.actions,
        });
      } else if (change.step === 'set-priority') {
        const have = rules.get(change.actual.arn);
        assert.ok(have !== undefined, `${at}: RuleNotFound`);
        assert.equal(have.priority, change.from, `${at}: not at ${change.from}`);
        assert.ok(!taken(have.listenerId, change.to), `${at}: PriorityInUse ${change.to}`);
        rules.set(change.actual.arn, { ...have, priority: change.to });
      } else if (change.step === 'delete') {
        assert.ok(rules.delete(change.actual.arn), `${at}: RuleNotFound`);
      }
    }
    const used = inUse().size;
    assert.ok(rules.size <= quotas.rules, `${at}: TooManyRules (${rules.size})`);
    assert.ok(used <= quotas.targetGroups, `${at}: TooManyTargetGroups (${used})`);
    peak.rules = Math.max(peak.rules, rules.size);
    peak.targetGroups = Math.max(peak.targetGroups, used);
  }
  return { rules, peak };
}
