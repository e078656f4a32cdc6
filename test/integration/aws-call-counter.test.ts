/**
 * Every AWS call is counted by service, operation and outcome — the figure behind the
 * metrics and behind every "no mutating call in steady state" assertion.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients, toAwsError, type AwsClients } from '../../pkg/aws/index.ts';
import { testCredentials } from '../env/aws-clients.ts';
import { useTestEnv } from '../env/testenv.ts';

describe('AWS call counting', () => {
  const testEnv = useTestEnv();
  let aws: AwsClients;
  before(async () => {
    await testEnv.env.resetAws();
    aws = createAwsClients({
      region: testEnv.env.state.region,
      endpoint: testEnv.env.state.awsEndpoint,
      credentials: testCredentials,
    });
  });

  it('counts reads and writes per service and operation, and failed calls with their code', async () => {
    aws.calls.reset();
    await aws.ec2.send(new DescribeVpcsCommand({}));
    await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'counted',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: testEnv.env.world.vpcId,
      }),
    );
    await aws.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['counted'] }));
    const failed = await aws.elbv2
      .send(new DescribeLoadBalancersCommand({ Names: ['no-such-alb'] }))
      .then(
        () => undefined,
        (err: unknown) => toAwsError('DescribeLoadBalancers', err),
      );

    assert.equal(failed?.code, 'LoadBalancerNotFound');
    assert.equal(
      failed.retryable,
      true,
      'NotFound may be eventual consistency right after a create',
    );
    const byKey = new Map(
      aws.calls.snapshot().map((c) => [`${c.service} ${c.operation} ${c.outcome}`, c.count]),
    );
    assert.deepEqual(Object.fromEntries([...byKey.entries()].sort()), {
      'ec2 DescribeVpcs success': 1,
      'elbv2 CreateTargetGroup success': 1,
      'elbv2 DescribeLoadBalancers error': 1,
      'elbv2 DescribeTargetGroups success': 1,
    });
    assert.equal(aws.calls.mutatingCalls(), 1);
    assert.equal(aws.calls.total(), 4);
  });
});
