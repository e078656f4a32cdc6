/**
 * The planner with duplicated actual stacks (ActualStack.duplicates, as discovery reports
 * them): whatever uses an extra moves to the kept one first, then the extra is deleted,
 * as ordinary planned changes whose reason says what it duplicates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActualDuplicate, ActualStack } from '../../../pkg/model/index.ts';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import { arnOf, asApplied, rule, stack } from './builders.ts';

const desired = stack();
const applied = asApplied(desired);

function withDuplicates(actual: ActualStack, duplicates: readonly ActualDuplicate[]): ActualStack {
  return { ...actual, duplicates };
}

function lines(actual: ActualStack, want = desired): readonly string[] {
  return renderChanges(planChanges(want, actual));
}

const keptLb = applied.loadBalancer?.arn ?? '';

describe('planChanges: duplicates', () => {
  it('GIVEN a second ALB of the stack WHEN planned THEN it alone is deleted, first, naming the one kept', () => {
    const extra = { ...(applied.loadBalancer ?? assert.fail()), arn: arnOf('loadbalancer', 'b') };
    const actual = withDuplicates(applied, [
      {
        kind: 'LoadBalancer',
        actual: extra,
        keptArn: keptLb,
        keptBecause: 'the Ingress status shows its DNS name',
      },
    ]);
    const plan = planChanges(desired, actual);
    assert.deepEqual(renderChanges(plan), [
      `- delete LoadBalancer LoadBalancer (duplicate of ${keptLb} (kept: the Ingress status shows its DNS name))`,
    ]);
    const [step] = plan;
    assert.ok(step?.kind === 'LoadBalancer' && step.step === 'delete-duplicate');
    assert.equal(step.actual.arn, extra.arn);
  });

  it('GIVEN a second listener on port 80 holding one of the rules WHEN planned THEN that rule is created on the kept listener before the extra listener is deleted', () => {
    const [first, second] = applied.rules;
    assert.ok(first !== undefined && second !== undefined);
    const extraListener = {
      ...(applied.listeners[0] ?? assert.fail()),
      arn: arnOf('listener', 'extra'),
    };
    const actual = withDuplicates({ ...applied, rules: [first] }, [
      {
        kind: 'Listener',
        actual: extraListener,
        rules: [{ ...second, arn: arnOf('listener-rule', 'on-extra') }],
        keptArn: applied.listeners[0]?.arn ?? '',
        keptBecause: 'it holds the most of our rules',
      },
    ]);
    assert.deepEqual(lines(actual), [
      `+ create ListenerRule ${second.id} (new rule at priority 2)`,
      `- delete Listener listener/80 (duplicate of ${arnOf('listener', 'listener/80')} (kept: it holds the most of our rules))`,
    ]);
  });

  it('GIVEN a second target group a rule forwards to WHEN planned THEN the rule is re-pointed to the kept one before the extra is deleted', () => {
    const extraArn = arnOf('targetgroup', 'extra');
    const [first, second] = applied.rules;
    assert.ok(first !== undefined && second !== undefined);
    const toExtra = {
      ...second,
      actions: [
        {
          Type: 'forward' as const,
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: extraArn }] },
        },
      ],
    };
    const kept = applied.targetGroups[0] ?? assert.fail();
    const actual = withDuplicates({ ...applied, rules: [first, toExtra] }, [
      {
        kind: 'TargetGroup',
        actual: { ...kept, arn: extraArn, targets: [] },
        keptArn: kept.arn,
        keptBecause: 'our rules forward to it',
      },
    ]);
    assert.deepEqual(lines(actual), [
      `~ update ListenerRule ${second.id} (actions changed)`,
      `- delete TargetGroup ${kept.id} (duplicate of ${kept.arn} (kept: our rules forward to it))`,
    ]);
  });

  it('GIVEN a second security group the ALB uses WHEN planned THEN the ALB is set to the kept one and the extra deleted last', () => {
    const kept = applied.securityGroups[0] ?? assert.fail();
    const lb = applied.loadBalancer ?? assert.fail();
    const actual = withDuplicates(
      {
        ...applied,
        loadBalancer: {
          ...lb,
          securityGroups: [{ kind: 'listed', entry: 'sg-extra' }, { kind: 'shared-backend' }],
        },
      },
      [
        {
          kind: 'SecurityGroup',
          actual: { ...kept, groupId: 'sg-extra' },
          keptArn: kept.groupId,
          keptBecause: 'the first by ARN',
        },
      ],
    );
    const plan = lines(actual);
    assert.equal(plan.length, 2);
    assert.match(plan[0] ?? '', /^~ update LoadBalancer LoadBalancer /);
    assert.equal(
      plan[1],
      `- delete SecurityGroup ManagedSG (duplicate of ${kept.groupId} (kept: the first by ARN))`,
    );
  });

  it('GIVEN a rule created twice WHEN planned THEN the twin at the later priority is deleted before any rule step', () => {
    const want = stack({ rules: [rule('/api/*', 1), rule('/*', 2), rule('/new', 3)] });
    const [first] = applied.rules;
    assert.ok(first !== undefined);
    const twin = { ...first, arn: arnOf('listener-rule', 'twin'), priority: 3 };
    const actual = withDuplicates(applied, [
      {
        kind: 'ListenerRule',
        actual: twin,
        keptArn: first.arn,
        keptBecause: 'the lowest priority: the one that matches',
      },
    ]);
    assert.deepEqual(lines(actual, want), [
      `- delete ListenerRule ${first.id} (duplicate of ${first.arn} (kept: the lowest priority: the one that matches))`,
      `+ create ListenerRule ${want.rules[2]?.id ?? ''} (new rule at priority 3)`,
    ]);
  });

  it("GIVEN a frozen member's duplicate target group WHEN planned THEN it is left alone", () => {
    const frozen = stack({ members: ['shop/web'], frozenMembers: ['shop/web'], rules: [] });
    const kept = applied.targetGroups[0] ?? assert.fail();
    const actual = withDuplicates(applied, [
      {
        kind: 'TargetGroup',
        actual: { ...kept, arn: arnOf('targetgroup', 'extra') },
        keptArn: kept.arn,
        keptBecause: 'our rules forward to it',
      },
    ]);
    assert.ok(
      !planChanges({ ...frozen, targetGroups: [] }, actual).some(
        (s) => s.step === 'delete-duplicate',
      ),
    );
  });

  it('GIVEN a group with no member left and two ALBs WHEN planned THEN both go', () => {
    const gone = stack({
      members: [],
      loadBalancer: null,
      listeners: [],
      rules: [],
      targetGroups: [],
      securityGroups: [],
      backendRules: [],
    });
    const lb = applied.loadBalancer ?? assert.fail();
    const actual = withDuplicates(applied, [
      {
        kind: 'LoadBalancer',
        actual: { ...lb, arn: arnOf('loadbalancer', 'b') },
        keptArn: lb.arn,
        keptBecause: 'it is the oldest',
      },
    ]);
    const deleted = planChanges(gone, actual)
      .filter((s) => s.kind === 'LoadBalancer')
      .map((s) => (s.op === 'delete' ? s.actual.arn : ''));
    assert.deepEqual(deleted.sort(), [lb.arn, arnOf('loadbalancer', 'b')].sort());
  });

  it('GIVEN the stack once the duplicates are gone WHEN planned again THEN nothing is planned', () => {
    assert.deepEqual(planChanges(desired, applied), []);
  });
});
