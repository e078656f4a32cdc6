import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { Action, ActualStack, Stack } from '../../../pkg/model/index.ts';
import { appliedRule, asApplied, listener, rule, stack, summary } from './builders.ts';

/** A forward splitting traffic between our target group and a foreign one named `name`. */
function namedForward(name: string): Action {
  return {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupId: 'shop/web:svc:80', Weight: 80 },
        { TargetGroupName: name, Weight: 20 },
      ],
    },
  };
}

/** The same forward as discovery reports it: the foreign group by ARN only. */
function reportedForward(arn: string): Action {
  return {
    Type: 'forward',
    Order: 1,
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupId: 'shop/web:svc:80', Weight: 80 },
        { TargetGroupArn: arn, Weight: 20 },
      ],
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };
}

function legacyArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;
}

function desiredWith(action: Action): Stack {
  return stack({
    rules: [{ ...rule('/legacy/*', 1), actions: [action] }],
    listeners: [listener(80, { defaultActions: [action] })],
  });
}

/** What discovery reports once `desired` is applied, the foreign group at `arn`. */
function reportedWith(desired: Stack, arn: string): ActualStack {
  const applied = asApplied(desired);
  return {
    ...applied,
    listeners: applied.listeners.map((l) => ({ ...l, defaultActions: [reportedForward(arn)] })),
    rules: desired.rules.map((r) => ({ ...appliedRule(r), actions: [reportedForward(arn)] })),
  };
}

interface ForeignCase {
  readonly name: string;
  readonly named: string;
  readonly arn: string;
  readonly changes: readonly string[];
}

const rewritten = ['update Listener listener/80', 'update ListenerRule shop/web:/legacy/*'];

const cases: readonly ForeignCase[] = [
  { name: 'the ARN holds that name', named: 'legacy', arn: legacyArn('legacy'), changes: [] },
  {
    name: 'the ARN holds that name in another partition',
    named: 'legacy',
    arn: legacyArn('legacy', 'aws-cn'),
    changes: [],
  },
  {
    name: 'the ARN holds another name',
    named: 'legacy',
    arn: legacyArn('legacy-v2'),
    changes: rewritten,
  },
  {
    name: 'the ARN holds a longer name',
    named: 'leg',
    arn: legacyArn('legacy'),
    changes: rewritten,
  },
  {
    name: 'the ARN is not a target group',
    named: 'legacy',
    arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/legacy/0123',
    changes: rewritten,
  },
];

describe('planChanges: a forward naming a foreign target group', () => {
  for (const c of cases) {
    it(`GIVEN a forward to "${c.named}" applied WHEN discovery reports only an ARN and ${c.name} THEN ${c.changes.length === 0 ? 'nothing is planned' : 'the forward is rewritten'}`, () => {
      const desired = desiredWith(namedForward(c.named));

      const plan = planChanges(desired, reportedWith(desired, c.arn));

      assert.deepEqual(summary(plan), c.changes);
    });
  }
});
