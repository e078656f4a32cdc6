/**
 * A target group replace is three steps: create the new group (same stack resource, new
 * name), re-point the rules, delete the old one. A controller killed between them leaves
 * both groups tagged with the same resource; the next plan must finish the replace (keep
 * the new one, re-point, delete the old), not create the new name again, which AWS
 * refuses (DuplicateTargetGroupName) on every retry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';
import { appliedTargetGroup, arnOf, asApplied, stack, summary, targetGroup } from './builders.ts';

const before = stack();
const after = stack({
  targetGroups: [targetGroup({ protocol: 'HTTPS', name: 'k8s-shop-svc-fedcba' })],
});
const newGroup = {
  ...appliedTargetGroup(after.targetGroups[0] ?? targetGroup()),
  arn: arnOf('targetgroup', 'new'),
};

/** The rules still forward to the old group; the new one exists, with its targets or not. */
function interrupted(order: 'old-first' | 'new-first', targets = true): ActualStack {
  const applied = asApplied(before);
  const fresh = targets ? newGroup : { ...newGroup, targets: [] };
  const old = applied.targetGroups;
  return { ...applied, targetGroups: order === 'old-first' ? [...old, fresh] : [fresh, ...old] };
}

describe('planChanges: a target group replace interrupted between its steps', () => {
  for (const order of ['old-first', 'new-first'] as const) {
    it(`GIVEN the old and the new group found (${order}) WHEN planning THEN the rules move to the new one and the old one is deleted`, () => {
      const plan = planChanges(after, interrupted(order));

      assert.deepEqual(summary(plan), [
        'update ListenerRule shop/web:/api/*',
        'update ListenerRule shop/web:/*',
        'delete TargetGroup shop/web:svc:80',
      ]);
      const deleted = plan.at(-1);
      assert.equal(
        deleted?.kind === 'TargetGroup' && deleted.op === 'delete' ? deleted.actual.name : '',
        'k8s-shop-svc-abcdef0123',
      );
      assert.match(plan.at(-1)?.reason ?? '', /k8s-shop-svc-abcdef0123/);
    });
  }

  it('GIVEN the new group without its targets yet WHEN planning THEN they are registered before the rules move', () => {
    const plan = planChanges(after, interrupted('old-first', false));

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
