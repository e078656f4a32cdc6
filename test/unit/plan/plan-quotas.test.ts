/**
 * No state on the way of a plan passes a load balancer quota (100 rules, 100 target
 * groups forwarded to): for random groups near the quotas — rules moving between members
 * and listeners, edited, added and removed, a member frozen — every step of the plan,
 * run on a simulated load balancer, stays within them, and the end state is the desired
 * one (frozen rules where they were).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ActualStack, ListenerRule, Stack } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';
import {
  appliedRule,
  appliedTargetGroup,
  asApplied,
  listener,
  rule,
  stack,
  summary,
  targetGroup,
} from './builders.ts';
import { simulateLoadBalancer } from './simulate-load-balancer.ts';

const MEMBERS = ['shop/m0', 'shop/m1', 'shop/m2', 'shop/m3'];
const LISTENERS = ['listener/80', 'listener/8080'];
const POOL = 124;

/**
 * Rule `i` of the pool: its listener, member, path and target group: 28 per member, 112
 * in all, so a group near 100 rules is near 100 target groups too; with `own`, one each,
 * so the target group quota binds as soon as the rule quota does.
 */
function spec(i: number, retarget: boolean, own: boolean): ListenerRule & { readonly tg: string } {
  const member = MEMBERS[i % MEMBERS.length] ?? 'shop/m0';
  const k = Math.floor(i / 4) + (retarget ? 7 : 0);
  const tg = `tg/${member}/${own ? k : k % 28}`;
  const r = rule(`/p${i}`, 1, {
    member,
    listenerId: LISTENERS[Math.floor(i / 4) % 2] ?? 'listener/80',
    targetGroupId: tg,
  });
  return { ...r, tg };
}

/** Priorities 1..n per listener, in the order given. */
function numbered(rules: readonly ListenerRule[]): readonly ListenerRule[] {
  const next = new Map<string, number>();
  return rules.map((r) => {
    const priority = (next.get(r.listenerId) ?? 0) + 1;
    next.set(r.listenerId, priority);
    return { ...r, priority };
  });
}

function distinctGroups(rules: readonly { readonly actions: ListenerRule['actions'] }[]) {
  return new Set(
    rules.flatMap((r) =>
      r.actions.flatMap((a) => (a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupId)),
    ),
  ).size;
}

function groupsOf(rules: readonly ListenerRule[]) {
  const ids = [
    ...new Set(
      rules.flatMap((r) =>
        r.actions.flatMap((a) => (a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupId)),
      ),
    ),
  ];
  return ids.flatMap((id) =>
    id === undefined ? [] : [targetGroup({ id, member: id.split('/').slice(1, 3).join('/') })],
  );
}

function world(
  have: readonly number[],
  want: readonly number[],
  retargeted: ReadonlySet<number>,
  frozen: string | null,
  own = false,
): { desired: Stack; actual: ActualStack } {
  const actualRules = numbered(have.map((i) => spec(i, false, own)));
  const held = actualRules.filter((r) => r.member === frozen);
  let wanted = numbered(
    want.map((i) => spec(i, retargeted.has(i), own)).filter((r) => r.member !== frozen),
  );
  // The desired stack is within the quotas with the frozen member's rules (translate's job).
  while (wanted.length + held.length > 100 || distinctGroups([...wanted, ...held]) > 100) {
    wanted = wanted.slice(0, -1);
  }
  const base = stack({
    members: MEMBERS,
    frozenMembers: frozen === null ? [] : [frozen],
    listeners: [listener(80), listener(8080)],
  });
  const desired: Stack = { ...base, rules: wanted, targetGroups: groupsOf(wanted) };
  const applied = asApplied({ ...base, frozenMembers: [], rules: [], targetGroups: [] });
  const actual: ActualStack = {
    ...applied,
    rules: actualRules.map(appliedRule),
    targetGroups: groupsOf(actualRules).map((tg) => appliedTargetGroup(tg)),
  };
  return { desired, actual };
}

function byListener(rules: Iterable<{ id: string; listenerId: string; priority: number }>) {
  const out = new Map<string, string[]>();
  for (const r of [...rules].sort((a, b) => a.priority - b.priority)) {
    out.set(r.listenerId, [...(out.get(r.listenerId) ?? []), r.id]);
  }
  return out;
}

function check(desired: Stack, actual: ActualStack, plan: Plan) {
  const { rules } = simulateLoadBalancer(actual, plan);
  const frozen = new Set(desired.frozenMembers);
  const end = [...rules.values()];
  // Frozen rules did not move; the others are the desired rules in the desired order.
  for (const r of actual.rules.filter((x) => frozen.has(x.member))) {
    assert.deepEqual(rules.get(r.arn)?.priority, r.priority, `frozen ${r.id} moved`);
  }
  const frozenIds = new Set(actual.rules.filter((x) => frozen.has(x.member)).map((r) => r.id));
  assert.deepEqual(byListener(end.filter((r) => !frozenIds.has(r.id))), byListener(desired.rules));
  for (const want of desired.rules) {
    const got = end.find((r) => r.id === want.id);
    assert.deepEqual(got?.actions, want.actions, `${want.id} forwards elsewhere`);
    assert.deepEqual(got.conditions, want.conditions, `${want.id} matches elsewhere`);
  }
}

const scenario = fc.record({
  have: fc.shuffledSubarray(
    Array.from({ length: POOL }, (_, i) => i),
    { minLength: 90, maxLength: 100 },
  ),
  want: fc.shuffledSubarray(
    Array.from({ length: POOL }, (_, i) => i),
    { minLength: 90, maxLength: 100 },
  ),
  retargeted: fc.uniqueArray(fc.integer({ min: 0, max: POOL - 1 }), { maxLength: 10 }),
  frozen: fc.option(fc.constantFrom(...MEMBERS), { freq: 3 }),
  own: fc.boolean(),
});

describe('plans within the load balancer quotas', () => {
  it('GIVEN random groups near 100 rules and 100 target groups THEN no step of the plan passes a quota and the end state is the desired one', () => {
    fc.assert(
      fc.property(scenario, ({ have, want, retargeted, frozen, own }) => {
        const { desired, actual } = world(have, want, new Set(retargeted), frozen, own);
        const plan = planChanges(desired, actual);
        check(desired, actual, plan);
        if (process.env.QUOTA_STATS === '1') {
          const { peak } = simulateLoadBalancer(actual, plan);
          console.log(JSON.stringify(peak), distinctGroups(actual.rules));
        }
        // Applied, the group is in sync.
        assert.deepEqual(planChanges(desired, asApplied(desired)).length, 0);
      }),
      { numRuns: 40 },
    );
  });

  it('GIVEN 100 rules WHEN a rule moves from one member to another under a new path THEN it is modified in place: no create, never 101 rules', () => {
    // Rule 98 (member m2) and rule 105 (member m1) are both on listener/80 (see spec).
    const have = Array.from({ length: 100 }, (_, i) => i);
    const want = [...have.filter((i) => i !== 98), 105];
    const { desired, actual } = world(have, want, new Set(), null);
    const plan = planChanges(desired, actual);
    const { peak } = simulateLoadBalancer(actual, plan);
    assert.equal(peak.rules, 100);
    const rules = summary(plan).filter((s) => s.includes('ListenerRule'));
    assert.deepEqual(
      rules.filter((s) => !s.startsWith('update')),
      [],
    );
    check(desired, actual, plan);
  });

  it('GIVEN 100 rules WHEN a rule of one listener goes and one of the other listener comes THEN the delete comes first, saying why', () => {
    // Rule 0 is on listener/80, rule 4 on listener/8080 (see spec).
    const have = [...Array.from({ length: 99 }, (_, i) => i + 5), 0];
    const want = [...Array.from({ length: 99 }, (_, i) => i + 5), 4];
    const { desired, actual } = world(have, want, new Set(), null);
    const plan = planChanges(desired, actual);
    const steps = summary(plan).filter((s) => /(create|delete) ListenerRule/.test(s));
    assert.deepEqual(steps, ['delete ListenerRule shop/m0:/p0', 'create ListenerRule shop/m0:/p4']);
    const first = plan.find((c) => c.op === 'delete');
    assert.match(first?.reason ?? '', /deleted first: the load balancer is at its quota/);
    check(desired, actual, plan);
  });

  it('GIVEN 100 target groups on 50 rules WHEN a rule of one listener goes and one forwarding to two new groups comes on the other THEN the delete comes first', () => {
    const split = (r: ListenerRule, a: string, b: string): ListenerRule => ({
      ...r,
      actions: [
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ TargetGroupId: a }, { TargetGroupId: b }] },
        },
      ],
    });
    const pair = (i: number) => {
      const r = spec(i, false, true);
      return split(r, `${r.tg}/a`, `${r.tg}/b`);
    };
    // Rules 8..57: 50 rules, 100 target groups; rule 8 is on listener/80, 4 on listener/8080.
    const haveRules = numbered(Array.from({ length: 50 }, (_, i) => pair(i + 8)));
    const wantRules = numbered([...haveRules.slice(1), pair(4)]);
    const groups = (rules: readonly ListenerRule[]) =>
      rules.flatMap((r) =>
        (r.actions[0]?.ForwardConfig?.TargetGroups ?? []).map((t) =>
          targetGroup({ id: t.TargetGroupId ?? '', member: r.member }),
        ),
      );
    const base = stack({ members: MEMBERS, listeners: [listener(80), listener(8080)] });
    const desired: Stack = { ...base, rules: wantRules, targetGroups: groups(wantRules) };
    const actual: ActualStack = {
      ...asApplied({ ...base, rules: [], targetGroups: [] }),
      rules: haveRules.map(appliedRule),
      targetGroups: groups(haveRules).map((tg) => appliedTargetGroup(tg)),
    };
    const plan = planChanges(desired, actual);
    const { peak } = simulateLoadBalancer(actual, plan);
    assert.equal(peak.targetGroups, 100);
    assert.deepEqual(
      summary(plan).filter((s) => /(create|delete) ListenerRule/.test(s)),
      ['delete ListenerRule shop/m0:/p8', 'create ListenerRule shop/m0:/p4'],
    );
    check(desired, actual, plan);
  });
});
