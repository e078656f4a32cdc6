/**
 * A target group replace is three steps: create the new group (same stack resource, new
 * name), re-point the rules, delete the old one. A controller killed between them leaves
 * both groups tagged with the same resource. Discovery reports the pair as a duplicate and
 * keeps the one named as desired (pkg/deploy/duplicates.ts), so the plan finishes the
 * replace — re-point, then delete the old one — instead of creating the new name again,
 * which AWS refuses (DuplicateTargetGroupName) on every retry, or deleting the new one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepTargetGroup } from '../../../pkg/deploy/duplicates.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { appliedTargetGroup, arnOf, asApplied, stack, summary, targetGroup } from './builders.ts';

const before = stack();
const after = stack({
  targetGroups: [targetGroup({ protocol: 'HTTPS', name: 'k8s-shop-svc-fedcba' })],
});
const oldGroup = asApplied(before).targetGroups[0] ?? assert.fail();
const newGroup = {
  ...appliedTargetGroup(after.targetGroups[0] ?? targetGroup()),
  arn: arnOf('targetgroup', 'new'),
};

/** What discovery returns: the rules still forward to the old group, kept is the new one. */
function interrupted(targets = true): ActualStack {
  const applied = asApplied(before);
  const fresh = targets ? newGroup : { ...newGroup, targets: [] };
  // Only the kept group maps to its stack id: a rule forwarding to the old one names its ARN.
  const rules = applied.rules.map((r) => ({
    ...r,
    actions: [
      {
        Type: 'forward' as const,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: oldGroup.arn }] },
      },
    ],
  }));
  return {
    ...applied,
    rules,
    targetGroups: [fresh],
    duplicates: [
      {
        kind: 'TargetGroup',
        actual: oldGroup,
        keptArn: fresh.arn,
        keptBecause: 'it has the name the desired stack gives it (a replace left unfinished)',
      },
    ],
  };
}

describe('a target group replace interrupted between its steps', () => {
  it('GIVEN both groups found WHEN discovery chooses THEN it keeps the one named as desired, though the rules forward to the old one', () => {
    const forwards = new Map([[oldGroup.arn, 2]]);
    for (const order of [
      [oldGroup, newGroup],
      [newGroup, oldGroup],
    ]) {
      const kept = keepTargetGroup(order, forwards, new Set([newGroup.name]));
      assert.equal(kept.kept.arn, newGroup.arn);
      assert.match(kept.because, /name the desired stack gives/);
    }
  });

  it('GIVEN the pair WHEN planning THEN the rules move to the new one and then the old one is deleted', () => {
    const plan = planChanges(after, interrupted());

    assert.deepEqual(summary(plan), [
      'update ListenerRule shop/web:/api/*',
      'update ListenerRule shop/web:/*',
      'delete TargetGroup shop/web:svc:80',
    ]);
    const deleted = plan.at(-1);
    assert.equal(
      deleted?.kind === 'TargetGroup' && deleted.op === 'delete' ? deleted.actual.arn : '',
      oldGroup.arn,
    );
  });

  it('GIVEN the new group without its targets yet WHEN planning THEN they are registered before the rules move', () => {
    const plan = planChanges(after, interrupted(false));

    assert.deepEqual(summary(plan), [
      'update Targets shop/web:svc:80',
      'update ListenerRule shop/web:/api/*',
      'update ListenerRule shop/web:/*',
      'delete TargetGroup shop/web:svc:80',
    ]);
  });

  it('GIVEN the replace finished WHEN planning again THEN nothing is planned', () => {
    const done = { ...asApplied(after), targetGroups: [newGroup] };

    assert.deepEqual(planChanges(after, done), []);
  });
});
