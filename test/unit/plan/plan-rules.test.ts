import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { ActualStack, ListenerRule, Stack } from '../../../pkg/model/index.ts';
import { appliedRule, asApplied, rule, stack, summary } from './builders.ts';
import { simulate } from './simulate-rules.ts';

function finalTable(desired: Stack): ReadonlyMap<number, string> {
  return new Map(desired.rules.map((r) => [r.priority, r.id]));
}

const paths = ['/a/*', '/b/*', '/c/*', '/d/*', '/e/*', '/f/*'];

function withRules(rules: readonly ListenerRule[]): Stack {
  return stack({ rules });
}

describe('planChanges: listener rules', () => {
  it('GIVEN two rules swapped WHEN planning THEN only their priorities move, in collision-free steps', () => {
    const before = withRules([rule('/a/*', 1), rule('/b/*', 2)]);
    const after = withRules([rule('/b/*', 1), rule('/a/*', 2)]);
    const actual = asApplied(before);

    const plan = planChanges(after, actual);

    assert.ok(plan.every((c) => c.op === 'update' && c.fields?.[0] === 'priority'));
    assert.deepEqual(
      plan.map((c) => c.reason),
      ['priority 1 → 3 (temporary, frees 1)', 'priority 2 → 1', 'priority 3 → 2'],
    );
    assert.deepEqual(simulate(actual, plan), finalTable(after));
  });

  it('GIVEN a new rule inserted first WHEN planning THEN the others shift down and the new one is created, nothing deleted', () => {
    const before = withRules([rule('/a/*', 1), rule('/b/*', 2)]);
    const after = withRules([rule('/new/*', 1), rule('/a/*', 2), rule('/b/*', 3)]);
    const actual = asApplied(before);

    const plan = planChanges(after, actual);

    assert.deepEqual(summary(plan), [
      'update ListenerRule shop/web:/b/*',
      'update ListenerRule shop/web:/a/*',
      'create ListenerRule shop/web:/new/*',
    ]);
    assert.deepEqual(simulate(actual, plan), finalTable(after));
  });

  it('GIVEN a rule whose content matches another id WHEN planning THEN it is kept (retagged), not deleted and created', () => {
    const before = withRules([rule('/a/*', 1, { id: 'old-id' })]);
    const after = withRules([rule('/a/*', 1, { id: 'new-id' })]);

    const plan = planChanges(after, asApplied(before));

    assert.deepEqual(summary(plan), ['update ListenerRule new-id']);
    assert.deepEqual(plan[0]?.fields, ['tags.albatross.dev/resource']);
  });

  it('GIVEN a rule of the same id with a new path WHEN planning THEN it is modified in place', () => {
    const before = withRules([rule('/a/*', 1, { id: 'r1' })]);
    const after = withRules([rule('/z/*', 1, { id: 'r1' })]);

    const plan = planChanges(after, asApplied(before));

    assert.deepEqual(summary(plan), ['update ListenerRule r1']);
    assert.deepEqual(
      plan.map((c) => [c.fields, c.reason]),
      [[['conditions'], 'conditions changed']],
    );
  });

  it('GIVEN AWS reports conditions in another order and filled-in defaults WHEN planning THEN nothing changes', () => {
    const desired = withRules([
      {
        ...rule('/a/*', 1),
        conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*'] } },
        ],
      },
    ]);
    const applied = asApplied(desired);
    const desiredRule = desired.rules[0]!;
    const reported: ActualStack = {
      ...applied,
      rules: [
        {
          ...appliedRule(desiredRule),
          conditions: [...desiredRule.conditions].reverse(),
          actions: [
            {
              Type: 'forward',
              Order: 1,
              ForwardConfig: {
                TargetGroups: [{ TargetGroupId: 'shop/web:svc:80', Weight: 1 }],
                TargetGroupStickinessConfig: { Enabled: false },
              },
            },
          ],
        },
      ],
    };

    assert.deepEqual(planChanges(desired, reported), []);
  });

  it('GIVEN any reorder, insertion, removal and edit WHEN the plan is run one rule at a time THEN no step collides, edits are modified in place and the result is the desired table', () => {
    const layout = fc
      .subarray(paths, { minLength: 0 })
      .chain((kept) => fc.tuple(fc.constant(kept), fc.shuffledSubarray(paths, { minLength: 0 })));
    fc.assert(
      fc.property(layout, ([beforePaths, afterPaths]) => {
        const before = withRules(beforePaths.map((p, i) => rule(p, i + 1)));
        const after = withRules(afterPaths.map((p, i) => rule(p, i + 1)));
        const actual = asApplied(before);

        const plan = planChanges(after, actual);

        assert.deepEqual(simulate(actual, plan), finalTable(after));
        const removed = beforePaths.filter((p) => !afterPaths.includes(p)).length;
        const added = afterPaths.filter((p) => !beforePaths.includes(p)).length;
        const count = (op: string) =>
          plan.filter((c) => c.kind === 'ListenerRule' && c.op === op).length;
        // A removed path and an added one of the same member are one edited rule.
        assert.equal(count('delete'), Math.max(0, removed - added));
        assert.equal(count('create'), Math.max(0, added - removed));
        const edits = plan.filter((c) => c.kind === 'ListenerRule' && c.step === 'update');
        assert.equal(edits.length, Math.min(removed, added));
        assert.deepEqual(planChanges(after, asApplied(after)), []);
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN rules with gaps in their priorities WHEN planning THEN they close up without collisions', () => {
    const before = stack();
    const actual: ActualStack = {
      ...asApplied(before),
      rules: before.rules.map((r, i) => ({ ...appliedRule(r), priority: (i + 1) * 10 })),
    };

    const plan = planChanges(before, actual);

    assert.deepEqual(
      plan.map((c) => c.reason),
      ['priority 10 → 1', 'priority 20 → 2'],
    );
    assert.deepEqual(simulate(actual, plan), finalTable(before));
  });
});
