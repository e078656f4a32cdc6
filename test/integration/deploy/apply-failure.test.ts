/**
 * Apply stops at the first failing step and says which one; what was done stays done
 * and tagged, so the next reconcile re-plans from what exists and converges without
 * duplicates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../pkg/aws/index.ts';
import {
  applyPlan,
  DeployError,
  discoverStack,
  ensureBackendSecurityGroup,
} from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { shopStack } from './builders.ts';
import type { StackWorld } from './builders.ts';
import { deployContext, reconcile } from './harness.ts';

async function attempt(ctx: DeployContext, desired: Stack): Promise<unknown> {
  const actual = await discoverStack(ctx, desired.id);
  try {
    await applyPlan(ctx, planChanges(desired, actual), { desired, actual });
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('deploy: failures', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ctx: DeployContext;
  let w: StackWorld;
  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ctx = deployContext(env);
    w = { cluster: env.clusterName, stackId: 'shop/web', world: env.world };
  });
  after(() => {
    ctx.clients.destroy();
  });

  it('GIVEN unresolved subnets WHEN applied THEN it stops at the load balancer naming the selection, and a later round converges without duplicates', async () => {
    const desired = shopStack(w);
    const lb = desired.loadBalancer;
    assert.ok(lb);
    const unresolved: Stack = {
      ...desired,
      loadBalancer: { ...lb, subnets: { kind: 'discover', role: 'internal-elb' } },
    };
    const err = await attempt(ctx, unresolved);
    assert.ok(err instanceof DeployError, String(err));
    assert.match(err.message, /subnet discovery for role internal-elb/);
    assert.match(err.message, /create LoadBalancer LoadBalancer/);
    const partial = await discoverStack(ctx, desired.id);
    assert.deepEqual(
      partial?.securityGroups.map((g) => g.id),
      ['sg/frontend'],
      'the step before it was done',
    );
    assert.equal(partial.loadBalancer, null);
    assert.deepEqual(partial.targetGroups, [], 'nothing after it was done');

    await reconcile(ctx, desired);
    const again = await reconcile(ctx, desired);
    assert.deepEqual(again.plan, []);
    const groups = await ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag:albatross.dev/stack', Values: [desired.id] }],
      }),
    );
    assert.equal(groups.SecurityGroups?.length, 1, 'the frontend group was not created twice');
  });

  it('GIVEN a security group listed by a Name that matches nothing WHEN applied THEN the error names it', async () => {
    const desired = shopStack({ ...w, stackId: 'other' });
    const lb = desired.loadBalancer;
    assert.ok(lb);
    const err = await attempt(ctx, {
      ...desired,
      loadBalancer: {
        ...lb,
        securityGroups: [...lb.securityGroups, { kind: 'listed', entry: 'no-such-group' }],
      },
    });
    assert.ok(err instanceof DeployError, String(err));
    assert.match(err.message, /no security group tagged Name=no-such-group/);
  });

  it('GIVEN AWS refuses a call WHEN applied THEN the AwsError names the operation, the code and the step', async () => {
    const desired = shopStack({ ...w, stackId: 'third' });
    const [api, ...rest] = desired.targetGroups;
    assert.ok(api);
    const err = await attempt(ctx, {
      ...desired,
      targetGroups: [{ ...api, name: 'x'.repeat(40) }, ...rest],
    });
    assert.ok(err instanceof AwsError, String(err));
    assert.equal(err.operation, 'CreateTargetGroup');
    assert.match(err.message, new RegExp(`create TargetGroup ${api.id.replaceAll('/', '\\/')}`));
  });

  it('GIVEN the shared backend group exists WHEN it is ensured again from a fresh process THEN the same group is found, not created', async () => {
    const first = await ensureBackendSecurityGroup(ctx);
    const fresh = deployContext(env);
    try {
      fresh.clients.calls.reset();
      assert.equal(await ensureBackendSecurityGroup(fresh), first);
      assert.equal(fresh.clients.calls.mutatingCalls(), 0);
      assert.equal(await ensureBackendSecurityGroup(fresh), first);
      assert.equal(fresh.clients.calls.total(), 1, 'found once, then remembered');
    } finally {
      fresh.clients.destroy();
    }
  });
});
