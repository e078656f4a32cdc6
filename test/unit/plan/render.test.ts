import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeSummary, planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import type { Change } from '../../../pkg/model/index.ts';
import { asApplied, loadBalancer, stack } from './builders.ts';

describe('renderChanges', () => {
  const cases: readonly [Change, string][] = [
    [
      { op: 'create', kind: 'LoadBalancer', id: 'LoadBalancer', reason: 'new' },
      '+ create LoadBalancer LoadBalancer (new)',
    ],
    [
      {
        op: 'update',
        kind: 'TargetGroup',
        id: 'tg',
        reason: 'healthCheck.path / → /healthz',
        fields: ['healthCheck.path'],
      },
      '~ update TargetGroup tg (healthCheck.path / → /healthz)',
    ],
    [
      {
        op: 'replace',
        kind: 'LoadBalancer',
        id: 'LoadBalancer',
        reason: 'scheme changed internal → internet-facing (new DNS name)',
      },
      '± replace LoadBalancer LoadBalancer (scheme changed internal → internet-facing (new DNS name))',
    ],
    [
      { op: 'delete', kind: 'Listener', id: 'listener/80', reason: '' },
      '- delete Listener listener/80',
    ],
  ];
  for (const [change, text] of cases) {
    it(`GIVEN a ${change.op} WHEN rendered THEN it reads "${text}"`, () => {
      assert.deepEqual(renderChanges([change]), [text]);
    });
  }

  it('GIVEN a planned change WHEN summarised for JSON THEN only op, kind, id, reason and fields remain', () => {
    const plan = planChanges(
      stack({ loadBalancer: loadBalancer({ scheme: 'internet-facing' }) }),
      asApplied(stack()),
    );

    assert.deepEqual(changeSummary(plan[0]!), {
      op: 'replace',
      kind: 'LoadBalancer',
      id: 'LoadBalancer',
      reason: 'scheme changed internal → internet-facing (new DNS name)',
    });
  });
});
