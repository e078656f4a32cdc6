/**
 * The client-side rate limiter on a fake clock: a family admits its burst at once, then
 * one call per 1/rate seconds, in arrival order; a throttle from AWS empties the
 * family's bucket; an aborted wait gives its token back; families are independent,
 * except that every ELBv2 call also draws from the account-level bucket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiRateLimiter, familiesOf, type RateLimits } from '../../../pkg/aws/index.ts';
import { FakeClock, settle } from '../controller/fake-clock.ts';

/** Starts `count` acquires at once; returns the fake-clock ms at which each was admitted. */
async function admitted(
  limiter: ApiRateLimiter,
  clock: FakeClock,
  count: number,
  operation = 'DescribeRules',
  runForMs = 10_000,
): Promise<number[]> {
  const start = clock.now();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    void limiter.acquire('elbv2', operation).then(() => times.push(clock.now() - start));
  }
  await settle();
  await clock.advance(runForMs);
  return times;
}

describe('ApiRateLimiter', () => {
  it('GIVEN burst 2 at 1 per second WHEN 5 calls arrive at once THEN they are admitted at 0, 0, 1, 2 and 3 s', async () => {
    const clock = new FakeClock();
    const limiter = new ApiRateLimiter({ 'elbv2-describe': { ratePerSecond: 1, burst: 2 } }, clock);
    assert.deepEqual(await admitted(limiter, clock, 5), [0, 0, 1000, 2000, 3000]);
    assert.deepEqual(limiter.waitSeconds(), [{ family: 'elbv2-describe', seconds: 6 }]);
  });

  it('GIVEN a quiet spell THEN the bucket refills up to its burst, no further', async () => {
    const clock = new FakeClock();
    const limiter = new ApiRateLimiter({ 'elbv2-describe': { ratePerSecond: 2, burst: 3 } }, clock);
    await admitted(limiter, clock, 3, 'DescribeRules', 0);
    await clock.advance(60_000);
    assert.deepEqual(await admitted(limiter, clock, 5), [0, 0, 0, 500, 1000]);
  });

  it('GIVEN AWS throttled a call THEN the family’s next caller waits a full token', async () => {
    const clock = new FakeClock();
    const limiter = new ApiRateLimiter(
      { 'elbv2-describe': { ratePerSecond: 4, burst: 40 } },
      clock,
    );
    limiter.throttled('elbv2', 'DescribeTargetHealth');
    assert.deepEqual(await admitted(limiter, clock, 2), [250, 500]);
  });

  it('GIVEN a wait is aborted THEN it rejects and its token goes to the next caller', async () => {
    const clock = new FakeClock();
    const limiter = new ApiRateLimiter({ 'elbv2-write': { ratePerSecond: 1, burst: 1 } }, clock);
    await limiter.acquire('elbv2', 'CreateRule');
    const stop = new AbortController();
    const aborted = limiter.acquire('elbv2', 'CreateRule', stop.signal);
    stop.abort(new Error('shutting down'));
    await assert.rejects(aborted, /shutting down/);
    assert.deepEqual(await admitted(limiter, clock, 1, 'CreateRule'), [1000]);
  });

  it('GIVEN no limit for a family THEN its calls never wait', async () => {
    const clock = new FakeClock();
    const limiter = new ApiRateLimiter({ 'elbv2-write': { ratePerSecond: 1, burst: 1 } }, clock);
    assert.deepEqual(await admitted(limiter, clock, 3, 'DescribeRules', 0), [0, 0, 0]);
  });

  it('GIVEN the account-level ELBv2 bucket THEN describes and writes share it', async () => {
    const clock = new FakeClock();
    const limits: RateLimits = { 'elbv2-account': { ratePerSecond: 1, burst: 2 } };
    const limiter = new ApiRateLimiter(limits, clock);
    const times: number[] = [];
    for (const op of ['DescribeRules', 'CreateRule', 'RegisterTargets']) {
      void limiter.acquire('elbv2', op).then(() => times.push(clock.now()));
    }
    const start = clock.now();
    await settle();
    await clock.advance(5000);
    assert.deepEqual(
      times.map((t) => t - start),
      [0, 0, 1000],
    );
  });
});

describe('familiesOf', () => {
  const cases: readonly (readonly [string, string, readonly string[]])[] = [
    ['elbv2', 'DescribeTargetHealth', ['elbv2-describe', 'elbv2-account']],
    ['elbv2', 'ModifyRule', ['elbv2-write', 'elbv2-account']],
    ['elbv2', 'AddTags', ['elbv2-write', 'elbv2-account']],
    ['elbv2', 'DeregisterTargets', ['elbv2-register', 'elbv2-account']],
    ['elbv2', 'CreateLoadBalancer', ['elbv2-heavy', 'elbv2-account']],
    ['ec2', 'DescribeSecurityGroups', ['ec2-describe']],
    ['ec2', 'CreateSecurityGroup', ['ec2-write']],
    ['ec2', 'AuthorizeSecurityGroupIngress', ['ec2-sg-rules']],
    ['ec2', 'CreateTags', ['ec2-tags']],
    ['tagging', 'GetResources', ['tagging']],
    ['acm', 'ListCertificates', []],
  ];
  for (const [service, operation, families] of cases) {
    it(`${service} ${operation} → ${families.join(' + ') || 'no limit'}`, () => {
      assert.deepEqual(familiesOf(service, operation), families);
    });
  }
});
