/**
 * A deleted ARN still listed by the tagging index must not fail discovery. On AWS,
 * DescribeLoadBalancers and DescribeTargetGroups by ARN fail as a whole
 * (LoadBalancerNotFound, TargetGroupNotFound) when one ARN does not exist; moto 5.2 fails
 * only when the missing ARN comes first (test/env/moto-differences.md), so AWS's answer
 * is injected here. Everything else of the lagging index is tested live in
 * test/integration/k8s/tagging-lag.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import {
  describeLoadBalancersByArn,
  existingArns,
  findTargetGroupsByName,
} from '../../../pkg/deploy/lagging-index.ts';

const lbArn = (n: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${n}/0123456789abcdef`;
const tgArn = (n: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${n}/0123456789abcdef`;

function notFound(code: string): Error {
  const err = new Error('One or more resources not found');
  err.name = `${code}Exception`;
  return Object.assign(err, { $metadata: {} });
}

/** An ELBv2 that knows `existing` ARNs (and their names) and answers as AWS does. */
function awsLike(existing: readonly string[]) {
  const asked: string[][] = [];
  const nameOf = (arn: string) => arn.split('/').at(-2) ?? '';
  const elbv2 = {
    send(command: unknown) {
      if (command instanceof DescribeLoadBalancersCommand) {
        const wanted = command.input.LoadBalancerArns ?? [];
        asked.push(wanted);
        if (wanted.some((a) => !existing.includes(a))) {
          return Promise.reject(notFound('LoadBalancerNotFound'));
        }
        return Promise.resolve({
          LoadBalancers: wanted.map((a) => ({ LoadBalancerArn: a, LoadBalancerName: nameOf(a) })),
        });
      }
      if (command instanceof DescribeTargetGroupsCommand) {
        const byName = command.input.Names;
        const wanted =
          byName?.map((n) => existing.find((a) => a.includes(`/${n}/`)) ?? `missing ${n}`) ??
          command.input.TargetGroupArns ??
          [];
        asked.push(byName ?? wanted);
        if (wanted.some((a) => !existing.includes(a))) {
          return Promise.reject(notFound('TargetGroupNotFound'));
        }
        return Promise.resolve({
          TargetGroups: wanted.map((a) => ({ TargetGroupArn: a, TargetGroupName: nameOf(a) })),
        });
      }
      return Promise.reject(new Error('not injected'));
    },
  };
  const ctx = { clusterName: 'c', vpcId: 'vpc-1', clients: { elbv2 } } as unknown as DeployContext;
  return { ctx, asked };
}

describe('a lagging tagging index', () => {
  it('GIVEN an indexed load balancer ARN that is gone THEN it is dropped, the others kept', async () => {
    const { ctx, asked } = awsLike([lbArn('a'), lbArn('c')]);
    const found = await describeLoadBalancersByArn(ctx, [lbArn('a'), lbArn('b'), lbArn('c')]);
    assert.deepEqual(
      found.map((lb) => lb.LoadBalancerName),
      ['a', 'c'],
    );
    // One batch refused, then each ARN on its own.
    assert.deepEqual(asked, [
      [lbArn('a'), lbArn('b'), lbArn('c')],
      [lbArn('a')],
      [lbArn('b')],
      [lbArn('c')],
    ]);
  });

  it('GIVEN every ARN exists THEN one batched read is all it costs', async () => {
    const { ctx, asked } = awsLike([lbArn('a'), tgArn('t1'), tgArn('t2')]);
    const found = await existingArns(ctx, [lbArn('a'), tgArn('t1'), tgArn('t2')]);
    assert.deepEqual([...found].sort(), [lbArn('a'), tgArn('t1'), tgArn('t2')].sort());
    assert.equal(asked.length, 2);
  });

  it('GIVEN target group names of which one exists THEN only that one is found', async () => {
    const { ctx } = awsLike([tgArn('t1')]);
    const found = await findTargetGroupsByName(ctx, ['t1', 't2']);
    assert.deepEqual(
      found.map((tg) => tg.TargetGroupArn),
      [tgArn('t1')],
    );
  });

  it('GIVEN another error THEN it is not taken for a vanished ARN', async () => {
    const elbv2 = { send: () => Promise.reject(notFound('AccessDenied')) };
    const ctx = {
      clusterName: 'c',
      vpcId: 'vpc-1',
      clients: { elbv2 },
    } as unknown as DeployContext;
    await assert.rejects(describeLoadBalancersByArn(ctx, [lbArn('a')]), /AccessDenied/);
  });
});
