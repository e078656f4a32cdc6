/**
 * The emulator throttles as AWS does (test/env/moto_throttle.py), so that no test of
 * the retry policy runs on a kinder AWS: with the "aws" preset a burst above a bucket
 * gets the service's own throttling answer, calls below the rate are never throttled,
 * and a reset turns it all off. The clients here make one attempt each (no SDK retry),
 * so every answer is seen as the emulator gave it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { testCredentials } from '../../env/aws-clients.ts';
import { setThrottling, throttleState } from '../../env/moto.ts';
import { useTestEnv } from '../../env/testenv.ts';

interface Answer {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

async function answer(send: () => Promise<unknown>): Promise<Answer> {
  try {
    await send();
    return { code: 'ok', status: 200, message: '' };
  } catch (err) {
    const status =
      typeof err === 'object' && err !== null && '$metadata' in err
        ? Number((err.$metadata as { httpStatusCode?: number }).httpStatusCode)
        : 0;
    return err instanceof Error
      ? { code: err.name, status, message: err.message }
      : { code: 'unknown', status, message: String(err) };
  }
}

function tally(answers: readonly Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a.code] = (out[a.code] ?? 0) + 1;
  return out;
}

describe('emulator: throttling per API family', () => {
  const testEnv = useTestEnv();
  let endpoint = '';
  let elbv2: ElasticLoadBalancingV2Client;
  let ec2: EC2Client;
  let tagging: ResourceGroupsTaggingAPIClient;

  before(async () => {
    await testEnv.env.resetAws();
    endpoint = testEnv.env.state.awsEndpoint;
    const config = {
      endpoint,
      region: testEnv.env.state.region,
      credentials: testCredentials,
      maxAttempts: 1,
    };
    elbv2 = new ElasticLoadBalancingV2Client(config);
    ec2 = new EC2Client(config);
    tagging = new ResourceGroupsTaggingAPIClient(config);
  });
  after(async () => {
    await setThrottling(endpoint, { preset: 'off' });
    elbv2.destroy();
    ec2.destroy();
    tagging.destroy();
  });

  it("GIVEN the aws preset THEN the buckets are AWS's documented ones", async () => {
    const state = await setThrottling(endpoint, { preset: 'aws' });
    const figures = Object.fromEntries(
      Object.entries(state.families).map(([name, b]) => [
        name,
        `${String(b.burst)}/${String(b.rate)}`,
      ]),
    );
    assert.deepEqual(figures, {
      'elbv2-account': '40/10',
      'elbv2-describe': '40/10',
      'elbv2-write': '20/3',
      'elbv2-register': '20/4',
      'elbv2-heavy': '10/0.2',
      'ec2-describe': '100/20',
      'ec2-write': '50/5',
      'ec2-sg-rules': '50/5',
      'ec2-tags': '100/10',
      tagging: '40/10',
    });
  });

  // The emulator answers a describe in tens of ms, so a burst it can serve refills AWS's
  // own bucket as it goes: the preset is scaled down to see the bucket run dry.
  it('GIVEN the aws preset at a tenth WHEN 30 ELBv2 describes arrive at once THEN those above the bucket get Throttling, HTTP 400, "Rate exceeded"', async () => {
    await setThrottling(endpoint, { preset: 'aws', scale: 0.1 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        answer(() => elbv2.send(new DescribeLoadBalancersCommand({}))),
      ),
    );
    const counts = tally(answers);
    assert.ok((counts.ok ?? 0) >= 4, JSON.stringify(counts));
    assert.ok((counts.Throttling ?? 0) >= 10, JSON.stringify(counts));
    assert.equal((counts.ok ?? 0) + (counts.Throttling ?? 0), 30, JSON.stringify(counts));
    const throttled = answers.find((a) => a.code === 'Throttling');
    assert.equal(throttled?.status, 400);
    assert.equal(throttled.message, 'Rate exceeded');
    const state = await throttleState(endpoint);
    assert.equal(state.throttled['elbv2-describe'], counts.Throttling);
    assert.equal(state.calls['elbv2-describe'], 30);
  });

  it('GIVEN the aws preset at a tenth WHEN 40 EC2 describes arrive at once THEN those above the bucket get RequestLimitExceeded, HTTP 503', async () => {
    await setThrottling(endpoint, { preset: 'aws', scale: 0.1 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => answer(() => ec2.send(new DescribeVpcsCommand({})))),
    );
    const counts = tally(answers);
    assert.ok((counts.RequestLimitExceeded ?? 0) >= 10, JSON.stringify(counts));
    assert.equal((counts.ok ?? 0) + (counts.RequestLimitExceeded ?? 0), 40, JSON.stringify(counts));
    assert.equal(answers.find((a) => a.code === 'RequestLimitExceeded')?.status, 503);
  });

  it('GIVEN a tagging bucket of 5 WHEN 8 GetResources arrive at once THEN 3 get ThrottledException, HTTP 400', async () => {
    await setThrottling(endpoint, { families: { tagging: { rate: 0.1, burst: 5 } } });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => answer(() => tagging.send(new GetResourcesCommand({})))),
    );
    assert.deepEqual(tally(answers), { ok: 5, ThrottledException: 3 });
    assert.equal(answers.find((a) => a.code === 'ThrottledException')?.status, 400);
    // Another family is not limited at all.
    assert.equal((await answer(() => elbv2.send(new DescribeLoadBalancersCommand({})))).code, 'ok');
  });

  it('GIVEN calls paced below the refill rate THEN none is throttled, even past the burst', async () => {
    await setThrottling(endpoint, { families: { 'elbv2-describe': { rate: 20, burst: 2 } } });
    const answers: Answer[] = [];
    for (let i = 0; i < 15; i++) {
      answers.push(await answer(() => elbv2.send(new DescribeLoadBalancersCommand({}))));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(tally(answers), { ok: 15 });
  });

  it('GIVEN throttling on WHEN the emulator is reset THEN it is off again', async () => {
    await setThrottling(endpoint, { families: { 'elbv2-describe': { rate: 0.1, burst: 1 } } });
    await testEnv.env.resetAws();
    const state = await throttleState(endpoint);
    assert.equal(state.enabled, false);
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        answer(() => elbv2.send(new DescribeLoadBalancersCommand({}))),
      ),
    );
    assert.deepEqual(tally(answers), { ok: 60 });
  });

  it('GIVEN an unknown family THEN the layer refuses it, naming the families it knows', async () => {
    await assert.rejects(
      setThrottling(endpoint, { families: { 'elb-describe': { rate: 1, burst: 1 } } }),
      /HTTP 400: .*unknown family 'elb-describe': one of elbv2-account, elbv2-describe/,
    );
  });
});
