import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import { applyPlan } from '../../../pkg/deploy/index.ts';
import type { ActualStack, Stack } from '../../../pkg/model/index.ts';
import { planChanges, protectedDeletion } from '../../../pkg/plan/index.ts';
import { asApplied, loadBalancer, stack } from './builders.ts';

/** What discovery reports for `desired` applied, with the ALB's attributes as AWS has them. */
function withAttributes(desired: Stack, attributes: Record<string, string>): ActualStack {
  const applied = asApplied(desired);
  return { ...applied, loadBalancer: { ...applied.loadBalancer!, attributes } };
}

const emptied: Stack = {
  ...stack(),
  members: [],
  loadBalancer: null,
  listeners: [],
  rules: [],
  targetGroups: [],
  securityGroups: [],
  backendRules: [],
};

describe('deletion protection', () => {
  it('GIVEN the ALB has deletion_protection.enabled=true (set by hand) WHEN its group loses its last member THEN the plan deletes a protected load balancer', () => {
    const actual = withAttributes(stack(), { 'deletion_protection.enabled': 'true' });
    const refused = protectedDeletion(planChanges(emptied, actual));
    assert.equal(refused?.loadBalancer.name, 'k8s-shop-0123456789');
    assert.equal(refused.reason, 'the group has no active member');
  });

  it('GIVEN the attribute is false WHEN the group loses its last member THEN nothing is refused', () => {
    const actual = withAttributes(stack(), { 'deletion_protection.enabled': 'false' });
    assert.equal(protectedDeletion(planChanges(emptied, actual)), null);
  });

  it('GIVEN a protected ALB WHEN a new scheme replaces it THEN the replacement (which deletes first) is refused', () => {
    const actual = withAttributes(stack(), { 'deletion_protection.enabled': 'true' });
    const desired = stack({ loadBalancer: loadBalancer({ scheme: 'internet-facing' }) });
    assert.match(protectedDeletion(planChanges(desired, actual))?.reason ?? '', /scheme/);
  });

  it('GIVEN a protected ALB WHEN members remain THEN the plan deletes no load balancer', () => {
    const actual = withAttributes(stack(), { 'deletion_protection.enabled': 'true' });
    const desired = stack({ rules: [] });
    assert.ok(planChanges(desired, actual).length > 0);
    assert.equal(protectedDeletion(planChanges(desired, actual)), null);
  });

  it('GIVEN a protected ALB WHEN the deletion plan is applied THEN it is refused before any AWS call, naming the attribute', async () => {
    const actual = withAttributes(stack(), { 'deletion_protection.enabled': 'true' });
    const plan = planChanges(emptied, actual);
    let calls = 0;
    const counting = new Proxy(
      {},
      {
        get: () => ({
          send: () => {
            calls += 1;
            return Promise.resolve({});
          },
        }),
      },
    ) as unknown as AwsClients;
    await assert.rejects(
      applyPlan({ clusterName: 'test', vpcId: 'vpc-1', clients: counting }, plan, {
        desired: emptied,
        actual,
      }),
      (err: Error) =>
        err.name === 'ConfigError' && err.message.includes('deletion_protection.enabled=true'),
    );
    assert.equal(calls, 0);
  });
});
