/**
 * Sustained throttling through the real SDK clients, with an injected HTTP handler that
 * answers as AWS does when a bucket is empty (ELBv2 `Throttling` 400, EC2
 * `RequestLimitExceeded` 503). What a user pays for is attempts on the wire: the
 * layers (the SDK's retry, the eventual-consistency retry, the work queue) must never
 * multiply them.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AwsError,
  createAwsClients,
  retryEventualConsistency,
  toAwsError,
  type AwsClients,
  type RateLimits,
} from '../../../pkg/aws/index.ts';
import { ControllerMetrics } from '../../../controller/metrics.ts';

interface Answer {
  readonly status: number;
  readonly body: string;
}

const elbThrottle: Answer = {
  status: 400,
  body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
};
const ec2Throttle: Answer = {
  status: 503,
  body: '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>',
};
const dependencyViolation: Answer = {
  status: 400,
  body: '<ErrorResponse><Error><Type>Sender</Type><Code>ResourceInUse</Code><Message>Target group is in use by a listener or a rule</Message></Error><RequestId>r</RequestId></ErrorResponse>',
};
const describedNothing: Answer = {
  status: 200,
  body: '<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>',
};

/** Clients whose every attempt on the wire is answered by `answer(n)` (n from 1). */
function throttledClients(
  answer: (attempt: number) => Answer,
  rateLimits?: RateLimits,
): { aws: AwsClients; wire: () => number } {
  let attempts = 0;
  const aws = createAwsClients({
    region: 'eu-west-1',
    endpoint: 'http://aws.invalid',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(rateLimits !== undefined ? { rateLimits } : {}),
    requestHandler: {
      handle: () => {
        attempts += 1;
        const { status, body } = answer(attempts);
        return Promise.resolve({
          response: {
            statusCode: status,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(body)]),
          },
        });
      },
    },
  });
  return { aws, wire: () => attempts };
}

describe('sustained throttling: attempts never multiply', () => {
  it('GIVEN every answer is Throttling WHEN one call is made THEN 3 attempts reach the wire, counted as 3 throttled and 2 retries', async () => {
    const { aws, wire } = throttledClients(() => elbThrottle);
    const err = await aws.elbv2.send(new DescribeLoadBalancersCommand({})).catch((e: unknown) => e);
    assert.equal(wire(), 3, "the SDK's standard mode: 3 attempts");
    const wrapped = toAwsError('DescribeLoadBalancers', err);
    assert.equal(wrapped.code, 'Throttling');
    assert.equal(wrapped.retryable, true, 'the reconcile backs off and tries later');
    assert.deepEqual(aws.calls.throttled(), [
      { service: 'elbv2', operation: 'DescribeLoadBalancers', count: 3 },
    ]);
    assert.deepEqual(aws.calls.retries(), [
      { service: 'elbv2', operation: 'DescribeLoadBalancers', count: 2 },
    ]);
    aws.destroy();
  });

  it('GIVEN EC2 answers RequestLimitExceeded (503) THEN it is recognised as throttling too', async () => {
    const { aws, wire } = throttledClients(() => ec2Throttle);
    await assert.rejects(aws.ec2.send(new DescribeSecurityGroupsCommand({})));
    assert.equal(wire(), 3);
    assert.deepEqual(aws.calls.throttled(), [
      { service: 'ec2', operation: 'DescribeSecurityGroups', count: 3 },
    ]);
    aws.destroy();
  });

  it('GIVEN a throttled call inside the eventual-consistency retry THEN p-retry does not retry it: still 3 attempts, not 3 × 6', async () => {
    const { aws, wire } = throttledClients(() => elbThrottle);
    await assert.rejects(
      retryEventualConsistency(
        'DeleteTargetGroup',
        () => aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: 'arn:tg' })),
        { minTimeoutMs: 1 },
      ),
      (e: unknown) => e instanceof AwsError && e.code === 'Throttling' && e.retryable,
    );
    assert.equal(wire(), 3);
    aws.destroy();
  });

  it('GIVEN ResourceInUse then sustained throttling THEN p-retry stops at the first throttle: 1 + 3 attempts', async () => {
    const { aws, wire } = throttledClients((n) => (n === 1 ? dependencyViolation : elbThrottle));
    await assert.rejects(
      retryEventualConsistency(
        'DeleteTargetGroup',
        () => aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: 'arn:tg' })),
        { minTimeoutMs: 1 },
      ),
      (e: unknown) => e instanceof AwsError && e.code === 'Throttling',
    );
    assert.equal(wire(), 4, 'one ResourceInUse (not retried by the SDK), then the SDK’s 3');
    aws.destroy();
  });

  it('GIVEN AWS throttles once THEN the client-side bucket of the family is emptied: the retry waits for a token', async () => {
    // A bucket of 100 at 0.5 per second: without the drain the retry would go at once;
    // with it, the retry waits out the token (2 s) beyond the SDK's own delay (a random
    // share of 1 s for a first throttling retry), so at least 1 s at the limiter.
    const limits: RateLimits = { 'elbv2-describe': { ratePerSecond: 0.5, burst: 100 } };
    const { aws, wire } = throttledClients(
      (n) => (n === 1 ? elbThrottle : describedNothing),
      limits,
    );
    await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(wire(), 2);
    const waited = aws.limiter.waitSeconds();
    assert.deepEqual(
      waited.map((w) => w.family),
      ['elbv2-describe'],
    );
    const seconds = waited.reduce((sum, w) => sum + w.seconds, 0);
    assert.ok(seconds > 0.5, `waited ${String(seconds)} s`);
    aws.destroy();
  });
});

describe('throttling metrics', () => {
  it('GIVEN throttled calls THEN /metrics reports throttled answers, retries and the limiter’s wait', async () => {
    const limits: RateLimits = { 'elbv2-describe': { ratePerSecond: 1, burst: 100 } };
    const { aws } = throttledClients((n) => (n === 1 ? elbThrottle : describedNothing), limits);
    await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const metrics = new ControllerMetrics({
      queueDepth: () => 0,
      isLeader: () => true,
      awsCalls: aws.calls,
      awsLimiter: aws.limiter,
    });
    const { body } = await metrics.scrape();
    assert.match(
      body,
      /albatross_aws_throttled_total\{service="elbv2",operation="DescribeLoadBalancers"\} 1\n/,
    );
    assert.match(
      body,
      /albatross_aws_retries_total\{service="elbv2",operation="DescribeLoadBalancers"\} 1\n/,
    );
    const wait =
      /albatross_aws_rate_limit_wait_seconds_total\{family="elbv2-describe"\} ([\d.e-]+)/.exec(
        body,
      );
    assert.ok(wait !== null && Number(wait[1]) > 0, body);
    aws.destroy();
  });
});
