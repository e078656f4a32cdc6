import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { ListenerRule, RuleCondition, Stack } from '../../../pkg/model/index.ts';
import { asApplied, forward, listener, rule, stack, summary } from './builders.ts';
import { simulate } from './simulate-rules.ts';

/** A rule matching `host` and `path`, id'd like pkg/naming does: by what it matches. */
function hostRule(host: string, path: string, priority: number): ListenerRule {
  const base = rule(path, priority, { id: `shop/web:${host}${path}` });
  const conditions: RuleCondition[] = [
    { Field: 'host-header', HostHeaderConfig: { Values: [host] } },
    ...base.conditions,
  ];
  return { ...base, conditions };
}

function withRules(rules: readonly ListenerRule[]): Stack {
  return stack({ rules, listeners: [listener(80), listener(8080)] });
}

interface EditCase {
  readonly name: string;
  readonly before: readonly ListenerRule[];
  readonly after: readonly ListenerRule[];
  /** `op kind id` of every rule change, priority moves included, in plan order. */
  readonly changes: readonly string[];
  /** Fields of each in-place update (not priority moves), in plan order. */
  readonly updated: readonly (readonly string[])[];
}

const retag = 'tags.albatross.dev/resource';

const cases: readonly EditCase[] = [
  {
    name: 'a path is edited',
    before: [rule('/a/*', 1), rule('/*', 2)],
    after: [rule('/z/*', 1), rule('/*', 2)],
    changes: ['update ListenerRule shop/web:/z/*'],
    updated: [['conditions', retag]],
  },
  {
    name: 'a host is edited',
    before: [hostRule('a.example.com', '/*', 1)],
    after: [hostRule('b.example.com', '/*', 1)],
    changes: ['update ListenerRule shop/web:b.example.com/*'],
    updated: [['conditions', retag]],
  },
  {
    name: 'a path and its backend are edited',
    before: [rule('/a/*', 1), rule('/*', 2)],
    after: [rule('/z/*', 1, { targetGroupId: 'shop/web:other:80' }), rule('/*', 2)],
    changes: ['update ListenerRule shop/web:/z/*'],
    updated: [['conditions', 'actions', retag]],
  },
  {
    name: 'two paths are edited',
    before: [rule('/a/*', 1), rule('/b/*', 2), rule('/*', 3)],
    after: [rule('/y/*', 1), rule('/z/*', 2), rule('/*', 3)],
    changes: ['update ListenerRule shop/web:/y/*', 'update ListenerRule shop/web:/z/*'],
    updated: [
      ['conditions', retag],
      ['conditions', retag],
    ],
  },
  {
    name: 'two rules swap and one of them is edited',
    before: [rule('/a/*', 1), rule('/b/*', 2)],
    after: [rule('/b/*', 1), rule('/z/*', 2)],
    changes: [
      'update ListenerRule shop/web:/z/*',
      'update ListenerRule shop/web:/z/*',
      'update ListenerRule shop/web:/b/*',
      'update ListenerRule shop/web:/z/*',
    ],
    updated: [['conditions', retag]],
  },
  {
    name: 'two paths give way to one',
    before: [rule('/a/*', 1), rule('/b/*', 2), rule('/*', 3)],
    after: [rule('/z/*', 1), rule('/*', 2)],
    changes: [
      'update ListenerRule shop/web:/z/*',
      'update ListenerRule shop/web:/b/*',
      'update ListenerRule shop/web:/*',
      'delete ListenerRule shop/web:/b/*',
    ],
    updated: [['conditions', retag]],
  },
  {
    name: 'one path gives way to two',
    before: [rule('/a/*', 1), rule('/*', 2)],
    after: [rule('/y/*', 1), rule('/z/*', 2), rule('/*', 3)],
    changes: [
      'update ListenerRule shop/web:/y/*',
      'update ListenerRule shop/web:/*',
      'create ListenerRule shop/web:/z/*',
    ],
    updated: [['conditions', retag]],
  },
  {
    name: "one member's path goes and another member's comes",
    before: [rule('/a/*', 1), rule('/*', 2)],
    after: [rule('/z/*', 1, { member: 'shop/admin' }), rule('/*', 2)],
    changes: [
      'update ListenerRule shop/web:/a/*',
      'create ListenerRule shop/admin:/z/*',
      'delete ListenerRule shop/web:/a/*',
    ],
    updated: [],
  },
];

describe('planChanges: an edited rule is modified in place', () => {
  for (const c of cases) {
    it(`GIVEN an applied stack WHEN ${c.name} THEN ${c.changes.join(', ') || 'nothing'}`, () => {
      const actual = asApplied(withRules(c.before));
      const desired = withRules(c.after);

      const plan = planChanges(desired, actual);

      assert.deepEqual(summary(plan), c.changes);
      assert.deepEqual(
        plan.flatMap((step) =>
          step.kind === 'ListenerRule' && step.step === 'update' ? [step.fields] : [],
        ),
        c.updated,
      );
      assert.deepEqual(
        simulate(actual, plan),
        new Map(desired.rules.map((r) => [r.priority, r.id])),
      );
      const edits = plan.flatMap((step) =>
        step.kind === 'ListenerRule' && step.step === 'update' ? [step] : [],
      );
      for (const edit of edits) {
        assert.equal(
          edit.desired.tags['albatross.dev/resource'],
          edit.id,
          'the edited rule is retagged with its new id',
        );
      }
      assert.deepEqual(planChanges(desired, asApplied(desired)), []);
    });
  }

  it('GIVEN a path edited while the rule moves to another listener WHEN planning THEN rules of different listeners are never paired', () => {
    const actual = asApplied(withRules([rule('/a/*', 1)]));
    const desired = withRules([rule('/z/*', 1, { listenerId: 'listener/8080' })]);

    const plan = planChanges(desired, actual);

    assert.deepEqual(summary(plan), [
      'create ListenerRule shop/web:/z/*',
      'delete ListenerRule shop/web:/a/*',
    ]);
  });

  it('GIVEN an edited rule forwarding elsewhere WHEN planning THEN the update carries the new conditions and actions', () => {
    const actual = asApplied(withRules([rule('/a/*', 1)]));
    const desired = withRules([rule('/z/*', 1, { targetGroupId: 'shop/web:other:80' })]);

    const [step] = planChanges(desired, actual);

    assert.ok(step?.kind === 'ListenerRule' && step.step === 'update');
    assert.equal(step.actual.id, 'shop/web:/a/*');
    assert.deepEqual(step.desired.conditions, desired.rules[0]?.conditions);
    assert.deepEqual(step.desired.actions, [forward('shop/web:other:80')]);
  });
});
